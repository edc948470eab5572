import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import type { LabelledImages } from "@dl/tensor-core";

import { evaluateFewShot, type EvaluatedClassifier, type FewShotClassifierOptions, type FewShotEvaluation } from "../fewShot/evaluate.js";
import type { LabelledVectors } from "../matching/embedding.js";
import type { pretrainedFeatures, PretrainedFeatureOptions } from "../pretrain/embedding.js";
import type { PretrainedNetwork } from "../pretrain/supervised.js";
import { canonicalJson, markUsed, metalearnSourceVersion, sharedNetworksDir, storeFolder } from "./sharedNetworks.js";

const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

async function readOrUndefined(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** A copy of a file's bytes in an ArrayBuffer of its own (aligned for a typed array). */
const own = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/**
 * `extract` (`pretrainedFeatures`, taken as an argument so a test that mocks its module can still wrap the original)
 * with the networks' disk cache, for stat files that read the same network's features of the same images: keyed by the
 * weights of `blocks` (batch-norm statistics included), the images and the options. Calls that keep every view (the
 * views are not stored) or take a signal compute afresh.
 */
export function cachedFeatureExtraction(extract: typeof pretrainedFeatures, cacheDir: string = sharedNetworksDir()): typeof pretrainedFeatures {
  const cached = async (network: Pick<PretrainedNetwork, "blocks">, dataset: LabelledImages, options: PretrainedFeatureOptions = {}): Promise<LabelledVectors> => {
    if (options.signal !== undefined || options.keepViews === true) return extract(network, dataset, options);
    const hash = createHash("sha256").update(canonicalJson({ kind: "features", options, shape: [dataset.count, dataset.height, dataset.width, dataset.channels], source: await metalearnSourceVersion() }));
    for (const w of network.blocks.weights) hash.update(w.originalName).update(bytes(w.read().dataSync()));
    hash.update(bytes(dataset.labels)).update(bytes(dataset.images));
    const dir = join(cacheDir, `features-${hash.digest("hex").slice(0, 32)}`);
    const record = await readOrUndefined(join(dir, "record.json"));
    const data = await readOrUndefined(join(dir, "data.bin"));
    const labels = await readOrUndefined(join(dir, "labels.bin"));
    if (record !== undefined && data !== undefined && labels !== undefined) {
      await markUsed(dir);
      const { dim, count } = JSON.parse(record.toString("utf8")) as { dim: number; count: number };
      return { data: new Float32Array(own(data)), labels: new Int32Array(own(labels)), dim, count };
    }
    const features = await extract(network, dataset, options);
    await storeFolder(dir, async (temp) => {
      await writeFile(join(temp, "data.bin"), bytes(features.data));
      await writeFile(join(temp, "labels.bin"), bytes(features.labels));
      await writeFile(join(temp, "record.json"), JSON.stringify({ dim: features.dim, count: features.count }));
    });
    return features;
  };
  // The keepViews overload always reaches `extract` itself, so the wrapper honours both of its signatures.
  return cached as typeof pretrainedFeatures;
}

/**
 * `evaluateFewShot` with the disk cache, for stat files that evaluate the same features on the same episodes:
 * keyed by the features' values and labels and the options. Numbers round-trip through JSON exactly.
 */
export async function cachedEvaluation<C extends EvaluatedClassifier = EvaluatedClassifier>(features: LabelledVectors, options: FewShotClassifierOptions<C>, cacheDir: string = sharedNetworksDir()): Promise<FewShotEvaluation<C>> {
  if (options.signal !== undefined || options.onProgress !== undefined) return evaluateFewShot(features, options);
  const hash = createHash("sha256").update(canonicalJson({ kind: "evaluation", options, dim: features.dim, count: features.count, source: await metalearnSourceVersion() }));
  hash.update(bytes(features.labels)).update(bytes(features.data));
  const dir = join(cacheDir, `evaluation-${hash.digest("hex").slice(0, 32)}`);
  const stored = await readOrUndefined(join(dir, "evaluation.json"));
  if (stored !== undefined) {
    await markUsed(dir);
    const plain = JSON.parse(stored.toString("utf8")) as Omit<FewShotEvaluation<C>, "episodeAccuracies"> & { episodeAccuracies: Record<string, number[]> };
    return { ...plain, episodeAccuracies: Object.fromEntries(Object.entries(plain.episodeAccuracies).map(([c, a]) => [c, Float64Array.from(a)])) as FewShotEvaluation<C>["episodeAccuracies"] };
  }
  const evaluation = await evaluateFewShot(features, options);
  const text = JSON.stringify({ ...evaluation, episodeAccuracies: Object.fromEntries(Object.entries(evaluation.episodeAccuracies).map(([c, a]) => [c, Array.from(a)])) });
  // JSON writes NaN and ±Infinity as null: such a result is not cached.
  if (text.includes("null")) return evaluation;
  await storeFolder(dir, (temp) => writeFile(join(temp, "evaluation.json"), text));
  return evaluation;
}
