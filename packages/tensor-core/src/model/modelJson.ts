// Checks of a model.json shared by the Node folder loader and the browser file loader.
import { DlError } from "../errors.js";

export interface ModelJsonOptions {
  /** Accept a model.json without weights (every weight then keeps its random initial value). Default false. */
  allowRandomWeights?: boolean;
  /** Called once with a line the user should see (e.g. that weights are random). */
  onWarning?: (message: string) => void;
}

/** What a model.json is: a graph or layers model, with or without weights. Throws on what cannot load. */
export function inspectModelJson(head: unknown, where: string, options: ModelJsonOptions = {}): { isGraph: boolean; weightCount: number } {
  const json = head as { format?: unknown; modelTopology?: unknown; weightsManifest?: unknown } | null;
  if (typeof json !== "object" || json === null || typeof json.modelTopology !== "object" || json.modelTopology === null) {
    throw new DlError("MALFORMED_FILE", `${where} has no "modelTopology"; expected a tfjs model.json (layers-model or graph-model).`);
  }
  const manifest = Array.isArray(json.weightsManifest) ? (json.weightsManifest as { weights?: unknown[] }[]) : [];
  const weightCount = manifest.reduce((n, g) => n + (Array.isArray(g.weights) ? g.weights.length : 0), 0);
  const isGraph = json.format === "graph-model" || Array.isArray((json.modelTopology as Record<string, unknown>)["node"]);
  if (weightCount === 0 && !isGraph) {
    if (options.allowRandomWeights !== true) {
      throw new DlError(
        "MALFORMED_FILE",
        `${where} lists no weights (no "weightsManifest"), so the model would run on random initial weights. Copy its weight files and manifest beside it, or pass --allow-random-weights to study an untrained network.`,
      );
    }
    options.onWarning?.(`${where} has no weights: every layer keeps its random initial weights (--allow-random-weights).`);
  }
  return { isGraph, weightCount };
}

/** A tfjs load failure as one line: an unknown layer class named, anything else cut to its first line. */
export function modelLoadError(error: unknown, where: string): DlError {
  if (error instanceof DlError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown (layer|activation|regularizer|constraint|initializer)s?: (\S+?)\.?(?:\s|$)/.exec(message);
  if (unknown !== null) {
    return new DlError(
      "NOT_SUPPORTED",
      `The model in ${where} uses ${unknown[1] ?? "class"} "${unknown[2] ?? ""}", which tfjs-layers does not provide. Register a custom class with tf.serialization.registerClass before loading, or convert the model without it.`,
      { cause: error },
    );
  }
  return new DlError("MALFORMED_FILE", `The model in ${where} could not be built: ${message.split("\n")[0]?.slice(0, 300) ?? ""}.`, { cause: error });
}
