import * as tf from "@tensorflow/tfjs-core";
import { DEFAULT_SEED, DlError, activations, createRng, resolveLayerNames, throwIfAborted, assertDataset } from "@dl/tensor-core";
import type { AnyModel, ImageDataset, ModelInput, RunOptions, SpatialReduction } from "@dl/tensor-core";

import { knnGraph } from "../tsne/knn.js";
import { knnAccuracy, trustworthiness } from "../tsne/metrics.js";
import { pca } from "../tsne/pca.js";
import { tsne } from "../tsne/tsne.js";
import type { TsneMethod } from "../tsne/tsne.js";
import { procrustes } from "./procrustes.js";

export interface LayerEmbeddingOptions extends RunOptions {
  perplexity?: number;
  iterations?: number;
  method?: TsneMethod;
  /** PCA width before t-SNE and for the neighbour statistics (default 50). */
  pcaComponents?: number;
  /** Neighbours for accuracy, overlap and trustworthiness (default 10). */
  k?: number;
  /** Also embed the raw pixels first, as the reference row "pixels" (default true). */
  includePixels?: boolean;
  /**
   * What the model reads, when it differs from `images` (e.g. an image folder at the model's 224×224 while
   * `images` holds small thumbnails for the pictures and the pixel row). Same images, same order.
   */
  modelInput?: ModelInput;
  /** Reduction of `[H, W, C]` maps (tensor-core's `activations`); default `auto`. */
  spatial?: SpatialReduction | "auto";
  batchSize?: number;
}

export interface LayerEmbedding {
  layer: string;
  /** Width of the layer's activations (after the spatial reduction). */
  features: number;
  /** How the layer's map became a row ("flatten" for the pixel row and layers without space). */
  reduction: SpatialReduction;
  /** N × 2, aligned to the previous row by orthogonal Procrustes. */
  embedding: Float32Array;
  kl: number;
  seconds: number;
  /** Leave-one-out k-NN label accuracy in the 2-D embedding (semantic purity of what the picture shows). */
  knnAccuracy: number;
  /** The same in the layer's (PCA-reduced) activation space. */
  featureKnnAccuracy: number;
  /** Mean fraction of a point's k activation-space neighbours that are also its k pixel-space neighbours. */
  pixelOverlap: number;
  /** Trustworthiness@k of the embedding against the layer's activation space. */
  trustworthiness: number;
  /** RMS displacement from the previous row after alignment (embedding units); 0 for the first row. */
  alignmentRmsd: number;
}

/** Widest layer the covariance PCA takes directly; wider ones are first randomly projected (Johnson–Lindenstrauss). */
const MAX_DIRECT_WIDTH = 4096;
const PROJECTED_WIDTH = 1024;

/** Activations reduced to `components` dims: a Gaussian random projection first when very wide, then PCA. */
export function reduceFeatures(data: Float32Array, n: number, d: number, components: number, seed: number): { data: Float32Array; d: number } {
  let x = data;
  let width = d;
  if (d > MAX_DIRECT_WIDTH) {
    const rng = createRng(seed);
    const projection = Float32Array.from({ length: d * PROJECTED_WIDTH }, () => rng.normal() / Math.sqrt(PROJECTED_WIDTH));
    const out = new Float32Array(n * PROJECTED_WIDTH);
    const block = 512;
    const r = tf.tensor2d(projection, [d, PROJECTED_WIDTH]);
    try {
      for (let start = 0; start < n; start += block) {
        const rows = Math.min(block, n - start);
        const y = tf.tidy(() => tf.matMul(tf.tensor2d(data.subarray(start * d, (start + rows) * d), [rows, d]), r));
        out.set(y.dataSync(), start * PROJECTED_WIDTH);
        y.dispose();
      }
    } finally {
      r.dispose();
    }
    x = out;
    width = PROJECTED_WIDTH;
  }
  if (width <= components || n <= components) return { data: x, d: width };
  return { data: Float32Array.from(pca(x, n, width, components, { seed }).projections), d: components };
}

function neighbourOverlap(a: Int32Array, b: Int32Array, n: number, k: number): number {
  let shared = 0;
  const mark = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) mark[b[i * k + t] as number] = i;
    for (let t = 0; t < k; t++) if (mark[a[i * k + t] as number] === i) shared++;
  }
  return shared / (n * k);
}

