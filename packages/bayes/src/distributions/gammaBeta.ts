import * as tf from "@tensorflow/tfjs-core";

import { createRng, sampleStandardGamma } from "@dl/tensor-core";

import digamma from "@stdlib/math-base-special-digamma";

import { libraries } from "../platform/libraries.js";
import { lbeta, lgamma, log1p, log1pmx, stirlingCorrection, xlog1py, xlogy } from "../special/ops.js";
import {
  gammaQuantileScalar,
  lbetaScalar,
  lgammaScalar,
  regularizedBetaDerivatives,
  regularizedGammaP,
  regularizedGammaPDerivativeA,
  regularizedGammaQ,
} from "../special/scalar.js";
import {
  Distribution,
  broadcastShapes as broadcast,
  type DistributionOptions,
  POSITIVE,
  type SampleShape,
  type TensorLike,
  broadcastShapes,
  normalizeSampleShape,
} from "./distribution.js";

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
/** Above this concentration log densities switch to Stirling-reduced forms (float32 lgamma terms would cancel). */
const STIRLING_FROM = 10;

/** Gamma(α, 1) density on host values. */
function standardGammaLogPdf(z: number, alpha: number): number {
  return (alpha - 1) * Math.log(z) - z - lgammaScalar(alpha);
}

/**
 * dz/dα for z ~ Gamma(α, 1) by implicit reparameterization (Figurnov et al. 2018, eq. 6):
 * dz/dα = −(∂F(z; α)/∂α) / p(z; α).
 */
export function standardGammaSampleGradient(z: number, alpha: number): number {
  if (!(z > 0)) return 0;
  return -regularizedGammaPDerivativeA(alpha, z) / Math.exp(standardGammaLogPdf(z, alpha));
}

/** z ~ Gamma(α, 1) elementwise, with the implicit reparameterization gradient dz/dα. */
export function standardGammaWithGradient(alpha: tf.Tensor, seed: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const alphas = a.dataSync();
    const rng = createRng(seed);
    const z = new Float32Array(alphas.length);
    for (let i = 0; i < z.length; i++) z[i] = Math.max(sampleStandardGamma(alphas[i] ?? 1, rng), 1e-30);
    const value = tf.tensor(z, a.shape, "float32");
    save([a, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [aSaved, zSaved] = saved as [tf.Tensor, tf.Tensor];
        const av = aSaved.dataSync();
        const zv = zSaved.dataSync();
        const grad = new Float32Array(zv.length);
        for (let i = 0; i < grad.length; i++) grad[i] = standardGammaSampleGradient(zv[i] ?? 0, av[i] ?? 1);
        return [tf.mul(dy, tf.tensor(grad, aSaved.shape, "float32"))];
      },
    };
  });
  return op(alpha);
}

/** Gamma(concentration α, rate β); samples carry implicit reparameterization gradients. */
export class Gamma extends Distribution {
  readonly name = "Gamma";
  readonly reparameterized = true;
  readonly eventShape: readonly number[] = [];
  readonly concentration: tf.Tensor;
  readonly rate: tf.Tensor;
  readonly batchShape: readonly number[];

  constructor(params: { concentration: TensorLike; rate?: TensorLike }, options?: DistributionOptions) {
    super(options);
    this.concentration = this.param("concentration", params.concentration, POSITIVE);
    this.rate = this.param("rate", params.rate ?? 1, POSITIVE);
    this.batchShape = broadcastShapes(this.name, this.concentration.shape, this.rate.shape);
  }

