import { DlError, createRng, listNames, type RunOptions } from "@dl/tensor-core";

import {
  PLAIN_GRID_GAN,
  STABLE_GRID_GAN,
  RejectionSampler,
  createLowDimGan,
  encodeLowDim,
  applyLowDimGenerator,
  sampleLowDimGan,
  trainLowDimGan,
  type LowDimGanConfig,
} from "../train/lowDimGan.js";
import { countModes, grid25Mixture, sampleGrid25 } from "./modes.js";

export const GRID25_METHODS = ["gan", "bigan"] as const;
export type Grid25Method = (typeof GRID25_METHODS)[number];

export function parseGrid25Method(name: string): Grid25Method {
  if ((GRID25_METHODS as readonly string[]).includes(name)) return name as Grid25Method;
  throw new DlError("INVALID_ARGUMENT", `Unknown method "${name}". Valid: ${listNames(GRID25_METHODS)}.`);
}

export interface Grid25Options extends RunOptions {
  /** Adversarial training steps (default 10000: at 6000, 2 seeds in 10 had not converged). */
  steps?: number;
  /** Standard deviation of each Gaussian (default 0.05, as in VEEGAN and PacGAN). */
  sigma?: number;
  /** Generated samples that are counted (default 2500, as in VEEGAN and PacGAN). */
  samples?: number;
  /** `stable` (default): the stabilised configuration; `plain`: the seed's objective with nothing added. */
  preset?: "stable" | "plain";
  /** Overrides of the preset (for ablations). */
  config?: Partial<LowDimGanConfig>;
  /** Steps of the rejection classifier (0 = sample G directly; default 1000 for `stable`, 0 for `plain`). */
  rejectionSteps?: number;
}

export interface Grid25Run {
  method: Grid25Method;
  seed: number;
  /** Modes covered (≥ 20 % of the uniform share of samples within 3σ) and the share of samples within 3σ of a mode. */
  modes: number;
  highQuality: number;
  counts: number[];
  /** The same figures for G's samples before rejection (equal to the above without rejection). */
  generatorModes: number;
  generatorHighQuality: number;
  /** Share of G's samples the rejection step accepts (1 without rejection). */
  acceptance: number;
  /** BiGAN: mean ‖x − G(E(x))‖² on fresh data beside the same for a random other x′ (z|x carries information when < 1). */
  reconstructionError?: number;
  randomPairError?: number;
  /** The counted samples (rows of 2). */
  samples: Float32Array;
  /** BiGAN: G(E(x)) for 500 fresh data points, and those points. */
  reconstructions?: { data: Float32Array; reconstructed: Float32Array };
  /** G along a line in z (−2 … 2 on the first axis), for a figure. */
  interpolation: Float32Array;
  seconds: number;
}

/** The configuration a run of `method` with `preset` uses. */
export function grid25Config(method: Grid25Method, opts: Pick<Grid25Options, "preset" | "config"> = {}): LowDimGanConfig {
  const base = opts.preset === "plain" ? PLAIN_GRID_GAN : STABLE_GRID_GAN;
  return { ...base, ...(method === "bigan" ? { bigan: true } : {}), ...opts.config };
}

/**
 * Trains a GAN or BiGAN on the 2-D grid of 25 Gaussians (centres on {−4, −2, 0, 2, 4}²) and counts
 * the modes its samples cover, following VEEGAN (Srivastava et al. 2017, §5.1) and PacGAN (Lin et al. 2018, §5).
 */