/**
 * t-SNE of the activations of each chosen layer for the same images, aligned across depth: each layer's
 * optimisation starts from the previous layer's embedding (rescaled to the usual tiny init) and its result
 * is rotated onto it by orthogonal Procrustes, so a point stays near its place from layer to layer.
 * Rows come in model order, after an optional "pixels" row.
 */
export async function layerEmbeddings(
  model: AnyModel,
  images: ImageDataset,
  layers: readonly string[] | "all",
  options: LayerEmbeddingOptions = {},
): Promise<LayerEmbedding[]> {
  assertDataset(images);
  const names = resolveLayerNames(model, layers);
  const n = images.count;
  const seed = options.seed ?? DEFAULT_SEED;
  const k = options.k ?? 10;
  const components = options.pcaComponents ?? 50;
  const pixelsD = images.height * images.width * images.channels;
  const pixels = reduceFeatures(images.images, n, pixelsD, components, seed);
  const pixelGraph = knnGraph(pixels.data, n, pixels.d, k);
  const rows: LayerEmbedding[] = [];
  let previous: Float32Array | undefined;
  const embedOne = async (layer: string, features: number, reduction: SpatialReduction, x: { data: Float32Array; d: number }, graph: ReturnType<typeof knnGraph>): Promise<void> => {
    throwIfAborted(options.signal);
    const init = previous === undefined ? "pca" : rescaledInit(previous, n);
    const result = await tsne(x.data, n, x.d, {
      perplexity: options.perplexity ?? 30,
      iterations: options.iterations ?? 750,
      method: options.method ?? "auto",
      seed,
      init,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onProgress: (e) => options.onProgress?.({ ...e, phase: `${layer}: ${e.phase}` }),
    });
    let embedding = result.embedding;
    let rmsd = 0;
    if (previous !== undefined) {
      const aligned = procrustes(embedding, previous, n, 2);
      embedding = Float32Array.from(aligned.aligned);
      rmsd = aligned.rmsd;
    }
    rows.push({
      layer,
      features,
      reduction,
      embedding,
      kl: result.kl,
      seconds: result.seconds,
      knnAccuracy: knnAccuracy(embedding, n, 2, images.labels, k),
      featureKnnAccuracy: knnAccuracy(x.data, n, x.d, images.labels, k),
      pixelOverlap: neighbourOverlap(graph.indices, pixelGraph.indices, n, k),
      trustworthiness: trustworthiness(x.data, n, x.d, embedding, 2, k, { sample: 1000 }),
      alignmentRmsd: rmsd,
    });
    previous = embedding;
  };
  if (options.includePixels ?? true) await embedOne("pixels", pixelsD, "flatten", pixels, pixelGraph);
  const input = options.modelInput ?? images;
  const inputCount = input instanceof tf.Tensor ? input.shape[0] : input.count;
  if (inputCount !== n) throw new DlError("SHAPE_MISMATCH", `modelInput has ${inputCount} images but images has ${n}; they must be the same images in the same order.`);
  const acts = await activations(model, input, names, {
    spatial: options.spatial ?? "auto",
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onProgress: (e) => options.onProgress?.(e),
  });
  for (const act of acts) {
    const width = act.data.length / n;
    const reduced = reduceFeatures(act.data, n, width, components, seed);
    act.data = new Float32Array(0); // release the wide copy early
    await embedOne(act.layer, width, act.reduction, reduced, knnGraph(reduced.data, n, reduced.d, k));
  }
  return rows;
}

/** The previous embedding as a start: centred and scaled so its first axis has std 1e-4 (as PCA init). */
function rescaledInit(embedding: Float32Array, n: number): Float64Array {
  const y = Float64Array.from(embedding);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += (y[2 * i] as number) / n;
    my += (y[2 * i + 1] as number) / n;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += ((y[2 * i] as number) - mx) ** 2;
  const scale = 1e-4 / Math.max(Math.sqrt(s / n), 1e-12);
  for (let i = 0; i < n; i++) {
    y[2 * i] = ((y[2 * i] as number) - mx) * scale;
    y[2 * i + 1] = ((y[2 * i + 1] as number) - my) * scale;
  }
  return y;
}