  override readonly hasCdf: boolean = true;

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape];
    return tf.tidy(() => tf.div(standardGammaWithGradient(tf.broadcastTo(this.concentration, shape), seed), this.rate));
  }

  // α log β + (α − 1) log x − βx − lgamma(α), with 0·log 0 = 0 at x = 0 (so Gamma(1, β) agrees with
  // Exponential(β) there, as in TFP). For α ≥ 10, with y = βx and u = y/α − 1, Stirling's series turns it
  // into α·log1pmx(u) − log1p(u) − ½ log α − ½ log 2π − corr(α) + log β, free of the 1e5-sized terms that cancel.
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      const beta = this.rate;
      const xs = tf.relu(x);
      const direct = tf.sub(tf.add(tf.mul(a, tf.log(beta)), xlogy(tf.sub(a, 1), xs)), tf.add(tf.mul(beta, xs), lgamma(a)));
      const large = tf.greaterEqual(a, STIRLING_FROM);
      const aL = tf.maximum(a, STIRLING_FROM);
      const positive = tf.greater(x, 0);
      const useStirling = tf.logicalAnd(large, positive);
      // Outside its branch the Stirling form sees u = 0, so its gradient is finite (0·∞ would be NaN).
      const y = tf.where(useStirling, tf.mul(beta, x), aL);
      const u = tf.sub(tf.div(y, aL), 1);
      const stirling = tf.add(
        tf.sub(tf.sub(tf.mul(aL, log1pmx(u)), log1p(u)), tf.add(tf.mul(0.5, tf.log(aL)), HALF_LOG_TWO_PI)),
        tf.sub(tf.log(beta), stirlingCorrection(aL)),
      );
      const shape = broadcast(this.name, direct.shape, stirling.shape);
      const value = tf.where(tf.broadcastTo(useStirling, shape), tf.broadcastTo(stirling, shape), tf.broadcastTo(direct, shape));
      return tf.where(tf.broadcastTo(tf.greaterEqual(x, 0), shape), value, tf.fill(shape, -Infinity));
    });
  }

  /** P(α, βx), evaluated in float64 on the host by @stdlib (not differentiable). */
  override cdf(x: tf.Tensor): tf.Tensor {
    return hostBinary(x, this.concentration, this.rate, (xi, a, b) => (xi <= 0 ? 0 : regularizedGammaP(a, b * xi)));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    return hostBinary(x, this.concentration, this.rate, (xi, a, b) => (xi <= 0 ? -Infinity : Math.log(regularizedGammaP(a, b * xi))));
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    return hostBinary(x, this.concentration, this.rate, (xi, a, b) => (xi <= 0 ? 1 : regularizedGammaQ(a, b * xi)));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    return hostBinary(x, this.concentration, this.rate, (xi, a, b) => (xi <= 0 ? 0 : Math.log(regularizedGammaQ(a, b * xi))));
  }

  /**
   * The quantile by numeric inversion on the host (@stdlib gammaincinv, float64, Newton-polished for α > 500), differentiable: dx/dp = 1/p(x)
   * and dx/dα by implicit reparameterization, −(∂P/∂α)/p (Figurnov et al. 2018, eq. 6).
   */
  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const shape = broadcast(this.name, p.shape, this.batchShape);
      return tf.div(standardGammaQuantile(tf.broadcastTo(p, shape), tf.broadcastTo(this.concentration, shape)), this.rate);
    });
  }

  /** α − log β + lgamma(α) + (1 − α)ψ(α), in float64 on the host (not differentiable). */
  override entropy(): tf.Tensor {
    return hostBinary(this.concentration, this.concentration, this.rate, (_x, a, b) => a - Math.log(b) + lgammaScalar(a) + (1 - a) * digamma(a));
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.div(this.concentration, this.rate), [...this.batchShape]));
  }

  variance(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.div(this.concentration, tf.square(this.rate)), [...this.batchShape]));
  }
}

