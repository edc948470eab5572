import { assertArgument, type Rng } from "@dl/tensor-core";

/** The MAML sinusoid family (Finn et al. 2017, §5.1): y = A·sin(x − φ). */
export const SINUSOID = {
  amplitude: [0.1, 5] as const,
  phase: [0, Math.PI] as const,
  x: [-5, 5] as const,
};

export interface SinusoidTask {
  amplitude: number;
  phase: number;
}

export interface RegressionEpisode {
  task: SinusoidTask;
  supportX: Float32Array;
  supportY: Float32Array;
  queryX: Float32Array;
  queryY: Float32Array;
}

function uniform(rng: Rng, [lo, hi]: readonly [number, number]): number {
  return lo + (hi - lo) * rng.next();
}

export function sinusoidValue(task: SinusoidTask, x: number): number {
  return task.amplitude * Math.sin(x - task.phase);
}

export function sampleSinusoidTask(rng: Rng): SinusoidTask {
  return { amplitude: uniform(rng, SINUSOID.amplitude), phase: uniform(rng, SINUSOID.phase) };
}

/** K support points and Q query points of one random sinusoid, x uniform in [−5, 5]. */
export function sampleSinusoidEpisode(rng: Rng, shots: number, queries: number): RegressionEpisode {
  assertArgument(Number.isInteger(shots) && shots >= 1, () => `shots must be an integer ≥ 1, got ${shots}.`);
  assertArgument(Number.isInteger(queries) && queries >= 1, () => `queries must be an integer ≥ 1, got ${queries}.`);
  const task = sampleSinusoidTask(rng);
  const draw = (n: number): [Float32Array, Float32Array] => {
    const x = Float32Array.from({ length: n }, () => uniform(rng, SINUSOID.x));
    return [x, Float32Array.from(x, (v) => sinusoidValue(task, v))];
  };
  const [supportX, supportY] = draw(shots);
  const [queryX, queryY] = draw(queries);
  return { task, supportX, supportY, queryX, queryY };
}
