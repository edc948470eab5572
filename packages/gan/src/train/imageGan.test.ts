import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend, isDlError, type ImageDataset } from "@dl/tensor-core";

import { ganCheckpointState, restoreGan, type Gan } from "./gan.js";
import { assertResumableOn, trainImageGan } from "./imageGan.js";

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
