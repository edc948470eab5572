import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend, isDlError } from "@dl/tensor-core";

import { createGan, ganCheckpointState, generate, generateFrom, learningRateFactor, r1Penalty, restoreGan, trainGan, truncatedLatents, type Gan } from "./gan.js";
import { TINY_GAN_CONFIG, tinyGanData } from "../test-utils/tinyGan.js";
import { createDiscriminator, imageGanConfig, type GanConfig } from "./networks.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      saved = artifacts;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } });
    }),
  );
  return tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
}

function weightsOf(gan: Gan): number[] {
  return [...gan.generator.getWeights(), ...gan.discriminator.getWeights(), ...(gan.generatorEma?.getWeights() ?? [])].flatMap((w) => Array.from(w.dataSync()));
}

describe("GAN training loop", () => {
  it.each([
    ["the tiny cGAN", TINY_GAN_CONFIG],
    // The power-iteration vector u of spectral norm and the batch-norm statistics are state a resume must carry.
    ["with spectral norm, conditional batch norm and R1", { ...TINY_GAN_CONFIG, spectralNorm: true, conditionalBatchNorm: true, r1Gamma: 1 }],
    ["with two D updates per G update", { ...TINY_GAN_CONFIG, dSteps: 2 }],
  ])("resuming from a checkpoint reproduces an uninterrupted run exactly (%s)", async (_name, config) => {
    const data = tinyGanData();
    const straight = createGan(config, 9);
    await trainGan(straight, data, { epochs: 2 });
    const expected = weightsOf(straight);
    straight.dispose();

    const first = createGan(config, 9);
    await trainGan(first, data, { epochs: 1 });
    const state = JSON.parse(JSON.stringify(ganCheckpointState(first), (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v))) as ReturnType<typeof ganCheckpointState>;
    state.gOptimizer.m = state.gOptimizer.m.map((a) => Float32Array.from(a));
    state.gOptimizer.v = state.gOptimizer.v.map((a) => Float32Array.from(a));
    state.dOptimizer.m = state.dOptimizer.m.map((a) => Float32Array.from(a));
    state.dOptimizer.v = state.dOptimizer.v.map((a) => Float32Array.from(a));
    expect(first.generatorEma).toBeDefined();
    const resumed = restoreGan(state, await roundTrip(first.generator), await roundTrip(first.discriminator), await roundTrip(first.generatorEma as tfl.LayersModel));
    first.dispose();
    expect(resumed.epoch).toBe(1);
    await trainGan(resumed, data, { epochs: 2 });
    const got = weightsOf(resumed);
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2]);
    resumed.dispose();
    expect(got.length).toBe(expected.length);
    expect(Math.max(...got.map((v, i) => Math.abs(v - (expected[i] as number))))).toBeLessThan(1e-6);
  });

  it.each([
    ["the conv generator (nearest upsampling, conditional batch norm per channel)", { convGenerator: { channels: [4, 2], upsample: "nearest" as const } }],
    ["the conv generator (transposed convolutions)", { convGenerator: { channels: [4, 2], upsample: "transposed" as const } }],
    ["the MLP G with a residual refinement", { gRefineChannels: 2 }],
    // Lazy R1 counts D's updates over the whole run: 3 steps per epoch put the penalised updates (0, 2, 4) across the resume.
    ["the conv G beside a conv D, lazy R1 every 2nd D update", { convGenerator: { channels: [4, 2], upsample: "transposed" as const }, convDiscriminator: { channels: [2, 3] }, r1Interval: 2 }],
    // Of 2 × 3 steps, 3–5 (and 2, at 1.8 → 2: factor 1 − 0.9 · 0.2 / 4.2) are decayed: the resume after step 2 is inside the decay.
    ["the learning rates decayed from 30 % of the run to a tenth", { learningRateDecay: { start: 0.3, final: 0.1 } }],
  ] satisfies [string, Partial<GanConfig>][])("resuming an image GAN with %s reproduces an uninterrupted run exactly, leak-free", async (_name, extra) => {
    // 48 labelled 4 × 4 images in [−1, 1]: label k is a bright row k with noise (seed 7); cbn-r1 with an MLP D.
    const config: GanConfig = { ...imageGanConfig("mlp", true, "cbn-r1"), dataShape: [4, 4, 1], hidden: [8], latentDim: 3, numClasses: 3, labelEmbedding: 2, batchSize: 8, ...extra };
    const rng = createRng(7);
    const count = 48;
    const labels = Int32Array.from({ length: count }, (_, i) => i % 3);
    const points = Float32Array.from({ length: count * 16 }, (_, i) => (Math.floor((i % 16) / 4) === labels[Math.floor(i / 16)] ? 0.8 : -0.8) + 0.1 * rng.normal());
    const data = { points, labels, count };
    const before = tf.memory().numTensors;
    const straight = createGan(config, 9);
    await trainGan(straight, data, { epochs: 2, stepsPerEpoch: 3 });
    const expected = weightsOf(straight);
    straight.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // Interrupted after its first epoch, as a killed `dl gan train --epochs 2` is (a decay's schedule spans the 2 epochs asked for).
    const first = createGan(config, 9);
    const stop = new AbortController();
    await expect(trainGan(first, data, { epochs: 2, stepsPerEpoch: 3, signal: stop.signal, onEpoch: () => stop.abort() })).rejects.toThrow();
    expect(first.epoch).toBe(1);
    const resumed = restoreGan(ganCheckpointState(first), await roundTrip(first.generator), await roundTrip(first.discriminator), await roundTrip(first.generatorEma as tfl.LayersModel));
    first.dispose();
    await trainGan(resumed, data, { epochs: 2, stepsPerEpoch: 3 });
    const got = weightsOf(resumed);
    const images = generate(resumed, 3, { labels: [0, 1, 2], seed: 1 });
    expect(images.length).toBe(3 * 16);
    resumed.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(got.length).toBe(expected.length);
    expect(Math.max(...got.map((v, i) => Math.abs(v - (expected[i] as number))))).toBeLessThan(1e-6);
    // Training moved the weights (the comparison above is not of two untouched copies).
    const initial = createGan(config, 9);
    const start = weightsOf(initial);
    initial.dispose();
    expect(Math.max(...got.map((v, i) => Math.abs(v - (start[i] as number))))).toBeGreaterThan(1e-3);
  });

  it("a checkpoint from another architecture is rejected", () => {
    const a = createGan(TINY_GAN_CONFIG, 1);
    const other = createGan({ ...TINY_GAN_CONFIG, hidden: [12] }, 1);
    let error: unknown;
    try {
      restoreGan(ganCheckpointState(a), other.generator, other.discriminator);
    } catch (e) {
      error = e;
    }
    expect(isDlError(error, "SHAPE_MISMATCH")).toBe(true);
    a.dispose();
    other.dispose();
  });

  it("same seed, same samples; training and generation leave no tensors", async () => {
    const before = tf.memory().numTensors;
    const gan = createGan(TINY_GAN_CONFIG, 4);
    const afterCreate = tf.memory().numTensors;
    await trainGan(gan, tinyGanData(), { epochs: 1 });
    const a = generate(gan, 5, { labels: [0, 1, 2, 0, 1], seed: 3 });
    const b = generate(gan, 5, { labels: [0, 1, 2, 0, 1], seed: 3 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(tf.memory().numTensors).toBe(afterCreate);
    expect(() => generate(gan, 2, { labels: [0, 7] })).toThrow(/Unknown label 7/);
    gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the conditional DCGAN trains on wasm (Conv2DTranspose and conv gradients) and makes 28×28 images", async () => {
    const dc = createGan({ ...imageGanConfig("dcgan", true), batchSize: 8 }, 2);
    const count = 16;
    const rng = createRng(5);
    const points = Float32Array.from({ length: count * 784 }, () => rng.next() * 2 - 1);
    const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
    const [record] = await trainGan(dc, { points, labels, count }, { epochs: 1, stepsPerEpoch: 2 });
    expect(Number.isFinite(record?.dLoss)).toBe(true);
    expect(Number.isFinite(record?.gLoss)).toBe(true);
    const images = generate(dc, 3, { labels: [1, 2, 3], seed: 1 });
    expect(images.length).toBe(3 * 784);
    expect(images.every((v) => v >= -1 && v <= 1)).toBe(true);
    dc.dispose();
  }, 60_000);
});

