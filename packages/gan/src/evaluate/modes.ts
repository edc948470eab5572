import { mixtureResponsibilities, type GaussianMixture } from "@dl/bayes";

import type { Rng } from "@dl/tensor-core";

/** The 2-D grid of 25 Gaussians (ALI, Dumoulin et al. 2017, §4.2): centres on {−4, −2, 0, 2, 4}². */
export function grid25Mixture(sigma = 0.1): GaussianMixture {
  const means: number[][] = [];
  for (const a of [-4, -2, 0, 2, 4]) for (const b of [-4, -2, 0, 2, 4]) means.push([a, b]);
  return {
    weights: means.map(() => 1 / 25),
    means,
    covariances: means.map(() => [
      [sigma * sigma, 0],
      [0, sigma * sigma],
    ]),
  };
}

export function sampleGrid25(n: number, rng: Rng, sigma = 0.1): Float32Array {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(25);
    out[2 * i] = -4 + 2 * Math.floor(k / 5) + sigma * rng.normal();
    out[2 * i + 1] = -4 + 2 * (k % 5) + sigma * rng.normal();
  }
  return out;
}

export interface ModeCoverage {
  /** Modes with at least `minShare` of the uniform share of samples within 3σ. */
  modesCovered: number;
  modes: number;
  /** Samples within 3σ of the mode they are assigned to. */
  highQualityShare: number;
  /** Samples per mode (assigned by mixture responsibilities, within 3σ). */
  counts: number[];
}

/**
 * Assigns each sample to its most responsible mixture component (p(k | x)) and counts a mode as
 * covered when enough samples lie within 3σ of its centre (Srivastava et al. 2017 use the same rule).
 */
export function countModes(samples: Float32Array, mixture: GaussianMixture, opts: { minShare?: number } = {}): ModeCoverage {
  const n = samples.length / 2;
  const k = mixture.weights.length;
  const { responsibilities } = mixtureResponsibilities(mixture, { data: samples, shape: [n, 2] });
  const counts = new Array<number>(k).fill(0);
  let good = 0;
  for (let i = 0; i < n; i++) {
    const r = responsibilities[i] ?? [];
    let best = 0;
    for (let j = 1; j < k; j++) if ((r[j] ?? 0) > (r[best] ?? 0)) best = j;
    const mean = mixture.means[best] as readonly number[];
    const cov = mixture.covariances[best] as readonly (readonly number[])[];
    const sx = Math.sqrt(cov[0]?.[0] ?? 1);
    const sy = Math.sqrt(cov[1]?.[1] ?? 1);
    const dx = ((samples[2 * i] as number) - (mean[0] ?? 0)) / sx;
    const dy = ((samples[2 * i + 1] as number) - (mean[1] ?? 0)) / sy;
    if (Math.hypot(dx, dy) <= 3) {
      counts[best] = (counts[best] ?? 0) + 1;
      good++;
    }
  }
  const threshold = (opts.minShare ?? 0.2) * (n / k);
  return { modesCovered: counts.filter((c) => c >= threshold).length, modes: k, highQualityShare: good / n, counts };
}

