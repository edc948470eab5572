// `dl gan modes` with --workers or --queue: each seed is a task that runs runGrid25 on a worker (a local pool child or a
// queue worker), in the submitter's backend, so every seed gives the figures it gives in the submitting process.
import { parseGrid25Method, runGrid25, type Grid25Method, type Grid25Run } from "@dl/gan";
import { DlError, initBackend, type BackendName, type RunOptions } from "@dl/tensor-core";

export interface Grid25Task {
  method: Grid25Method;
  seed: number;
  steps: number;
  sigma: number;
  preset: "stable" | "plain";
  /** Omitted: the method's default. */
  rejectionSteps?: number;
  /** The submitter's backend: a worker sets up the same one. */
  backend: BackendName;
  /** Keep the counted samples and the line in z (the figure reads the first seed's); others travel as figures only. */
  keepSamples: boolean;
}

/** A run as JSON: typed arrays as plain lists (float32 values survive JSON exactly). */
interface Grid25RunRecord extends Omit<Grid25Run, "samples" | "interpolation" | "reconstructions"> {
  samples: number[];
  interpolation: number[];
  reconstructions?: { data: number[]; reconstructed: number[] };
}

function asTask(value: unknown): Grid25Task {
  const t = value as Partial<Grid25Task> | null;
  const ok =
    t !== null &&
    typeof t === "object" &&
    typeof t.method === "string" &&
    Number.isSafeInteger(t.seed) &&
    Number.isInteger(t.steps) &&
    typeof t.sigma === "number" &&
    (t.preset === "stable" || t.preset === "plain") &&
    typeof t.backend === "string" &&
    typeof t.keepSamples === "boolean" &&
    (t.rejectionSteps === undefined || Number.isInteger(t.rejectionSteps));
  if (!ok) throw new DlError("INVALID_ARGUMENT", `A grid-of-25 task must name method, seed, steps, sigma, preset, backend and keepSamples; got ${JSON.stringify(value)}.`);
  return { ...(t as Grid25Task), method: parseGrid25Method(t.method as string) };
}

/** One seed's run from its task: the submitter's in-process path and the worker's share it. */
export function runGrid25Seed(task: Grid25Task, options: Pick<RunOptions, "onProgress" | "signal"> = {}): Promise<Grid25Run> {
  return runGrid25(task.method, task.seed, {
    steps: task.steps,
    sigma: task.sigma,
    preset: task.preset,
    ...(task.rejectionSteps === undefined ? {} : { rejectionSteps: task.rejectionSteps }),
    ...options,
  });
}

/** The worker's side: one seed's run, as a plain record. */
export async function runGrid25Task(value: unknown, signal?: AbortSignal): Promise<Grid25RunRecord> {
  const task = asTask(value);
  await initBackend({ backend: task.backend });
  const run = await runGrid25Seed(task, signal === undefined ? {} : { signal });
  const { samples, interpolation, reconstructions, ...figures } = run;
  if (!task.keepSamples) return { ...figures, samples: [], interpolation: [] };
  return { ...figures, samples: Array.from(samples), interpolation: Array.from(interpolation), ...(reconstructions === undefined ? {} : { reconstructions: { data: Array.from(reconstructions.data), reconstructed: Array.from(reconstructions.reconstructed) } }) };
}

/** The submitter's side: the run back from its record. */
export function grid25RunFromRecord(value: unknown): Grid25Run {
  const { samples, interpolation, reconstructions, ...figures } = value as Grid25RunRecord;
  return {
    ...figures,
    samples: Float32Array.from(samples),
    interpolation: Float32Array.from(interpolation),
    ...(reconstructions === undefined ? {} : { reconstructions: { data: Float32Array.from(reconstructions.data), reconstructed: Float32Array.from(reconstructions.reconstructed) } }),
  };
}
