import * as tf from "@tensorflow/tfjs-core";

import { type Rng, createRng } from "@dl/tensor-core";

import { lbeta, lgamma } from "../special/ops.js";
import {
  lbetaScalar,
  lgammaScalar,
  regularizedBeta,
  regularizedBetaDerivatives,
  regularizedGammaP,
  regularizedGammaPDerivativeA,
} from "../special/scalar.js";
import {
  Distribution,
  type DistributionOptions,
  POSITIVE,
  type SampleShape,
  type TensorLike,
  broadcastShapes,
  normalizeSampleShape,
} from "./distribution.js";

/** One Gamma(α, 1) draw: Marsaglia & Tsang (2000), boosted by U^(1/α) for α < 1. */
export function sampleStandardGamma(alpha: number, rng: Rng): number {
  if (alpha < 1) {
    let u = rng.next();
    while (u === 0) u = rng.next();
    return sampleStandardGamma(alpha + 1, rng) * Math.pow(u, 1 / alpha);
  }
  const d = alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u > 0 && Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

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
function standardGammaWithGradient(alpha: tf.Tensor, seed: number): tf.Tensor {
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

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration;
      const value = tf.sub(
        tf.add(tf.mul(a, tf.log(this.rate)), tf.mul(tf.sub(a, 1), tf.log(x))),
        tf.add(tf.mul(this.rate, x), lgamma(a)),
      );
      const shape = value.shape;
      return tf.where(tf.broadcastTo(tf.greater(x, 0), shape), value, tf.fill(shape, -Infinity));
    });
  }

  /** P(α, βx), evaluated in float64 on the host (not differentiable). */
  override cdf(x: tf.Tensor): tf.Tensor {
    return hostBinary(x, this.concentration, this.rate, (xi, a, b) => regularizedGammaP(a, b * xi));
  }

  mean(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.div(this.concentration, this.rate), [...this.batchShape]));
  }

  variance(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.div(this.concentration, tf.square(this.rate)), [...this.batchShape]));
  }
}

/** Applies a float64 host function elementwise over broadcast tensors. */
function hostBinary(x: tf.Tensor, p: tf.Tensor, q: tf.Tensor, f: (x: number, p: number, q: number) => number): tf.Tensor {
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

  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.concentration1;
      const b = this.concentration0;
      const value = tf.sub(
        tf.add(tf.mul(tf.sub(a, 1), tf.log(x)), tf.mul(tf.sub(b, 1), tf.log1p(tf.neg(x)))),
        lbeta(a, b),
      );
      const shape = value.shape;
      const inside = tf.logicalAnd(tf.greater(x, 0), tf.less(x, 1));
      return tf.where(tf.broadcastTo(inside, shape), value, tf.fill(shape, -Infinity));
    });
  }

  /** I_x(a, b), evaluated in float64 on the host (not differentiable). */
  override cdf(x: tf.Tensor): tf.Tensor {
    return hostBinary(x, this.concentration1, this.concentration0, (xi, a, b) => regularizedBeta(xi, a, b));
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
