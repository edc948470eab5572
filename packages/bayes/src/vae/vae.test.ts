import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { MultivariateNormalDiag, MultivariateNormalTriL } from "../distributions/multivariate.js";
import { createFamily, parseVaeFamily } from "./families.js";
import { Vae, decodeRows, elboPerImage, encodeRows, iwaeLogLikelihood, refineLocal, trainVae } from "./vae.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

function take(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

describe("variational families: log q(z) is the density of the z they produce", () => {
  it("diag and full match MultivariateNormalDiag / TriL logProb at the sampled z", () => {
    const d = 3;
    const before = tf.memory().numTensors;
    const eps = tf.randomNormal([4, 2, d], 0, 1, "float32", 1);
    const diag = createFamily("diag", d);
    const lambdaDiag = tf.tensor2d([
      [0.1, -0.4, 1, 0.2, -0.3, 0.5],
      [2, 0, -1, -1, 0.1, 0],
    ]);
    const sd = diag.sampleAndLogQ(lambdaDiag, eps);
    const ref = tf.tidy(() => {
      const [mu, logS] = tf.split(lambdaDiag, 2, -1) as [tf.Tensor, tf.Tensor];
      return new MultivariateNormalDiag({ loc: mu, scaleDiag: tf.exp(logS) }).logProb(sd.z);
    });
    const a = take(sd.logQ);
    take(ref).forEach((v, i) => expect(a[i]).toBeCloseTo(v, 4));
    sd.z.dispose();

    const full = createFamily("full", d);
    expect(full.paramCount).toBe(9);
    const lambdaFull = tf.tensor2d([
      [0.1, -0.4, 1, 0.2, -0.3, 0.5, 0.7, -1.2, 0.4],
      [2, 0, -1, -1, 0.1, 0, 0, 0.3, 2],
    ]);
    const sf = full.sampleAndLogQ(lambdaFull, eps);
    const refFull = tf.tidy(() => {
      // L from λ by hand: rows (1,0), (2,0), (2,1) hold the strictly-lower entries in order.
      const rows = [
        [0.1, -0.4, 1, 0.2, -0.3, 0.5, 0.7, -1.2, 0.4],
        [2, 0, -1, -1, 0.1, 0, 0, 0.3, 2],
      ].map((l) => {
        const diagL = [Math.exp(l[3] ?? 0), Math.exp(l[4] ?? 0), Math.exp(l[5] ?? 0)];
        return [
          [diagL[0] ?? 0, 0, 0],
          [l[6] ?? 0, diagL[1] ?? 0, 0],
          [l[7] ?? 0, l[8] ?? 0, diagL[2] ?? 0],
        ];
      });
      const q = new MultivariateNormalTriL({ loc: tf.slice(lambdaFull, [0, 0], [-1, 3]), scaleTril: tf.tensor3d(rows) });
      return q.logProb(sf.z);
    });
    const b = take(sf.logQ);
    take(refFull).forEach((v, i) => expect(b[i]).toBeCloseTo(v, 3));
    sf.z.dispose();
    [eps, lambdaDiag, lambdaFull].forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before + 1); // the full family's placement matrix
  });

  it("planar: log q falls by the planar log-determinants (checked with a 1-layer flow and a numeric Jacobian)", () => {
    const planar = createFamily("planar", 2, { flowLayers: 1 });
    expect(planar.paramCount).toBe(4 + 5);
    const lambda = tf.tensor2d([[0.3, -0.2, 0.1, -0.5, 1.2, -0.7, 0.4, 0.9, 0.25]]);
    const epsValue = [0.4, -1.1];
    const eps = tf.tensor3d([[epsValue]]);
    const { z, logQ } = planar.sampleAndLogQ(lambda, eps);
    // Float64 reference: z₀ = μ + σε, then z = z₀ + û tanh(wᵀz₀ + b).
    const [mu1, mu2, ls1, ls2, w1, w2, u1, u2, bias] = [0.3, -0.2, 0.1, -0.5, 1.2, -0.7, 0.4, 0.9, 0.25];
    const wu = w1 * u1 + w2 * u2;
    const alpha = (Math.log1p(Math.exp(wu)) - 1 - wu) / (w1 * w1 + w2 * w2);
    const uh = [u1 + alpha * w1, u2 + alpha * w2];
    const f = (e: number[]): number[] => {
      const z0 = [mu1 + Math.exp(ls1) * (e[0] ?? 0), mu2 + Math.exp(ls2) * (e[1] ?? 0)];
      const h = Math.tanh(w1 * (z0[0] ?? 0) + w2 * (z0[1] ?? 0) + bias);
      return [(z0[0] ?? 0) + (uh[0] ?? 0) * h, (z0[1] ?? 0) + (uh[1] ?? 0) * h];
    };
    const hStep = 1e-6;
    const J = [0, 1].map((j) => {
      const p = f(epsValue.map((v, i) => (i === j ? v + hStep : v)));
      const m = f(epsValue.map((v, i) => (i === j ? v - hStep : v)));
      return [((p[0] ?? 0) - (m[0] ?? 0)) / (2 * hStep), ((p[1] ?? 0) - (m[1] ?? 0)) / (2 * hStep)];
    });
    const logDet = Math.log(Math.abs((J[0]?.[0] ?? 0) * (J[1]?.[1] ?? 0) - (J[0]?.[1] ?? 0) * (J[1]?.[0] ?? 0)));
    const logNormalEps = -0.5 * ((epsValue[0] ?? 0) ** 2 + (epsValue[1] ?? 0) ** 2) - Math.log(2 * Math.PI);
    expect(take(logQ)[0]).toBeCloseTo(logNormalEps - logDet, 4);
    take(z).forEach((v, i) => expect(v).toBeCloseTo(f(epsValue)[i] ?? NaN, 5));
    lambda.dispose();
    eps.dispose();
  });

  it("rejects unknown families, listing the valid ones", () => {
    expect(() => parseVaeFamily("flow")).toThrow(/Valid families: diag, full or planar/);
  });
});

