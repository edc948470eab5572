import * as tfl from "@tensorflow/tfjs-layers";

type Initializer = ReturnType<typeof tfl.initializers.heNormal>;

import { DlError, assertArgument, cancelPoint, createRng, listNames } from "@dl/tensor-core";

import * as tf from "@tensorflow/tfjs-core";
import type { LabelledImages } from "@dl/tensor-core";

/** The embedding networks `createEmbeddingNetwork` builds (see `EmbeddingArch`). */
export const EMBEDDING_ARCHS = ["mlp", "cnn", "residual"] as const;
/**
 * `mlp`: flatten → dense 256 (relu) → dense D. `cnn`: two 3×3 conv + max-pool blocks → dense D
 * (needs the wasm gap kernels, or the cpu backend, to train). `residual`: pixels + g(pixels), with g
 * an MLP whose last layer starts at zero, so training starts from the raw-pixel metric.
 */
export type EmbeddingArch = (typeof EMBEDDING_ARCHS)[number];

/** The embedding network's architecture from its name (a CLI flag, a URL parameter). */
export function parseEmbeddingArch(value: string): EmbeddingArch {
  if ((EMBEDDING_ARCHS as readonly string[]).includes(value)) return value as EmbeddingArch;
  throw new DlError("INVALID_ARGUMENT", `Unknown embedding architecture "${value}"; valid: ${listNames(EMBEDDING_ARCHS)}.`, { details: { valid: EMBEDDING_ARCHS } });
}

export interface EmbeddingOptions {
  arch?: EmbeddingArch;
  inputShape: readonly [number, number, number];
  /** Output dimension D (default 64). */
  embeddingSize?: number;
  hiddenUnits?: number;
  seed?: number;
}

/** The embedding network f_θ that maps an image to a D-vector. */
export function createEmbeddingNetwork(options: EmbeddingOptions): tfl.LayersModel {
  const arch = parseEmbeddingArch(options.arch ?? "mlp");
  const rng = createRng(options.seed);
  const init = (): Initializer => tfl.initializers.heNormal({ seed: rng.tfSeed() });
  const glorot = (): Initializer => tfl.initializers.glorotUniform({ seed: rng.tfSeed() });
  const size = options.embeddingSize ?? 64;
  if (arch === "residual") return residualEmbedding(options, init);
  const model = tfl.sequential({ name: `embedding_${arch}` });
  if (arch === "mlp") {
    model.add(tfl.layers.flatten({ inputShape: [...options.inputShape], name: "flatten" }));
    model.add(tfl.layers.dense({ units: options.hiddenUnits ?? 256, activation: "relu", kernelInitializer: init(), name: "dense1" }));
  } else {
    model.add(tfl.layers.conv2d({ inputShape: [...options.inputShape], filters: 16, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(), name: "conv1" }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2, name: "pool1" }));
    model.add(tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(), name: "conv2" }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2, name: "pool2" }));
    model.add(tfl.layers.flatten({ name: "flatten" }));
  }
  model.add(tfl.layers.dense({ units: size, kernelInitializer: glorot(), name: "embedding" }));
  return model;
}

function residualEmbedding(options: EmbeddingOptions, init: () => Initializer): tfl.LayersModel {
  const input = tfl.input({ shape: [...options.inputShape] });
  const flat = tfl.layers.flatten({ name: "flatten" }).apply(input) as tfl.SymbolicTensor;
  const pixels = flat.shape[1] as number;
  const hidden = tfl.layers.dense({ units: options.hiddenUnits ?? 256, activation: "relu", kernelInitializer: init(), name: "dense1" }).apply(flat);
  const correction = tfl.layers.dense({ units: pixels, kernelInitializer: "zeros", name: "correction" }).apply(hidden) as tfl.SymbolicTensor;
  const output = tfl.layers.add({ name: "embedding" }).apply([flat, correction]) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: "embedding_residual" });
}

/** Images → tensor `[n, h, w, c]`. */
export function imagesToTensor(images: Float32Array, count: number, shape: readonly [number, number, number]): tf.Tensor4D {
  assertArgument(images.length === count * shape[0] * shape[1] * shape[2], () => `Expected ${count}×${shape.join("×")} pixels, got ${images.length}.`);
  return tf.tensor4d(images, [count, shape[0], shape[1], shape[2]]);
}

/** Rows of D-dimensional features with their labels (an embedded dataset). */
export interface LabelledVectors {
  data: Float32Array;
  dim: number;
  count: number;
  labels: Int32Array;
}

/** Embeds every image of a dataset, in batches (leak-free); `signal` stops it between batches with `ABORTED`. */
export async function embedDataset(embedding: tfl.LayersModel, dataset: LabelledImages, batchSize = 512, signal?: AbortSignal): Promise<LabelledVectors> {
  const shape = [dataset.height, dataset.width, dataset.channels] as const;
  const size = shape[0] * shape[1] * shape[2];
  let dim = 0;
  let data = new Float32Array(0);
  const stopPoint = cancelPoint(signal);
  for (let start = 0; start < dataset.count; start += batchSize) {
    await stopPoint();
    const n = Math.min(batchSize, dataset.count - start);
    // Read outside the tidy: a tidy returning a typed array walks all its elements looking for tensors.
    const rows = tf.tidy(() => embedding.apply(imagesToTensor(dataset.images.subarray(start * size, (start + n) * size), n, shape), { training: false }) as tf.Tensor2D);
    const out = rows.dataSync() as Float32Array;
    rows.dispose();
    if (start === 0) {
      dim = out.length / n;
      data = new Float32Array(dataset.count * dim);
    }
    data.set(out, start * dim);
  }
  return { data, dim, count: dataset.count, labels: dataset.labels };
}

/** Raw pixels as features: the no-learning baseline. */
export function pixelsAsVectors(dataset: LabelledImages): LabelledVectors {
  return { data: dataset.images, dim: dataset.height * dataset.width * dataset.channels, count: dataset.count, labels: dataset.labels };
}
