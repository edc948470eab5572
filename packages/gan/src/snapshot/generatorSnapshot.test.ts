import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, isDlError } from "@dl/tensor-core";

import { createGan, generate, trainGan } from "../train/gan.js";
import { TINY_GAN_CONFIG, tinyGanData } from "../test-utils/tinyGan.js";
import { restoreGenerator, snapshotGenerator } from "./generatorSnapshot.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("generator snapshots", () => {
  it("restores a GAN that samples bit for bit as the averaged generator of the trained one, and leaks no tensors", async () => {
    const original = createGan(TINY_GAN_CONFIG, 9);
    await trainGan(original, tinyGanData(), { epochs: 2 });
    const labels = [0, 1, 2, 2, 1, 0, 0];
    const want = generate(original, labels.length, { labels, seed: 4 });

    const before = tf.memory().numTensors;
    const { snapshot, weights } = snapshotGenerator(original);
    expect(tf.memory().numTensors).toBe(before);
    // 3+2 → 8 → 6 with a 3×2 label embedding: (5·8 + 8) + (8·6 + 6) + 3·2 = 108 floats.
    expect(weights.byteLength).toBe(4 * 108);
    expect(snapshot.step).toBe(original.step);

    // Through JSON and a misaligned copy of the bytes, as a file read would give them.
    const file = new Uint8Array(weights.byteLength + 1);
    file.set(weights, 1);
    const restored = restoreGenerator(JSON.parse(JSON.stringify(snapshot)) as typeof snapshot, file.subarray(1));
    expect(Array.from(generate(restored, labels.length, { labels, seed: 4 }))).toEqual(Array.from(want));
    // Both generators hold the snapshot: the raw one samples the same too.
    expect(restored.generator.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(restored.generatorEma?.getWeights().map((w) => Array.from(w.dataSync())));
    expect(restored.epoch).toBe(2);
    restored.dispose();
    expect(tf.memory().numTensors).toBe(before);
    original.dispose();
  });

  it("refuses weights of another size or a config that builds other shapes, in one line", () => {
    const gan = createGan(TINY_GAN_CONFIG, 1);
    const { snapshot, weights } = snapshotGenerator(gan);
    gan.dispose();
    const before = tf.memory().numTensors;
    const short = thrown(() => restoreGenerator(snapshot, weights.subarray(0, weights.byteLength - 4)));
    expect(isDlError(short) && short.code).toBe("MALFORMED_FILE");
    const wider = { ...snapshot, config: { ...TINY_GAN_CONFIG, hidden: [9] } };
    const mismatch = thrown(() => restoreGenerator(wider, weights));
    // The listed weights and the bytes agree; the config builds wider layers than they list.
    expect(isDlError(mismatch) && mismatch.code).toBe("SHAPE_MISMATCH");
    const swapped = { ...snapshot, weights: [...snapshot.weights].reverse() };
    const order = thrown(() => restoreGenerator(swapped, weights));
    expect(isDlError(order) && order.code).toBe("SHAPE_MISMATCH");
    expect(String((order as Error).message)).not.toContain("\n");
    expect(tf.memory().numTensors).toBe(before);
  });
});