describe("VAE bounds on a small untrained model", () => {
  it("ELBO ≤ IWAE(k) and IWAE grows with k; refinement raises the ELBO; no leaks", () => {
    const vae = new Vae({ family: "diag", inputDim: 16, latentDim: 2, hidden: 8, encoderHidden: 8, seed: 3 });
    const x = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([20, 16], 0, 1, "float32", 4), 0.5), "float32"));
    const before = tf.memory().numTensors;
    const lambda = tf.tidy(() => vae.encode(x));
    const mean = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    const elbo = mean(elboPerImage(vae, x, lambda, 400, 1));
    const iwae10 = mean(iwaeLogLikelihood(vae, x, lambda, 10, 2));
    const iwae500 = mean(iwaeLogLikelihood(vae, x, lambda, 500, 3));
    expect(elbo).toBeLessThan(iwae10);
    expect(iwae10).toBeLessThan(iwae500);
    const refined = refineLocal(vae, x, lambda, { steps: 60, seed: 5 });
    expect(mean(elboPerImage(vae, x, refined, 400, 1))).toBeGreaterThan(elbo + 0.05);
    refined.dispose();
    lambda.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    vae.dispose();
  });
});

describe("the Gaussian-likelihood VAE on rows", () => {
  it("logJoint is log N(x; dec(z), σ²I) + log N(z; 0, I), and encode/decode rows round-trip the shapes", () => {
    const vae = new Vae({ family: "diag", inputDim: 3, latentDim: 2, hidden: 5, encoderHidden: 5, likelihood: "gaussian", observationScale: 0.5, seed: 3 });
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[0.2, -1, 0.5]]);
    const z = tf.tensor3d([[[0.3, -0.7]]]);
    const mean = take(tf.tidy(() => vae.decode(tf.tensor2d([[0.3, -0.7]]))));
    const sigma = 0.5;
    const xs = [0.2, -1, 0.5];
    let expected = 0;
    xs.forEach((v, i) => (expected += -((v - (mean[i] ?? 0)) ** 2) / (2 * sigma * sigma) - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI)));
    expected += -0.5 * (0.3 ** 2 + 0.7 ** 2) - Math.log(2 * Math.PI);
    expect(take(vae.logJoint(x, z))[0]).toBeCloseTo(expected, 4);
    const codes = encodeRows(vae, new Float32Array([0.2, -1, 0.5, 1, 1, 1]));
    expect(codes.length).toBe(4);
    expect(take(vae.encodeMean(x))).toEqual(Array.from(codes.subarray(0, 2)).map((v) => expect.closeTo(v, 6) as number));
    expect(decodeRows(vae, codes).length).toBe(6);
    x.dispose();
    z.dispose();
    expect(tf.memory().numTensors).toBe(before);
    vae.dispose();
  });

  it("trainVae on rows stops after `steps` and lowers −ELBO on two clusters", async () => {
    const points = new Float32Array(400);
    for (let i = 0; i < 200; i++) points.set(i % 2 === 0 ? [2 + 0.01 * (i % 7), -2] : [-2, 2 - 0.01 * (i % 5)], 2 * i);
    const vae = new Vae({ family: "diag", inputDim: 2, latentDim: 1, hidden: 16, encoderHidden: 16, likelihood: "gaussian", observationScale: 0.3, seed: 1 });
    const before = tf.memory().numTensors;
    const result = await trainVae(vae, { points, count: 200, dim: 2 }, { steps: 300, batchSize: 50, learningRate: 1e-2, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    // 300 steps of 4 batches per epoch are 75 epochs.
    expect(result.history.length).toBe(75);
    expect(result.history.at(-1)?.elbo ?? -Infinity).toBeGreaterThan((result.history[0]?.elbo ?? 0) + 5);
    vae.dispose();
  });
});
