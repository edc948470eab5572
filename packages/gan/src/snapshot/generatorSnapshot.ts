import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

import { DlError } from "@dl/tensor-core";

import { createGan, type Gan, type GanTrainingData } from "../train/gan.js";
import type { GanConfig } from "../train/networks.js";

/**
 * The generator a GAN samples with (its weight average when it keeps one), alone: what a page or a
 * report needs to draw samples, a third of a full checkpoint's size and without the optimiser state.
 * The weights travel beside it as one little-endian float32 binary, in the order of `weights`.
 */
export interface GeneratorSnapshot {
  format: "dl-gan-generator@1";
  config: GanConfig;
  seed: number;
  epoch: number;
  step: number;
  trainedOn?: GanTrainingData;
  /** Name (without tfjs's uniquifying suffix), shape and dtype of every weight, as tfjs weight manifests write them. */
  weights: { name: string; shape: number[]; dtype: "float32" }[];
}

const samplingGenerator = (gan: Gan): tfl.LayersModel => gan.generatorEma ?? gan.generator;

const plainName = (name: string): string => name.replace(/_\d+\//, "/");

/** The sampling generator of `gan` as a snapshot and its weights' bytes. */
export function snapshotGenerator(gan: Gan): { snapshot: GeneratorSnapshot; weights: Uint8Array } {
  const model = samplingGenerator(gan);
  const values = new Float32Array(model.weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0));
  let offset = 0;
  for (const w of model.weights) {
    const v = w.read().dataSync() as Float32Array;
    values.set(v, offset);
    offset += v.length;
  }
  // Float32Array's bytes are in the platform's order: little-endian on every platform tfjs runs on.
  const bytes = new Uint8Array(values.buffer);
  const snapshot: GeneratorSnapshot = {
    format: "dl-gan-generator@1",
    config: gan.config,
    seed: gan.seed,
    epoch: gan.epoch,
    step: gan.step,
    ...(gan.trainedOn === undefined ? {} : { trainedOn: { ...gan.trainedOn } }),
    weights: model.weights.map((w) => ({ name: plainName(w.originalName), shape: [...w.shape] as number[], dtype: "float32" as const })),
  };
  return { snapshot, weights: bytes };
}

/**
 * A GAN that samples exactly as the snapshotted one: both of its generators hold the snapshot's
 * weights; its discriminator and optimisers are new (training it further starts D afresh).
 */
export function restoreGenerator(snapshot: GeneratorSnapshot, weights: Uint8Array | ArrayBuffer): Gan {
  if (snapshot.format !== "dl-gan-generator@1") {
    throw new DlError("MALFORMED_FILE", `Not a dl-gan generator snapshot (format ${String(snapshot.format)}); expected dl-gan-generator@1.`);
  }
  const bytes = weights instanceof Uint8Array ? weights : new Uint8Array(weights);
  const expectedBytes = snapshot.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== expectedBytes) {
    throw new DlError("MALFORMED_FILE", `The generator weights hold ${bytes.byteLength} bytes but the snapshot lists ${expectedBytes} (float32); the two files come from different snapshots.`);
  }
  const gan = createGan(snapshot.config, snapshot.seed);
  try {
    const model = samplingGenerator(gan);
    const want = model.weights.map((w) => `${plainName(w.originalName)}:${w.shape.join("x")}`);
    const got = snapshot.weights.map((w) => `${w.name}:${w.shape.join("x")}`);
    if (want.join(",") !== got.join(",")) {
      throw new DlError("SHAPE_MISMATCH", `The snapshot's generator has weights ${got.slice(0, 3).join(", ")}… (${got.length}) but its config builds ${want.slice(0, 3).join(", ")}… (${want.length}).`);
    }
    // Copied into an aligned buffer: a Uint8Array view of a file may start at any byte.
    const aligned = new Float32Array(bytes.slice().buffer);
    let offset = 0;
    const tensors = snapshot.weights.map((w) => {
      const size = w.shape.reduce((a, b) => a * b, 1);
      const t = tf.tensor(aligned.subarray(offset, offset + size), w.shape, "float32");
      offset += size;
      return t;
    });
    try {
      model.setWeights(tensors);
      if (model !== gan.generator) gan.generator.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
    gan.epoch = snapshot.epoch;
    gan.step = snapshot.step;
    if (snapshot.trainedOn !== undefined) gan.trainedOn = { ...snapshot.trainedOn };
    return gan;
  } catch (error) {
    gan.dispose();
    throw error;
  }
}
