import * as tf from "@tensorflow/tfjs-core";

import { DlError, listNames } from "@dl/tensor-core";

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** Encoder families compared by Cremer, Li & Duvenaud (2018), in miniature. */
export const VAE_FAMILIES = ["diag", "full", "planar"] as const;
export type VaeFamily = (typeof VAE_FAMILIES)[number];

export function parseVaeFamily(name: string): VaeFamily {
  if ((VAE_FAMILIES as readonly string[]).includes(name)) return name as VaeFamily;
  throw new DlError("UNKNOWN_NAME", `Unknown encoder family "${name}". Valid families: ${listNames(VAE_FAMILIES)}.`, {
    details: { valid: VAE_FAMILIES },
  });
}

/**
 * A variational family over z ∈ R^d whose parameters λ are a flat vector per datapoint (what the
 * encoder outputs, and what per-datapoint optimisation adjusts).
 */
export interface VariationalFamily {
  readonly name: VaeFamily;
  readonly latentDim: number;
  readonly paramCount: number;
  /** z = T(ε; λ) and log q(z | λ) for ε [S, B, d] and λ [B, P]; z [S, B, d], logQ [S, B]. */
  sampleAndLogQ(lambda: tf.Tensor, eps: tf.Tensor): { z: tf.Tensor; logQ: tf.Tensor };
}

function logPdfStandard(eps: tf.Tensor, d: number): tf.Tensor {
  return tf.sub(tf.mul(-0.5, tf.sum(tf.square(eps), -1)), d * HALF_LOG_TWO_PI);
}

/** Diagonal Gaussian: λ = [μ, log σ]. */
class DiagonalGaussian implements VariationalFamily {
  readonly name = "diag" as const;
  readonly paramCount: number;
  constructor(readonly latentDim: number) {
    this.paramCount = 2 * latentDim;
  }

  sampleAndLogQ(lambda: tf.Tensor, eps: tf.Tensor): { z: tf.Tensor; logQ: tf.Tensor } {
    return tf.tidy(() => {
      const d = this.latentDim;
      const [mu, logSigma] = tf.split(lambda, [d, d], -1) as [tf.Tensor, tf.Tensor];
      const z = tf.add(mu, tf.mul(tf.exp(logSigma), eps));
      return { z, logQ: tf.sub(logPdfStandard(eps, d), tf.sum(logSigma, -1)) };
    });
  }
}

/** Full-covariance Gaussian through its Cholesky factor: λ = [μ, log diag L, strictly-lower L]. */
class FullGaussian implements VariationalFamily {
  readonly name = "full" as const;
  readonly paramCount: number;
  private readonly placement: tf.Tensor;

  constructor(readonly latentDim: number) {
    const d = latentDim;
    const m = (d * (d - 1)) / 2;
    this.paramCount = 2 * d + m;
    // Maps the m strictly-lower entries to their places in a d×d matrix (one matmul, differentiable).
    const place = new Float32Array(Math.max(m, 1) * d * d);
    let k = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) place[k++ * d * d + i * d + j] = 1;
    this.placement = tf.keep(tf.tensor2d(place, [Math.max(m, 1), d * d]));
  }

  /** L [B, d, d] from λ. */
  choleskyFactor(lambda: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const d = this.latentDim;
      const m = (d * (d - 1)) / 2;
      const b = lambda.shape[0] ?? 0;
      const [, logDiag, lower] = tf.split(lambda, [d, d, m], -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const strict = m === 0 ? tf.zeros([b, d, d]) : tf.reshape(tf.matMul(lower, this.placement), [b, d, d]);
      return tf.add(strict, tf.mul(tf.expandDims(tf.exp(logDiag), -1), tf.eye(d)));
    });
  }

  sampleAndLogQ(lambda: tf.Tensor, eps: tf.Tensor): { z: tf.Tensor; logQ: tf.Tensor } {
    return tf.tidy(() => {
      const d = this.latentDim;
      const mu = tf.slice(lambda, [0, 0], [-1, d]);
      const logDiag = tf.slice(lambda, [0, d], [-1, d]);
      const L = this.choleskyFactor(lambda); // [B, d, d]
      const z = tf.add(mu, tf.sum(tf.mul(L, tf.expandDims(eps, -2)), -1));
      return { z, logQ: tf.sub(logPdfStandard(eps, d), tf.sum(logDiag, -1)) };
    });
  }
}

/**
 * Diagonal Gaussian followed by K planar layers whose (w, u, b) are per-datapoint (amortized)
 * parameters: λ = [μ, log σ, w (K·d), u (K·d), b (K)]; û as Rezende & Mohamed (2015, App. A.1).
 */
class PlanarFlowFamily implements VariationalFamily {
  readonly name = "planar" as const;
  readonly paramCount: number;

  constructor(
    readonly latentDim: number,
    readonly layers: number,
  ) {
    this.paramCount = 2 * latentDim + layers * (2 * latentDim + 1);
  }

  sampleAndLogQ(lambda: tf.Tensor, eps: tf.Tensor): { z: tf.Tensor; logQ: tf.Tensor } {
    return tf.tidy(() => {
      const d = this.latentDim;
      const k = this.layers;
      const b = lambda.shape[0] ?? 0;
      const [mu, logSigma, wAll, uAll, bAll] = tf.split(lambda, [d, d, k * d, k * d, k], -1) as [
        tf.Tensor,
        tf.Tensor,
        tf.Tensor,
        tf.Tensor,
        tf.Tensor,
      ];
      let z = tf.add(mu, tf.mul(tf.exp(logSigma), eps));
      let logQ = tf.sub(logPdfStandard(eps, d), tf.sum(logSigma, -1));
      const ws = tf.unstack(tf.reshape(wAll, [b, k, d]), 1);
      const us = tf.unstack(tf.reshape(uAll, [b, k, d]), 1);
      const bs = tf.unstack(bAll, 1);
      for (let l = 0; l < k; l++) {
        const w = ws[l] as tf.Tensor; // [B, d]
        const u = us[l] as tf.Tensor;
        const wu = tf.sum(tf.mul(w, u), -1, true);
        const uHat = tf.add(u, tf.mul(tf.div(tf.sub(tf.sub(tf.softplus(wu), 1), wu), tf.add(tf.sum(tf.square(w), -1, true), 1e-8)), w));
        const a = tf.add(tf.sum(tf.mul(z, w), -1), bs[l] as tf.Tensor); // [S, B]
        const h = tf.tanh(a);
        z = tf.add(z, tf.mul(tf.expandDims(h, -1), uHat));
        const wuHat = tf.sum(tf.mul(w, uHat), -1); // [B]
        logQ = tf.sub(logQ, tf.log(tf.abs(tf.add(1, tf.mul(tf.sub(1, tf.square(h)), wuHat)))));
      }
      return { z, logQ };
    });
  }
}

export function createFamily(name: VaeFamily, latentDim: number, options: { flowLayers?: number } = {}): VariationalFamily {
  switch (name) {
    case "diag":
      return new DiagonalGaussian(latentDim);
    case "full":
      return new FullGaussian(latentDim);
    case "planar":
      return new PlanarFlowFamily(latentDim, options.flowLayers ?? 4);
  }
}
