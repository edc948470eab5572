import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend, isDlError, type ImageDataset } from "@dl/tensor-core";

import { createGan, ganCheckpointState, restoreGan, type Gan } from "./gan.js";
import { evaluateGenerator } from "../evaluate/generatorEvaluation.js";
import { assertResumableOn, chooseTruncation, fixedLatentGrid, generateImages, interpolationGrid, scoreDraws, slerp, trainImageGan } from "./imageGan.js";
import { imageGanConfig } from "./networks.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** 32 random 28×28 images with `classes` labels, under a dataset's name. */
function images(name: string, classes = 10): ImageDataset {
  const rng = createRng(5);
  const count = 32;
  return {
    name,
    images: Float32Array.from({ length: count * 784 }, () => rng.next()),
    labels: Int32Array.from({ length: count }, (_, i) => i % classes),
    count,
    height: 28,
    width: 28,
    channels: 1,
    classNames: Array.from({ length: classes }, (_, i) => String(i)),
  };
}

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((artifacts) => ((saved = artifacts), Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }))));
  return tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
}

/** A checkpoint as the CLI writes it (JSON state, saved models) and reads it back. */
async function checkpoint(gan: Gan): Promise<Gan> {
  const state = JSON.parse(JSON.stringify(ganCheckpointState(gan), (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v))) as ReturnType<typeof ganCheckpointState>;
  for (const o of [state.gOptimizer, state.dOptimizer]) {
    o.m = o.m.map((a) => Float32Array.from(a));
    o.v = o.v.map((a) => Float32Array.from(a));
  }
  return restoreGan(state, await roundTrip(gan.generator), await roundTrip(gan.discriminator), gan.generatorEma === undefined ? undefined : await roundTrip(gan.generatorEma));
}

describe("resuming an image GAN", () => {
  it("records the dataset in the checkpoint and refuses another one, naming both, without training a step", async () => {
    const mnist = images("mnist/train");
    const first = await trainImageGan({ train: mnist, conditional: true, epochs: 1, stepsPerEpoch: 1, seed: 3 });
    expect(first.gan.trainedOn).toEqual({ name: "mnist/train", count: 32 });
    expect(ganCheckpointState(first.gan).trainedOn).toEqual({ name: "mnist/train", count: 32 });
    const resumed = await checkpoint(first.gan);
    first.gan.dispose();
    expect(resumed.trainedOn).toEqual({ name: "mnist/train", count: 32 });

    const before = tf.memory().numTensors;
    const weights = resumed.generator.getWeights().map((w) => Array.from(w.dataSync()));
    let error: unknown;
    await trainImageGan({ train: images("fashion-mnist/train"), resume: resumed, epochs: 2, stepsPerEpoch: 1 }).catch((e: unknown) => (error = e));
    expect(isDlError(error, "INVALID_ARGUMENT"), String(error)).toBe(true);
    expect((error as Error).message).toBe("The checkpoint was trained on mnist/train, not fashion-mnist/train: resume with --data mnist, or train fashion-mnist into a new --out.");
    expect(resumed.epoch).toBe(1);
    expect(resumed.generator.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weights);
    expect(tf.memory().numTensors).toBe(before);

    // A conditional GAN on a dataset with another number of labels, under the same name, too.
    expect(() => assertResumableOn(resumed, { name: "mnist/train", classes: 5 })).toThrow(/conditional GAN for 10 labels, but mnist\/train has 5/);

    // The same dataset continues, and the record follows the data actually used.
    const more = await trainImageGan({ train: { ...mnist, count: 16, images: mnist.images.subarray(0, 16 * 784), labels: mnist.labels.subarray(0, 16) }, resume: resumed, epochs: 2, stepsPerEpoch: 1 });
    expect(more.gan.epoch).toBe(2);
    expect(more.gan.trainedOn).toEqual({ name: "mnist/train", count: 16 });
    more.gan.dispose();
  }, 60_000);

  it("accepts a checkpoint written before the dataset was recorded", async () => {
    const first = await trainImageGan({ train: images("mnist/train"), epochs: 1, stepsPerEpoch: 1, seed: 4 });
    delete first.gan.trainedOn;
    const resumed = await checkpoint(first.gan);
    first.gan.dispose();
    expect(resumed.trainedOn).toBeUndefined();
    expect(() => assertResumableOn(resumed, { name: "fashion-mnist/train", classes: 10 })).not.toThrow();
    resumed.dispose();
  }, 60_000);
});