describe("several D updates per G update (dSteps)", () => {
  it("takes dSteps Adam steps of D per step of G on fresh real batches, counts G's steps, and leaks nothing", async () => {
    const data = tinyGanData();
    const before = tf.memory().numTensors;
    const gan = createGan({ ...TINY_GAN_CONFIG, dSteps: 3 }, 6);
    const afterCreate = tf.memory().numTensors;
    const [record] = await trainGan(gan, data, { epochs: 1, stepsPerEpoch: 2 });
    expect(gan.step).toBe(2);
    expect(gan.gOptimizer.getState().step).toBe(2);
    expect(gan.dOptimizer.getState().step).toBe(6);
    // D's figures are means over its updates: probabilities stay probabilities.
    expect(record?.dReal).toBeGreaterThan(0);
    expect(record?.dReal).toBeLessThan(1);
    expect(Number.isFinite(record?.gLoss)).toBe(true);
    expect(tf.memory().numTensors).toBe(afterCreate);
    gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("with G frozen, D's loss falls faster with more D updates per step (the same G steps, more descent on D)", async () => {
    const dLossAfter = async (dSteps: number): Promise<number> => {
      const gan = createGan({ ...TINY_GAN_CONFIG, dSteps }, 8);
      gan.gOptimizer.learningRate = 0;
      gan.dOptimizer.learningRate = 3e-3;
      const records = await trainGan(gan, tinyGanData(), { epochs: 2, stepsPerEpoch: 6 });
      gan.dispose();
      return records.at(-1)?.dLoss ?? Number.NaN;
    };
    const one = await dLossAfter(1);
    const four = await dLossAfter(4);
    expect(four).toBeLessThan(one - 0.05);
  });

  it("refuses a dSteps that is not a whole number ≥ 1 in one line", async () => {
    const gan = createGan({ ...TINY_GAN_CONFIG, dSteps: 0 }, 1);
    await expect(trainGan(gan, tinyGanData(), { epochs: 1, stepsPerEpoch: 1 })).rejects.toThrow(/dSteps .* must be a whole number ≥ 1, got 0/);
    gan.dispose();
  });
});

describe("the D step's single pass over real and generated batches", () => {
  // trainGan feeds D both halves at once; that equals two passes only where D couples no rows across the halves.
  const logitsOf = (d: tfl.LayersModel, inputs: () => [tf.Tensor, tf.Tensor]): Float32Array => tf.tidy(() => (d.apply(inputs(), { training: true }) as tf.Tensor).dataSync() as Float32Array);

  it("gives each row the logit D gives it in its own half (no batch statistics; packs do not straddle)", () => {
    const before = tf.memory().numTensors;
    const gan = createGan({ ...TINY_GAN_CONFIG, pack: 2 }, 5);
    const x = tf.randomNormal([16, 6], 0, 1, "float32", 1);
    const y = tf.tensor2d(Array.from({ length: 16 }, (_, i) => i % 3), [8, 2]);
    const both = logitsOf(gan.discriminator, () => [tf.reshape(x, [8, 12]), y]);
    const first = logitsOf(gan.discriminator, () => [tf.reshape(tf.slice(x, 0, 8), [4, 12]), tf.slice(y, 0, 4)]);
    const second = logitsOf(gan.discriminator, () => [tf.reshape(tf.slice(x, 8, 8), [4, 12]), tf.slice(y, 4, 4)]);
    [...first, ...second].forEach((v, i) => expect(both[i]).toBeCloseTo(v, 5));
    tf.dispose([x, y]);
    gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the two-pass path (a minibatch-std D on a batch its groups do not divide) trains to finite losses and probabilities", async () => {
    const gan = createGan({ ...TINY_GAN_CONFIG, minibatchStdGroup: 4, batchSize: 6 }, 5);
    const [record] = await trainGan(gan, tinyGanData(), { epochs: 1, stepsPerEpoch: 2 });
    expect(Number.isFinite(record?.dLoss)).toBe(true);
    expect(record?.dReal).toBeGreaterThan(0);
    expect(record?.dReal).toBeLessThan(1);
    gan.dispose();
  });
});

/**
 * R1 of discriminator `d` on the batch `xs` (shape `shape`, batch first) against independent finite differences: its
 * value against central differences of D's summed logit in each input coordinate (float64 arithmetic on float32
 * logits), and its gradient in `layerName`'s kernel (a gradient of a gradient) at `indices` against central
 * differences of R1 itself. Leaves D's weights and the tensor count as it found them.
 */
function expectR1MatchesFiniteDifferences(d: tfl.LayersModel, xs: number[], shape: number[], layerName: string, indices: number[]): void {
  const before = tf.memory().numTensors;
  const batch = shape[0] as number;
  const penalty = (): number => tf.tidy(() => r1Penalty((x) => d.apply(x) as tf.Tensor, tf.tensor(xs, shape)).dataSync()[0] as number);
  const logitSum = (values: number[]): number => tf.tidy(() => tf.sum(d.apply(tf.tensor(values, shape)) as tf.Tensor).dataSync()[0] as number);
  const eps = 1e-2;
  let squares = 0;
  for (let k = 0; k < xs.length; k++) {
    const up = xs.map((v, j) => (j === k ? v + eps : v));
    const down = xs.map((v, j) => (j === k ? v - eps : v));
    squares += ((logitSum(up) - logitSum(down)) / (2 * eps)) ** 2;
  }
  expect(penalty()).toBeCloseTo(squares / batch, 3);
  const layer = d.getLayer(layerName);
  const [kernel, ...rest] = layer.getWeights();
  if (kernel === undefined) throw new Error(`${layerName} has no kernel`);
  const w = Array.from(kernel.dataSync());
  const { value, grads } = tf.variableGrads(() => r1Penalty((x) => d.apply(x) as tf.Tensor, tf.tensor(xs, shape)), [layer.trainableWeights[0]?.read() as tf.Variable]);
  const analytic = Array.from((Object.values(grads)[0] as tf.Tensor).dataSync());
  tf.dispose([value, ...Object.values(grads)]);
  const at = (values: number[]): number => {
    tf.tidy(() => layer.setWeights([tf.tensor(values, kernel.shape), ...rest]));
    return penalty();
  };
  const h = 1e-3;
  for (const k of indices) {
    const numeric = (at(w.map((v, j) => (j === k ? v + h : v))) - at(w.map((v, j) => (j === k ? v - h : v)))) / (2 * h);
    expect(analytic[k]).toBeCloseTo(numeric, 2);
    expect(Math.abs(analytic[k] as number)).toBeGreaterThan(1e-3);
  }
  at(w);
  expect(tf.memory().numTensors).toBe(before);
}

describe("the R1 penalty (Mescheder et al. 2018, eq. 9)", () => {
  it("is the mean squared norm of ∇ₓD over the real batch, and its gradient in D's weights matches finite differences", () => {
    const config = { ...imageGanConfig("mlp", false), dataShape: [3], hidden: [4], numClasses: 0, projection: false };
    const d = createDiscriminator(config, createRng(12));
    expectR1MatchesFiniteDifferences(d, [0.3, -0.7, 1.1, -0.2, 0.5, 0.9, 1.4, -1.2, 0.05, -0.6, -0.4, 0.8], [4, 3], "d_dense1", [0, 5, 11]);
    d.dispose();
  });
});

describe("the R1 penalty on the conv discriminator (a gradient of a gradient through strided convolutions)", () => {
  it("matches finite differences in its value and in its gradient in the first conv kernel", () => {
    const config = { ...imageGanConfig("mlp", false), dataShape: [4, 4, 1], numClasses: 0, projection: false, convDiscriminator: { channels: [2, 2] as [number, number] } };
    const d = createDiscriminator(config, createRng(12));
    expectR1MatchesFiniteDifferences(d, Array.from({ length: 32 }, (_, i) => Math.sin(0.7 * i + 0.2)), [2, 4, 4, 1], "d_conv1", [5, 10, 21]);
    d.dispose();
  });
});

describe("lazy R1 (r1Interval)", () => {
  const config = { ...TINY_GAN_CONFIG, r1Gamma: 1 };
  const dWeights = (gan: Gan): number[] => gan.discriminator.getWeights().flatMap((w) => Array.from(w.dataSync()));
  const maxGap = (a: number[], b: number[]): number => Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))));

  it("penalises D's updates 0, k, 2k, … with weight k · γ/2 and leaves the others unpenalised", async () => {
    const data = tinyGanData();
    const lazy = createGan({ ...config, r1Interval: 2 }, 3);
    await trainGan(lazy, data, { epochs: 1, stepsPerEpoch: 1 });
    // Update 0 carries the penalty at 2 × γ/2: the same as γ = 2 on every update.
    const heavy = createGan({ ...config, r1Gamma: 2 }, 3);
    await trainGan(heavy, data, { epochs: 1, stepsPerEpoch: 1 });
    expect(maxGap(dWeights(lazy), dWeights(heavy))).toBeLessThan(1e-6);
    // Update 1 carries none: the same as one more update of the γ = 2 run with R1 turned off.
    const state = ganCheckpointState(heavy);
    const off = restoreGan({ ...state, config: { ...state.config, r1Gamma: 0 } }, await roundTrip(heavy.generator), await roundTrip(heavy.discriminator), await roundTrip(heavy.generatorEma as tfl.LayersModel));
    await trainGan(lazy, data, { epochs: 2, stepsPerEpoch: 1 });
    await trainGan(off, data, { epochs: 2, stepsPerEpoch: 1 });
    await trainGan(heavy, data, { epochs: 2, stepsPerEpoch: 1 });
    expect(maxGap(dWeights(lazy), dWeights(off))).toBeLessThan(1e-6);
    // …and not the same as a penalised update (the check above can fail).
    expect(maxGap(dWeights(lazy), dWeights(heavy))).toBeGreaterThan(1e-5);
    [lazy, heavy, off].forEach((g) => g.dispose());
  });

  it("refuses an r1Interval that is not a whole number ≥ 1 in one line", async () => {
    const gan = createGan({ ...config, r1Interval: 0.5 }, 1);
    await expect(trainGan(gan, tinyGanData(), { epochs: 1, stepsPerEpoch: 1 })).rejects.toThrow(/^r1Interval \(D updates per R1 penalty\) must be a whole number ≥ 1 \(1: every update\), got 0\.5\.$/);
    gan.dispose();
  });
});