/** z = P⁻¹(p; α) for Gamma(α, 1), with gradients in p and α (implicit reparameterization). */
function standardGammaQuantile(p: tf.Tensor, alpha: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [pIn, aIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const ps = pIn.dataSync();
    const as = aIn.dataSync();
    const z = new Float32Array(ps.length);
    for (let i = 0; i < z.length; i++) {
      const pi = ps[i] ?? Number.NaN;
      const ai = as[i] ?? Number.NaN;
      z[i] = gammaQuantileScalar(pi, ai);
    }
    const value = tf.tensor(z, pIn.shape, "float32");
    save([aIn, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [aS, zS] = saved as [tf.Tensor, tf.Tensor];
        const av = aS.dataSync();
        const zv = zS.dataSync();
        const dp = new Float32Array(zv.length);
        const da = new Float32Array(zv.length);
        for (let i = 0; i < zv.length; i++) {
          const zi = zv[i] ?? 0;
          const ai = av[i] ?? 1;
          dp[i] = zi > 0 && Number.isFinite(zi) ? Math.exp(-standardGammaLogPdf(zi, ai)) : 0;
          da[i] = Number.isFinite(zi) ? standardGammaSampleGradient(zi, ai) : 0;
        }
        return [tf.mul(dy, tf.tensor(dp, aS.shape, "float32")), tf.mul(dy, tf.tensor(da, aS.shape, "float32"))];
      },
    };
  });
  return op(p, alpha);
}

/** Applies a float64 host function elementwise over broadcast tensors. */
export function hostBinary(x: tf.Tensor, p: tf.Tensor, q: tf.Tensor, f: (x: number, p: number, q: number) => number): tf.Tensor {
  return tf.tidy(() => {
    const shape = broadcastShapes("cdf", x.shape, p.shape, q.shape);
    const xs = tf.broadcastTo(x, shape).dataSync();
    const ps = tf.broadcastTo(p, shape).dataSync();
    const qs = tf.broadcastTo(q, shape).dataSync();
    const out = new Float32Array(xs.length);
    for (let i = 0; i < out.length; i++) out[i] = f(xs[i] ?? 0, ps[i] ?? 1, qs[i] ?? 1);
    return tf.tensor(out, shape, "float32");
  });
}

/**
 * dz/da and dz/db for z ~ Beta(a, b) by implicit reparameterization: −(∂I_z(a, b)/∂·)/p(z).
 */
export function betaSampleGradient(z: number, a: number, b: number): { da: number; db: number } {
  if (!(z > 0 && z < 1)) return { da: 0, db: 0 };
  const density = Math.exp((a - 1) * Math.log(z) + (b - 1) * Math.log1p(-z) - lbetaScalar(a, b));
  const { da, db } = regularizedBetaDerivatives(z, a, b);
  return { da: -da / density, db: -db / density };
}

function betaWithGradient(a: tf.Tensor, b: tf.Tensor, seed: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [aIn, bIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const av = aIn.dataSync();
    const bv = bIn.dataSync();
    const rng = createRng(seed);
    const z = new Float32Array(av.length);
    for (let i = 0; i < z.length; i++) {
      // Beta = Gₐ / (Gₐ + G_b); clamp into the open interval so log-densities stay finite.
      const ga = sampleStandardGamma(av[i] ?? 1, rng);
      const gb = sampleStandardGamma(bv[i] ?? 1, rng);
      z[i] = Math.min(Math.max(ga / (ga + gb), 1e-7), 1 - 1e-7);
    }
    const value = tf.tensor(z, aIn.shape, "float32");
    save([aIn, bIn, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [aS, bS, zS] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const as = aS.dataSync();
        const bs = bS.dataSync();
        const zs = zS.dataSync();
        const ga = new Float32Array(zs.length);
        const gb = new Float32Array(zs.length);
        for (let i = 0; i < zs.length; i++) {
          const g = betaSampleGradient(zs[i] ?? 0.5, as[i] ?? 1, bs[i] ?? 1);
          ga[i] = g.da;
          gb[i] = g.db;
        }
        return [tf.mul(dy, tf.tensor(ga, aS.shape, "float32")), tf.mul(dy, tf.tensor(gb, bS.shape, "float32"))];
      },
    };
  });
  return op(a, b);
}