export async function runGrid25(method: Grid25Method, seed: number, opts: Grid25Options = {}): Promise<Grid25Run> {
  const sigma = opts.sigma ?? 0.05;
  const steps = opts.steps ?? 10_000;
  const n = opts.samples ?? 2500;
  if (!(sigma > 0 && sigma < 1)) throw new DlError("INVALID_ARGUMENT", `sigma must lie in (0, 1), got ${sigma}.`);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new DlError("INVALID_ARGUMENT", `steps must be a positive integer, got ${steps}.`);
  const rng = createRng(seed);
  const points = sampleGrid25(20_000, rng, sigma);
  const config = grid25Config(method, opts);
  const rejectionSteps = opts.rejectionSteps ?? (opts.preset === "plain" ? 0 : 1000);
  const mixture = grid25Mixture(sigma);
  const progress = { ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  const started = performance.now();
  const gan = createLowDimGan(config, rng.tfSeed());
  try {
    await trainLowDimGan(gan, points, { steps, seed: rng.tfSeed(), ...progress });
    const direct = sampleLowDimGan(gan, n, rng.tfSeed());
    const g = countModes(direct, mixture);
    let samples = direct;
    let acceptance = 1;
    if (rejectionSteps > 0) {
      const sampler = await RejectionSampler.fit(gan, points, { steps: rejectionSteps, seed: rng.tfSeed(), ...progress });
      try {
        samples = sampler.sample(n, rng.tfSeed());
        acceptance = sampler.acceptance;
      } finally {
        sampler.dispose();
      }
    }
    const coverage = countModes(samples, mixture);
    const line = new Float32Array(101 * config.latentDim);
    for (let i = 0; i <= 100; i++) line[i * config.latentDim] = -2 + (4 * i) / 100;
    const interpolation = applyLowDimGenerator(gan, line);
    let bigan: Pick<Grid25Run, "reconstructionError" | "randomPairError" | "reconstructions"> = {};
    if (gan.encoder) {
      const fresh = sampleGrid25(500, rng, sigma);
      const reconstructed = applyLowDimGenerator(gan, encodeLowDim(gan, fresh));
      let err = 0;
      let base = 0;
      for (let i = 0; i < 500; i++) {
        const j = (i + 1) % 500;
        for (let d = 0; d < 2; d++) {
          const x = fresh[2 * i + d] as number;
          err += (x - (reconstructed[2 * i + d] as number)) ** 2;
          base += (x - (reconstructed[2 * j + d] as number)) ** 2;
        }
      }
      bigan = { reconstructionError: err / 500, randomPairError: base / 500, reconstructions: { data: fresh, reconstructed } };
    }
    return {
      method,
      seed,
      modes: coverage.modesCovered,
      highQuality: coverage.highQualityShare,
      counts: coverage.counts,
      generatorModes: g.modesCovered,
      generatorHighQuality: g.highQualityShare,
      acceptance,
      ...bigan,
      samples,
      interpolation,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    gan.dispose();
  }
}

export interface Grid25Summary {
  modes: number;
  modesSd: number;
  highQuality: number;
  highQualitySd: number;
  generatorModes: number;
  generatorHighQuality: number;
}

const meanSd = (v: readonly number[]): [number, number] => {
  const m = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  return [m, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1))];
};

/** Mean and sample standard deviation over seeds. */
export function summariseGrid25(runs: readonly Grid25Run[]): Grid25Summary {
  const [modes, modesSd] = meanSd(runs.map((r) => r.modes));
  const [highQuality, highQualitySd] = meanSd(runs.map((r) => r.highQuality));
  return {
    modes,
    modesSd,
    highQuality,
    highQualitySd,
    generatorModes: meanSd(runs.map((r) => r.generatorModes))[0],
    generatorHighQuality: meanSd(runs.map((r) => r.generatorHighQuality))[0],
  };
}

/** Modes covered over runs (seeds): mean, sample standard deviation and the counts themselves. */
export interface ModeCountSummary {
  mean: number;
  sd: number;
  runs: number[];
}

/** Mean and sample standard deviation (n − 1) of the modes covered over runs; one run has sd 0. */
export function summariseModeCounts(counts: readonly number[]): ModeCountSummary {
  const [mean, sd] = meanSd(counts);
  return { mean, sd, runs: [...counts] };
}

/** Class of each point in `grid25Points`: 0 the samples, 1 the line in z, 3 the 25 centres. */
export const GRID25_POINT_CLASSES = { samples: 0, line: 1, centres: 3 } as const;

/**
 * One run's figure as points for a labelled scatter: its samples, then G along the line z = (t, 0),
 * t ∈ [−2, 2], then the 25 centres (rows of 2), with each point's class in `GRID25_POINT_CLASSES`.
 */
export function grid25Points(run: Pick<Grid25Run, "samples" | "interpolation">): { points: Float32Array; labels: Int32Array } {
  const centres = grid25Mixture().means.flat();
  const points = Float32Array.from([...run.samples, ...run.interpolation, ...centres]);
  const nSamples = run.samples.length / 2;
  const nLine = run.interpolation.length / 2;
  const { samples, line, centres: centre } = GRID25_POINT_CLASSES;
  const labels = Int32Array.from({ length: points.length / 2 }, (_, i) => (i < nSamples ? samples : i < nSamples + nLine ? line : centre));
  return { points, labels };
}