describe("learning-rate decay at the end of a run (learningRateDecay)", () => {
  it("keeps the rates until start · steps, then falls linearly to final at the last step", () => {
    const decay = { start: 0.5, final: 0.1 };
    // A run of 10 steps: constant through step 5, then 1 − 0.9 · (step − 5) / 5.
    expect([0, 3, 5].map((s) => learningRateFactor(decay, s, 10))).toEqual([1, 1, 1]);
    expect(learningRateFactor(decay, 6, 10)).toBeCloseTo(0.82, 12);
    expect(learningRateFactor(decay, 8, 10)).toBeCloseTo(0.46, 12);
    expect(learningRateFactor(decay, 10, 10)).toBeCloseTo(0.1, 12);
    // From the first step, over 400 steps: step 100 is a quarter of the way from 1 to 0.2.
    expect(learningRateFactor({ start: 0, final: 0.2 }, 100, 400)).toBeCloseTo(0.8, 12);
    expect(learningRateFactor(undefined, 9, 10)).toBe(1);
  });

  it("trains as G and D would with their rates set by hand to the schedule's factor before each step, leak-free", async () => {
    const data = tinyGanData();
    const config = { ...TINY_GAN_CONFIG, dLearningRate: 3 * TINY_GAN_CONFIG.learningRate };
    const decay = { start: 0.4, final: 0.25 };
    const before = tf.memory().numTensors;
    const decayed = createGan({ ...config, learningRateDecay: decay }, 5);
    await trainGan(decayed, data, { epochs: 5, stepsPerEpoch: 1 });
    // By hand, without the field: of 5 steps, 0–2 at the full rates (step 2 = 0.4 · 5), step 3 at 1 − 0.75 · 1/3, step 4 at 1 − 0.75 · 2/3.
    const byHand = createGan(config, 5);
    for (const [epoch, factor] of [1, 1, 1, 0.75, 0.5].entries()) {
      byHand.gOptimizer.learningRate = config.learningRate * factor;
      byHand.dOptimizer.learningRate = config.dLearningRate * factor;
      await trainGan(byHand, data, { epochs: epoch + 1, stepsPerEpoch: 1 });
    }
    const constant = createGan(config, 5);
    await trainGan(constant, data, { epochs: 5, stepsPerEpoch: 1 });
    const [a, b, c] = [decayed, byHand, constant].map(weightsOf) as [number[], number[], number[]];
    expect(Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))))).toBeLessThan(1e-6);
    // …and the decay changed the run (the check above is not of two constant-rate runs).
    expect(Math.max(...a.map((v, i) => Math.abs(v - (c[i] as number))))).toBeGreaterThan(1e-5);
    [decayed, byHand, constant].forEach((g) => g.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it("refuses a schedule outside start ∈ [0, 1), final ∈ [0, 1] in one line", async () => {
    const gan = createGan({ ...TINY_GAN_CONFIG, learningRateDecay: { start: 1, final: 0.1 } }, 1);
    await expect(trainGan(gan, tinyGanData(), { epochs: 1, stepsPerEpoch: 1 })).rejects.toThrow(
      /^learningRateDecay needs start \(fraction of the run's steps before the rates fall\) in \[0, 1\) and final \(fraction of the rates at the end\) in \[0, 1\], got \{"start":1,"final":0\.1\}\.$/,
    );
    gan.dispose();
  });
});