/** x = I⁻¹(p; a, b), with dx/dp = 1/p(x) and dx/da, dx/db by implicit reparameterization. */
function betaQuantile(p: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [pIn, aIn, bIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const ps = pIn.dataSync();
    const as = aIn.dataSync();
    const bs = bIn.dataSync();
    const z = new Float32Array(ps.length);
    const betaincinv = libraries.get("betaincinv");
    for (let i = 0; i < z.length; i++) {
      const pi = ps[i] ?? Number.NaN;
      const ai = as[i] ?? Number.NaN;
      const bi = bs[i] ?? Number.NaN;
      z[i] = pi <= 0 ? 0 : pi >= 1 ? 1 : pi > 0.5 ? betaincinv(1 - pi, ai, bi, true) : betaincinv(pi, ai, bi, false);
    }
    const value = tf.tensor(z, pIn.shape, "float32");
    save([aIn, bIn, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [aS, bS, zS] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const av = aS.dataSync();
        const bv = bS.dataSync();
        const zv = zS.dataSync();
        const dp = new Float32Array(zv.length);
        const da = new Float32Array(zv.length);
        const db = new Float32Array(zv.length);
        for (let i = 0; i < zv.length; i++) {
          const zi = zv[i] ?? 0.5;
          const ai = av[i] ?? 1;
          const bi = bv[i] ?? 1;
          if (!(zi > 0 && zi < 1)) continue;
          dp[i] = Math.exp(lbetaScalar(ai, bi) - (ai - 1) * Math.log(zi) - (bi - 1) * Math.log1p(-zi));
          const g = betaSampleGradient(zi, ai, bi);
          da[i] = g.da;
          db[i] = g.db;
        }
        const grad = (g: Float32Array): tf.Tensor => tf.mul(dy, tf.tensor(g, aS.shape, "float32"));
        return [grad(dp), grad(da), grad(db)];
      },
    };
  });
  return op(p, a, b);
}

/** Beta(concentration1 = a, concentration0 = b); samples carry implicit reparameterization gradients. */
export class Beta extends Distribution {
  readonly name = "Beta";
  readonly reparameterized = true;
  readonly eventShape: readonly number[] = [];
  readonly concentration1: tf.Tensor;
  readonly concentration0: tf.Tensor;
  readonly batchShape: readonly number[];

  constructor(params: { concentration1: TensorLike; concentration0: TensorLike }, options?: DistributionOptions) {
    super(options);
    this.concentration1 = this.param("concentration1", params.concentration1, POSITIVE);
    this.concentration0 = this.param("concentration0", params.concentration0, POSITIVE);
    this.batchShape = broadcastShapes(this.name, this.concentration1.shape, this.concentration0.shape);
  }

  override readonly hasCdf: boolean = true;

  sample(sampleShape: SampleShape, seed: number): tf.Tensor {
    const shape = [...normalizeSampleShape(sampleShape), ...this.batchShape];
    return tf.tidy(() =>
      betaWithGradient(tf.broadcastTo(this.concentration1, shape), tf.broadcastTo(this.concentration0, shape), seed),
    );
  }

