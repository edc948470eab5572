import * as tf from "@tensorflow/tfjs-core";

import { DlError, cancelPoint, createRng } from "@dl/tensor-core";
import type { RunOptions } from "@dl/tensor-core";

import type { Bijector } from "../bijectors/bijector.js";
import { PlanarStack } from "../bijectors/planarStack.js";
import { MultivariateNormalDiag } from "../distributions/multivariate.js";
import { type EnergyName, type Grid, energy, logNormaliser } from "./energies.js";

export interface FitFlowOptions extends RunOptions {
  /** Number of planar layers K. */
  flows: number;
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  /** Samples for the final KL estimate. */
  klSamples?: number;
  /** Anneal the energy's weight from 0.01 to 1 over this fraction of steps (Rezende & Mohamed §6.1; default 0.5: shorter annealing let K = 32 drop a mode of U1). */
  annealFraction?: number;
  /** Histogram grid for the fitted density picture. */
  histogramGrid?: Grid;
}

export interface KlEstimate {
  /** KL(q‖p) = E_q[log q − log p̃] + log Z, in nats. */
  kl: number;
  /** Monte Carlo standard error of `kl`. */
  standardError: number;
  /** log Z of the target by grid quadrature. */
  logZ: number;
  samples: number;
}

export interface FitFlowResult {
  target: EnergyName;
  flows: number;
  /** Mean reverse-KL loss without log Z (the free energy), every `logEvery` steps. */
  history: { step: number; loss: number; seconds: number }[];
  kl: KlEstimate;
  /** First logged step whose smoothed loss is within 0.05 nats of the final smoothed loss. */
  plateauStep: number;
  plateauSeconds: number;
  seconds: number;
  /** Flow samples, [n, 2] row-major (for scatter plots). */
  samples: Float32Array;
  /** Normalised histogram of flow samples on `histogramGrid`, [ny, nx] from the top row. */
  histogram?: Float64Array;
  /** Trained parameters, layer by layer. */
  parameters: { w: number[]; u: number[]; b: number }[];
}

/**
 * Fits q = (planar flow of K layers) ∘ N(0, I) to p ∝ exp(−U) by minimising the reverse KL
 * E_q[log q(z) + U(z)] (Rezende & Mohamed 2015, §6.1), then measures KL(q‖p) exactly up to Monte
 * Carlo error, with log Z from grid quadrature.
 */