describe("the truncation trick (Brock et al. 2019, §3.1)", () => {
  it("keeps every latent value within ±t with the truncated normal's variance 1 − 2tφ(t)/(2Φ(t) − 1)", () => {
    const t = 1.5;
    const z = truncatedLatents(40_000, t, createRng(3));
    expect(z.every((v) => Math.abs(v) <= t)).toBe(true);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / (z.length - 1);
    // φ(1.5) and Φ(1.5) (standard normal density and CDF, from tables): the truncated variance is 0.55180.
    const phi = Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
    const cdf = 0.9331927987311419;
    const expected = 1 - (2 * t * phi) / (2 * cdf - 1);
    expect(expected).toBeCloseTo(0.5518, 3);
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(expected / z.length));
    expect(Math.abs(variance - expected)).toBeLessThan(0.01);
  });

  it("generates from those codes, the same for the same seed, leak-free; an unusable t is one clear line", () => {
    const gan = createGan(TINY_GAN_CONFIG, 2);
    const labels = Array.from({ length: 20 }, (_, i) => i % 3);
    const before = tf.memory().numTensors;
    const truncated = generate(gan, 20, { seed: 5, labels, truncation: 1.5 });
    expect(Array.from(truncated)).toEqual(Array.from(generateFrom(gan, truncatedLatents(20 * TINY_GAN_CONFIG.latentDim, 1.5, createRng(5)), labels)));
    expect(Array.from(generate(gan, 20, { seed: 5, labels, truncation: 1.5 }))).toEqual(Array.from(truncated));
    // ∞ is the plain N(0, I) path.
    expect(Array.from(generate(gan, 20, { seed: 5, labels, truncation: Infinity }))).toEqual(Array.from(generate(gan, 20, { seed: 5, labels })));
    expect(tf.memory().numTensors).toBe(before);
    for (const bad of [0.2, Number.NaN, -1]) {
      let error: unknown;
      try {
        generate(gan, 3, { seed: 1, labels: [0, 1, 2], truncation: bad });
      } catch (e) {
        error = e;
      }
      expect(isDlError(error) && error.code === "INVALID_ARGUMENT").toBe(true);
      expect((error as Error).message).toMatch(/^The truncation must be a number ≥ 0\.5 .*, got/);
    }
    gan.dispose();
  });
});