/** Independently of the grids: the sampling generator's own predict on one latent code and label, in [0, 1]. */
function direct(gan: Gan, z: Float32Array, label: number): number[] {
  return tf.tidy(() => Array.from(((gan.generatorEma ?? gan.generator).predict([tf.tensor2d(z, [1, z.length]), tf.tensor2d([label], [1, 1])]) as tf.Tensor).dataSync(), (v) => (v + 1) / 2));
}

/** The largest absolute difference between two images. */
function close(a: ArrayLike<number>, b: readonly number[]): number {
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - (b[i] as number))));
}

describe("z-walks and fixed-z rows", () => {
  it("slerp keeps the endpoints, moves the angle linearly in t and keeps the norm of equal-norm endpoints", () => {
    const z0 = Float32Array.from([3, 0, 0]);
    const z1 = Float32Array.from([0, 3, 0]);
    expect(Array.from(slerp(z0, z1, 0))).toEqual([3, 0, 0]);
    const end = slerp(z0, z1, 1);
    expect(end[0]).toBeCloseTo(0, 6);
    expect(end[1]).toBeCloseTo(3, 6);
    const third = slerp(z0, z1, 1 / 3);
    // At t = 1/3 of a right angle: (3 cos 30°, 3 sin 30°, 0); a straight line would shrink the norm to 2.24.
    expect(third[0]).toBeCloseTo(3 * Math.cos(Math.PI / 6), 5);
    expect(third[1]).toBeCloseTo(3 * Math.sin(Math.PI / 6), 5);
    // Parallel codes: the linear fallback.
    expect(Array.from(slerp(Float32Array.from([1, 1]), Float32Array.from([2, 2]), 0.5))).toEqual([1.5, 1.5]);
  });

  it("a row per label from G(z₀) to G(z₁); a fixed-z row is G(z, 0…9) for one z", () => {
    const gan = createGan(imageGanConfig("mlp", true), 2);
    const before = tf.memory().numTensors;
    const walk = interpolationGrid(gan, { columns: 5, seed: 3 });
    const fixed = fixedLatentGrid(gan, { rows: 2, seed: 4 });
    expect(tf.memory().numTensors).toBe(before);
    expect([walk.count, walk.columns, fixed.count, fixed.columns]).toEqual([50, 5, 20, 10]);
    // Independently: the sampling generator's own predict on the row's z (read back from the endpoints' seed).
    const rng = createRng(3);
    const ends = Float32Array.from({ length: 2 * 10 * 64 }, () => rng.normal());
    const row3 = (c: number): number[] => Array.from(walk.images.subarray((3 * 5 + c) * 784, (3 * 5 + c + 1) * 784));
    expect(close(row3(0), direct(gan, ends.subarray(6 * 64, 7 * 64), 3))).toBeLessThan(1e-5);
    expect(close(row3(4), direct(gan, ends.subarray(7 * 64, 8 * 64), 3))).toBeLessThan(1e-5);
    const zFixed = Float32Array.from({ length: 2 * 64 }, ((r) => () => r.normal())(createRng(4)));
    for (const label of [0, 7]) {
      expect(close(Array.from(fixed.images.subarray((10 + label) * 784, (11 + label) * 784)), direct(gan, zFixed.subarray(64, 128), label))).toBeLessThan(1e-5);
    }
    // The label changes the image along a fixed-z row.
    expect(close(Array.from(fixed.images.subarray(0, 784)), Array.from(fixed.images.subarray(784, 2 * 784)))).toBeGreaterThan(1e-3);
    gan.dispose();
  });

  it("with a truncation t, both grids draw their codes within ±t by rejection, as generate does", () => {
    const gan = createGan(imageGanConfig("mlp", true), 2);
    const t = 0.75;
    const before = tf.memory().numTensors;
    const walk = interpolationGrid(gan, { columns: 3, seed: 3, truncation: t });
    const fixed = fixedLatentGrid(gan, { rows: 2, seed: 4, truncation: t });
    expect(tf.memory().numTensors).toBe(before);
    // Naive reference: redraw each coordinate from the seed's normal stream until it lies within ±t.
    const within = (seed: number, count: number): Float32Array => {
      const rng = createRng(seed);
      return Float32Array.from({ length: count }, () => {
        for (;;) {
          const v = rng.normal();
          if (Math.abs(v) <= t) return v;
        }
      });
    };
    const ends = within(3, 2 * 10 * 64);
    expect(close(walk.images.subarray((5 * 3 + 0) * 784, (5 * 3 + 1) * 784), direct(gan, ends.subarray(10 * 64, 11 * 64), 5))).toBeLessThan(1e-5);
    expect(close(walk.images.subarray((5 * 3 + 2) * 784, (5 * 3 + 3) * 784), direct(gan, ends.subarray(11 * 64, 12 * 64), 5))).toBeLessThan(1e-5);
    const codes = within(4, 2 * 64);
    expect(close(fixed.images.subarray(13 * 784, 14 * 784), direct(gan, codes.subarray(64, 128), 3))).toBeLessThan(1e-5);
    // Not the untruncated draw: the same seed without t gives other images.
    expect(close(fixedLatentGrid(gan, { rows: 2, seed: 4 }).images.subarray(13 * 784, 14 * 784), Array.from(fixed.images.subarray(13 * 784, 14 * 784)))).toBeGreaterThan(1e-3);
    gan.dispose();
  });
});