  // (a − 1) log x + (b − 1) log(1 − x) − log B(a, b) on [0, 1], 0·log 0 = 0 at the endpoints (TFP, SciPy).
  // For a, b ≥ 10, with μ = a/n, u = x/μ − 1, v = (1 − x)/(1 − μ) − 1 (so a·u + b·v = 0), Stirling's series
  // gives a·log1pmx(u) + b·log1pmx(v) − log x − log(1 − x) + ½ log(ab/n) − ½ log 2π − corr(a) − corr(b) + corr(n).
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration1;
      const b = this.concentration0;
      const xs = tf.clipByValue(x, 0, 1);
      const direct = tf.sub(tf.add(xlogy(tf.sub(a, 1), xs), xlog1py(tf.sub(b, 1), tf.neg(xs))), lbeta(a, b));
      const interior = tf.logicalAnd(tf.greater(x, 0), tf.less(x, 1));
      const large = tf.logicalAnd(tf.greaterEqual(a, STIRLING_FROM), tf.greaterEqual(b, STIRLING_FROM));
      const aL = tf.maximum(a, STIRLING_FROM);
      const bL = tf.maximum(b, STIRLING_FROM);
      const n = tf.add(aL, bL);
      const useStirling = tf.logicalAnd(large, interior);
      // Outside its branch the Stirling form sees x = μ (u = v = 0), so its gradient is finite.
      const xi = tf.where(useStirling, x, tf.div(aL, n));
      const u = tf.sub(tf.div(tf.mul(xi, n), aL), 1);
      const v = tf.sub(tf.div(tf.mul(tf.sub(1, xi), n), bL), 1);
      const stirling = tf.sub(
        tf.add(
          tf.add(tf.mul(aL, log1pmx(u)), tf.mul(bL, log1pmx(v))),
          tf.mul(0.5, tf.sub(tf.add(tf.log(aL), tf.log(bL)), tf.log(n))),
        ),
        tf.add(
          tf.add(tf.log(xi), log1p(tf.neg(xi))),
          tf.add(HALF_LOG_TWO_PI, tf.sub(tf.add(stirlingCorrection(aL), stirlingCorrection(bL)), stirlingCorrection(n))),
        ),
      );
      const shape = broadcast(this.name, direct.shape, stirling.shape);
      const value = tf.where(tf.broadcastTo(useStirling, shape), tf.broadcastTo(stirling, shape), tf.broadcastTo(direct, shape));
      const inside = tf.logicalAnd(tf.greaterEqual(x, 0), tf.lessEqual(x, 1));
      return tf.where(tf.broadcastTo(inside, shape), value, tf.fill(shape, -Infinity));
    });
  }

  /** I_x(a, b), evaluated in float64 on the host by @stdlib (not differentiable). */
  override cdf(x: tf.Tensor): tf.Tensor {
    const betainc = libraries.get("betainc");
    return hostBinary(x, this.concentration1, this.concentration0, (xi, a, b) => (xi <= 0 ? 0 : xi >= 1 ? 1 : betainc(xi, a, b, true, false)));
  }

  override logCdf(x: tf.Tensor): tf.Tensor {
    const betainc = libraries.get("betainc");
    return hostBinary(x, this.concentration1, this.concentration0, (xi, a, b) =>
      xi <= 0 ? -Infinity : xi >= 1 ? 0 : Math.log(betainc(xi, a, b, true, false)),
    );
  }

  override survivalFunction(x: tf.Tensor): tf.Tensor {
    const betainc = libraries.get("betainc");
    return hostBinary(x, this.concentration1, this.concentration0, (xi, a, b) => (xi <= 0 ? 1 : xi >= 1 ? 0 : betainc(xi, a, b, true, true)));
  }

  override logSurvivalFunction(x: tf.Tensor): tf.Tensor {
    const betainc = libraries.get("betainc");
    return hostBinary(x, this.concentration1, this.concentration0, (xi, a, b) =>
      xi <= 0 ? 0 : xi >= 1 ? -Infinity : Math.log(betainc(xi, a, b, true, true)),
    );
  }

  /** The quantile by numeric inversion (@stdlib betaincinv, float64), with implicit reparameterization gradients. */
  override icdf(p: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const shape = broadcast(this.name, p.shape, this.batchShape);
      return betaQuantile(tf.broadcastTo(p, shape), tf.broadcastTo(this.concentration1, shape), tf.broadcastTo(this.concentration0, shape));
    });
  }

  /** log B(a, b) − (a − 1)ψ(a) − (b − 1)ψ(b) + (a + b − 2)ψ(a + b), in float64 on the host (not differentiable). */
  override entropy(): tf.Tensor {
    return hostBinary(this.concentration1, this.concentration1, this.concentration0, (_x, a, b) =>
      lbetaScalar(a, b) - (a - 1) * digamma(a) - (b - 1) * digamma(b) + (a + b - 2) * digamma(a + b),
    );
  }

  mean(): tf.Tensor {
    return tf.tidy(() =>
      tf.broadcastTo(tf.div(this.concentration1, tf.add(this.concentration1, this.concentration0)), [...this.batchShape]),
    );
  }

  variance(): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration1;
      const b = this.concentration0;
      const total = tf.add(a, b);
      return tf.broadcastTo(tf.div(tf.mul(a, b), tf.mul(tf.square(total), tf.add(total, 1))), [...this.batchShape]);
    });
  }
}
