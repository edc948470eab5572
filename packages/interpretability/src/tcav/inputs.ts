// Assembles runTcav's inputs from a labelled dataset, built-in concept names and user image sets.
import { DEFAULT_SEED, DlError, type ImageBatches, type ImageDataset, type NdArray, createRng } from "@dl/tensor-core";

import { builtinConcept, isBuiltinConcept } from "./concepts.js";
import { type ConceptSet, type ImageSet, type ImageSource, requiredPoolSize } from "./tcav.js";

/** Images from a `.npy` array of shape [N, H, W] or [N, H, W, C]; uint8 data is scaled to [0, 1]. */
export function imageSetFromNdArray(array: NdArray, what: string): ImageSet {
  const { shape } = array;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new DlError("SHAPE_MISMATCH", `${what} has shape [${shape.join(", ")}]; images must be [N, H, W] or [N, H, W, C].`);
  }
  const [count, height, width] = shape as [number, number, number];
  const channels = shape[3] ?? 1;
  const scale = array.dtype === "uint8" ? 1 / 255 : 1;
  const images = Float32Array.from(array.data as ArrayLike<number>, (v) => Number(v) * scale);
  for (let i = 0; i < images.length; i++) {
    if (!Number.isFinite(images[i])) throw new DlError("NON_FINITE", `${what} holds a non-finite value at flat index ${i}.`);
  }
  return { images, count, height, width, channels };
}

/** Concatenates image sets of one shape. */
export function concatImageSets(sets: readonly ImageSet[], what: string): ImageSet {
  const first = sets[0];
  if (first === undefined) throw new DlError("INVALID_ARGUMENT", `${what}: no images given.`);
  for (const s of sets) {
    if (s.height !== first.height || s.width !== first.width || s.channels !== first.channels) {
      throw new DlError("SHAPE_MISMATCH", `${what}: images of ${s.height}×${s.width}×${s.channels} and ${first.height}×${first.width}×${first.channels} cannot be mixed.`);
    }
  }
  const images = new Float32Array(sets.reduce((n, s) => n + s.images.length, 0));
  let offset = 0;
  for (const s of sets) {
    images.set(s.images, offset);
    offset += s.images.length;
  }
  return { images, count: sets.reduce((n, s) => n + s.count, 0), height: first.height, width: first.width, channels: first.channels };
}

function readRows(set: ImageSource, start: number, size: number): Float32Array {
  const per = set.height * set.width * set.channels;
  return "images" in set ? set.images.subarray(start * per, (start + size) * per) : set.read(start, size);
}

/** Several image sets (in memory or read batch by batch) read as one, without copying them into one array. */
export function concatImageSources(sets: readonly ImageSource[]): ImageBatches {
  const first = sets[0] as ImageSource;
  const starts: number[] = [];
  let total = 0;
  for (const s of sets) {
    starts.push(total);
    total += s.count;
  }
  const per = first.height * first.width * first.channels;
  return {
    count: total,
    height: first.height,
    width: first.width,
    channels: first.channels,
    read(start, size) {
      const out = new Float32Array(size * per);
      let row = start;
      while (row < start + size) {
        let k = sets.length - 1;
        while ((starts[k] as number) > row) k--;
        const set = sets[k] as ImageSource;
        const local = row - (starts[k] as number);
        const take = Math.min(set.count - local, start + size - row);
        out.set(readRows(set, local, take), (row - start) * per);
        row += take;
      }
      return out;
    },
  };
}

function pick(set: ImageSet, rows: ArrayLike<number>): ImageSet {
  const per = set.height * set.width * set.channels;
  const images = new Float32Array(rows.length * per);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    images.set(set.images.subarray(r * per, (r + 1) * per), i * per);
  }
  return { images, count: rows.length, height: set.height, width: set.width, channels: set.channels };
}

export interface TcavInputOptions {
  target: number;
  /** Built-in concept names (drawn from `train`) or ready image sets. */
  concepts: readonly (string | ConceptSet)[];
  /** User random images; default: `train` images not used by a built-in concept. */
  randomPool?: ImageSet;
  /** Target-class inputs scored (from `test`), default 100. */
  targetCount?: number;
  /** Images per built-in concept, default 50. */
  conceptCount?: number;
  nullDraws?: number;
  randomRuns?: number;
  setSize?: number;
  seed?: number;
}

/**
 * Target inputs (class `target` of `test`), concepts (built-ins drawn from `train`) and a random pool
 * (the rest of `train`, subsampled to what the null draws and runs need), all disjoint.
 */
export function prepareTcavInputs(
  dataset: { train: ImageDataset; test: ImageDataset },
  options: TcavInputOptions,
): { targetImages: ImageSet; concepts: ConceptSet[]; randomPool: ImageSet; targetName: string } {
  const { train, test } = dataset;
  const classes = test.classNames.length;
  if (!Number.isInteger(options.target) || options.target < 0 || options.target >= classes) {
    throw new DlError("INVALID_ARGUMENT", `Target class ${options.target} is out of range; "${test.name}" has classes 0..${classes - 1} (${test.classNames.join(", ")}).`);
  }
  const seed = options.seed ?? DEFAULT_SEED;
  const rng = createRng(seed);
  const targetRows = Array.from(test.labels.keys()).filter((i) => test.labels[i] === options.target);
  const targetCount = Math.min(options.targetCount ?? 100, targetRows.length);
  const targetImages = pick(test, Int32Array.from(rng.sample(targetRows.length, targetCount), (k) => targetRows[k] as number));
  const used = new Set<number>();
  const concepts = options.concepts.map((c, i) => {
    if (typeof c !== "string") return c;
    if (!isBuiltinConcept(c)) {
      throw new DlError("UNKNOWN_NAME", `"${c}" is neither a built-in concept nor an image set; give a built-in name, a folder of PNGs or a .npy file.`);
    }
    const candidates = Int32Array.from({ length: train.count }, (_, k) => k).filter((k) => !used.has(k));
    const concept = builtinConcept(c, train, { count: options.conceptCount ?? 50, seed: seed + 1 + i, candidates });
    for (const k of concept.indices) used.add(k);
    return { name: concept.name, images: concept.images, count: concept.count, height: concept.height, width: concept.width, channels: concept.channels };
  });
  let randomPool = options.randomPool;
  if (randomPool === undefined) {
    const rest = Int32Array.from({ length: train.count }, (_, k) => k).filter((k) => !used.has(k));
    const setSize = options.setSize ?? Math.min(50, ...concepts.map((c) => c.count));
    const wanted = requiredPoolSize({ nullDraws: options.nullDraws ?? 50, setSize }) + (options.randomRuns ?? 10) * setSize;
    const chosen = rng.sample(rest.length, Math.min(rest.length, wanted));
    randomPool = pick(train, Int32Array.from(chosen, (k) => rest[k] as number));
  }
  return { targetImages, concepts, randomPool, targetName: test.classNames[options.target] ?? String(options.target) };
}