/** 2×2 images → logits [x₀, x₁]: the class is whichever of the first two pixels is brighter. */
function pixelClassifier(): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [2, 2, 1] }), tfl.layers.dense({ units: 4, name: "features" }), tfl.layers.dense({ units: 2, name: "logits" })] });
  tf.tidy(() => {
    model.getLayer("features").setWeights([tf.eye(4), tf.zeros([4])]);
    model.getLayer("logits").setWeights([tf.tensor2d([1, 0, 0, 1, 0, 0, 0, 0], [4, 2]), tf.zeros([2])]);
  });
  return model;
}

describe("the truncation rule", () => {
  it("picks the largest t whose per-label accuracy, scored by hand from the pixels, reaches the target; else none", async () => {
    const gan = createGan({ ...imageGanConfig("mlp", true), dataShape: [2, 2, 1], numClasses: 2, latentDim: 4, labelEmbedding: 2, hidden: [8] }, 6);
    const classifier = pixelClassifier();
    const rule = { grid: [2, 1, 0.5], samples: 40, seeds: [1, 2] };
    // Independently: per-label accuracy of "brighter of pixels 0 and 1", averaged over labels, then over the draws.
    const byHand = (t: number | null): number => {
      let sum = 0;
      for (const seed of rule.seeds) {
        const { images, labels } = generateImages(gan, rule.samples, seed, undefined, t ?? undefined);
        const hits = [0, 0];
        const totals = [0, 0];
        for (let i = 0; i < rule.samples; i++) {
          const l = labels?.[i] as 0 | 1;
          const predicted = (images[4 * i] as number) >= (images[4 * i + 1] as number) ? 0 : 1;
          totals[l] = (totals[l] as number) + 1;
          if (predicted === l) hits[l] = (hits[l] as number) + 1;
        }
        sum += ((hits[0] as number) / (totals[0] as number) + (hits[1] as number) / (totals[1] as number)) / 2;
      }
      return sum / rule.seeds.length;
    };
    const candidates = [null, ...rule.grid];
    const accuracy = candidates.map(byHand);
    // Truncating helps here (the most accurate t is not the untruncated draw), so some target passes over t = ∞.
    expect(accuracy.indexOf(Math.max(...accuracy))).toBeGreaterThan(0);
    const before = tf.memory().numTensors;
    for (const target of [...new Set(accuracy)]) {
      const choice = await chooseTruncation(gan, classifier, { ...rule, target });
      const first = accuracy.findIndex((a) => a >= target);
      expect(choice).toEqual({ truncation: candidates[first], target, reached: true, tried: candidates.slice(0, first + 1).map((t, i) => ({ truncation: t, accuracy: expect.closeTo(accuracy[i] as number, 10) as number })) });
    }
    const none = await chooseTruncation(gan, classifier, { ...rule, target: 1 });
    expect(Math.max(...accuracy)).toBeLessThan(1);
    expect([none.reached, none.truncation, none.tried.map((r) => r.truncation)]).toEqual([false, null, candidates]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(chooseTruncation(createGan({ ...imageGanConfig("mlp", false), dataShape: [2, 2, 1], hidden: [8] }, 1), classifier)).rejects.toThrow(/needs a conditional GAN/);
    gan.dispose();
    classifier.dispose();
  });

  it("caps its default target (0.975) at the classifier's accuracy on real images, and refuses one outside (0, 1]", async () => {
    const gan = createGan({ ...imageGanConfig("mlp", true), dataShape: [2, 2, 1], numClasses: 2, latentDim: 4, labelEmbedding: 2, hidden: [8] }, 6);
    const classifier = pixelClassifier();
    const rule = { grid: [2, 1, 0.5], samples: 40, seeds: [1, 2] };
    const uncapped = await chooseTruncation(gan, classifier, rule);
    expect(uncapped.target).toBe(0.975);
    // Real images above 0.975 (MNIST's classifier: ≈ 0.986) leave the rule as it was.
    expect(await chooseTruncation(gan, classifier, { ...rule, realAccuracy: 0.986 })).toEqual(uncapped);
    // Below it (Fashion-MNIST's: ≈ 0.906), the target is what real images score: the same choice as that explicit target.
    for (const realAccuracy of [0.4, 0.55, 0.7]) {
      const capped = await chooseTruncation(gan, classifier, { ...rule, realAccuracy });
      expect(capped.target).toBe(realAccuracy);
      expect(capped).toEqual(await chooseTruncation(gan, classifier, { ...rule, target: realAccuracy }));
    }
    // The cap changes the choice on this G (the comparison above is not of two identical rules).
    const picks = await Promise.all([0.4, 0.975].map(async (target) => (await chooseTruncation(gan, classifier, { ...rule, target })).tried.length));
    expect(new Set(picks).size).toBe(2);
    // An explicit target wins over the cap.
    expect((await chooseTruncation(gan, classifier, { ...rule, target: 0.9, realAccuracy: 0.5 })).target).toBe(0.9);
    await expect(chooseTruncation(gan, classifier, { ...rule, realAccuracy: 1.2 })).rejects.toThrow(/^The truncation rule's realAccuracy \(the classifier's accuracy on real images\) must lie in \(0, 1\], got 1\.2\.$/);
    gan.dispose();
    classifier.dispose();
  });
});