export async function fitPlanarFlow(target: EnergyName, options: FitFlowOptions): Promise<FitFlowResult> {
  const k = options.flows;
  if (!Number.isInteger(k) || k < 1) throw new DlError("INVALID_ARGUMENT", `--flows needs a positive integer K, got ${k}.`);
  const steps = options.steps ?? 2000;
  const batchSize = options.batchSize ?? 256;
  const rng = createRng(options.seed);
  const flow = new PlanarStack({ layers: k, dimension: 2, seed: rng.nextUint32(), initScale: 0.3 });
  const base = new MultivariateNormalDiag({ loc: tf.keep(tf.zeros([2])), scaleDiag: tf.keep(tf.ones([2])) });
  const optimizer = tf.train.adam(options.learningRate ?? 5e-3);
  const annealSteps = Math.max(1, Math.floor((options.annealFraction ?? 0.5) * steps));
  const history: FitFlowResult["history"] = [];
  const logEvery = Math.max(1, Math.floor(steps / 100));
  const start = performance.now();
  let running = 0;
  const stopPoint = cancelPoint(options.signal);
  try {
    for (let step = 1; step <= steps; step++) {
      await stopPoint();
      const beta = Math.min(1, 0.01 + step / annealSteps);
      const seed = rng.tfSeed();
      const lossTensor = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const z0 = base.sample(batchSize, seed);
            const { y, logDet } = flow.forwardAndLogDet(z0);
            // Reverse KL with annealed energy: E[log q₀(z₀) − Σ log|det| + β U(z_K)].
            return tf.mean<tf.Scalar>(tf.add(tf.sub(base.logProb(z0), logDet), tf.mul(beta, energy(target, y))));
          }),
        true,
        [...flow.trainableVariables],
      );
      const loss = lossTensor?.dataSync()[0] ?? Number.NaN;
      lossTensor?.dispose();
      if (!Number.isFinite(loss)) {
        throw new DlError("NON_FINITE", `Flow training diverged at step ${step} (loss ${loss}); lower the learning rate.`);
      }
      running = step === 1 ? loss : 0.95 * running + 0.05 * loss;
      if (step % logEvery === 0 || step === steps) {
        const seconds = (performance.now() - start) / 1000;
        history.push({ step, loss: running, seconds });
        options.onProgress?.({ phase: `fit ${target} K=${k}`, step, total: steps, metrics: { loss: running } });
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const final = history[history.length - 1]?.loss ?? Number.NaN;
    const plateau = history.find((h) => h.step > annealSteps && h.loss - final < 0.05) ?? history[history.length - 1];
    const kl = estimateKl(target, base, flow, options.klSamples ?? 20000, rng.tfSeed());
    const sampleTensor = tf.tidy(() => flow.forward(base.sample(5000, rng.tfSeed())));
    const samples = Float32Array.from(sampleTensor.dataSync());
    sampleTensor.dispose();
    const histogram = options.histogramGrid === undefined ? undefined : histogram2d(samples, options.histogramGrid);
    const w = flow.W.dataSync();
    const u = flow.U.dataSync();
    const b = flow.B.dataSync();
    const parameters = Array.from({ length: k }, (_, l) => ({
      w: [w[2 * l] ?? 0, w[2 * l + 1] ?? 0],
      u: [u[2 * l] ?? 0, u[2 * l + 1] ?? 0],
      b: b[l] ?? 0,
    }));
    return {
      target,
      flows: k,
      history,
      kl,
      plateauStep: plateau?.step ?? steps,
      plateauSeconds: plateau?.seconds ?? seconds,
      seconds,
      samples,
      ...(histogram === undefined ? {} : { histogram }),
      parameters,
    };
  } finally {
    optimizer.dispose();
    flow.dispose();
    base.loc.dispose();
    base.scaleDiag.dispose();
  }
}

/** KL(q‖p) = E_q[log q(z) − log p̃(z)] + log Z, with Monte Carlo over q and quadrature for log Z. */
export function estimateKl(target: EnergyName, base: MultivariateNormalDiag, flow: Bijector, n: number, seed: number): KlEstimate {
  const logZ = logNormaliser(target);
  const diffs = tf.tidy(() => {
    const z0 = base.sample(n, seed);
    const { y, logDet } = flow.forwardAndLogDet(z0);
    return tf.add(tf.sub(base.logProb(z0), logDet), energy(target, y)).dataSync();
  });
  let mean = 0;
  for (const v of diffs) mean += v / n;
  let variance = 0;
  for (const v of diffs) variance += (v - mean) ** 2 / (n - 1);
  return { kl: mean + logZ, standardError: Math.sqrt(variance / n), logZ, samples: n };
}

function histogram2d(samples: Float32Array, grid: Grid): Float64Array {
  const out = new Float64Array(grid.nx * grid.ny);
  const n = samples.length / 2;
  const hx = (grid.x[1] - grid.x[0]) / grid.nx;
  const hy = (grid.y[1] - grid.y[0]) / grid.ny;
  for (let i = 0; i < n; i++) {
    const c = Math.floor(((samples[2 * i] ?? 0) - grid.x[0]) / hx);
    const r = Math.floor((grid.y[1] - (samples[2 * i + 1] ?? 0)) / hy);
    if (c >= 0 && c < grid.nx && r >= 0 && r < grid.ny) out[r * grid.nx + c] = (out[r * grid.nx + c] ?? 0) + 1 / (n * hx * hy);
  }
  return out;
}