describe("scores over several draws of z", () => {
  /** 2n random 2×2 real images, labelled by the brighter of the first two pixels. */
  const real = (n: number): ImageDataset => {
    const rng = createRng(8);
    const pixels = Float32Array.from({ length: 2 * n * 4 }, () => rng.next());
    const labels = Int32Array.from({ length: 2 * n }, (_, i) => ((pixels[4 * i] as number) >= (pixels[4 * i + 1] as number) ? 0 : 1));
    return { name: "toy", images: pixels, labels, count: 2 * n, height: 2, width: 2, channels: 1, classNames: ["left", "right"] };
  };

  it("scores draws 99, 100, … as single evaluations do, with their mean and sample sd; the first is trainImageGan's final draw", async () => {
    const gan = createGan({ ...imageGanConfig("mlp", true), dataShape: [2, 2, 1], numClasses: 2, latentDim: 4, labelEmbedding: 2, hidden: [8] }, 6);
    const classifier = pixelClassifier();
    const reals = real(40);
    const before = tf.memory().numTensors;
    const scores = await scoreDraws(gan, classifier, reals, { draws: 3, samples: 40, truncation: 1.5 });
    expect(tf.memory().numTensors).toBe(before);
    // Independently: each draw through evaluateGenerator (its own real features and baseline), then mean and sd by hand.
    const single = await Promise.all(
      [99, 100, 101].map((seed) => {
        const { images, labels } = generateImages(gan, 40, seed, undefined, 1.5);
        return evaluateGenerator(classifier, images, 40, reals, labels);
      }),
    );
    expect([scores.seeds, scores.samples, scores.truncation]).toEqual([[99, 100, 101], 40, 1.5]);
    expect(scores.evaluations).toEqual(single);
    for (const key of ["labelAccuracy", "precision", "recall", "frechet"] as const) {
      const values = single.map((e) => e[key]);
      const mean = ((values[0] as number) + (values[1] as number) + (values[2] as number)) / 3;
      const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 2);
      expect(scores[key]?.values).toEqual(values);
      expect(scores[key]?.mean).toBeCloseTo(mean, 12);
      expect(scores[key]?.sd).toBeCloseTo(sd, 12);
    }
    // The draws differ (else the sd would say nothing), and the baseline is the real halves', the same for each.
    expect(new Set(scores.frechet.values).size).toBe(3);
    expect(scores.frechetRealBaseline).toBe(single[0]?.frechetRealBaseline);
    // One draw: no sd; an unconditional GAN: no label accuracy.
    const one = await scoreDraws(gan, classifier, reals, { draws: 1, samples: 40, truncation: 1.5 });
    expect([one.frechet.values, one.frechet.sd]).toEqual([[single[0]?.frechet], null]);
    const plain = createGan({ ...imageGanConfig("mlp", false), dataShape: [2, 2, 1], latentDim: 4, hidden: [8] }, 6);
    expect((await scoreDraws(plain, classifier, reals, { draws: 2, samples: 40 })).labelAccuracy).toBeUndefined();
    for (const draws of [0, 21, 2.5]) {
      await expect(scoreDraws(gan, classifier, reals, { draws })).rejects.toThrow(new RegExp(`^The draws of z to score must be a whole number from 1 to 20 \\(.*\\), got ${draws}\\.$`));
    }
    // trainImageGan refuses a bad count before it trains a step.
    await expect(trainImageGan({ train: images("mnist/train"), epochs: 1, stepsPerEpoch: 1, evaluationDraws: 0 })).rejects.toThrow(/^The draws of z to score must be a whole number from 1 to 20/);
    plain.dispose();
    gan.dispose();
    classifier.dispose();
  });

  it("trainImageGan scores the final draw (seed 99) against the validation set too: the figures of evaluateGenerator on that draw", async () => {
    const classifier = pixelClassifier();
    const reals = real(40);
    const validationSet = { ...real(60), name: "toy-validation" };
    const train = { ...real(40), name: "toy/train" };
    const before = tf.memory().numTensors;
    const result = await trainImageGan({ train, evaluationSet: reals, validationSet, classifier, conditional: true, config: { dataShape: [2, 2, 1], latentDim: 4, labelEmbedding: 2, hidden: [8] }, epochs: 1, stepsPerEpoch: 2, seed: 5, finalSamples: 40, epochSamples: 20, evaluationDraws: 2 });
    const { images, labels } = generateImages(result.gan, 40, 99);
    expect(result.validation).toEqual(await evaluateGenerator(classifier, images, 40, validationSet, labels));
    expect(result.final).toEqual(await evaluateGenerator(classifier, images, 40, reals, labels));
    expect(result.final).toBe(result.finalDraws?.evaluations[0]);
    result.gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
    classifier.dispose();
  });
});
