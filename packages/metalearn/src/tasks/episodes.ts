import { DlError, assertArgument, cancelPoint, createRng, type Rng } from "@dl/tensor-core";

import type { LabelledImages } from "@dl/tensor-core";

/** Meta-train / meta-test class split used for MNIST and Fashion-MNIST: classes 0–4 vs 5–9. */
export const DEFAULT_CLASS_SPLIT = {
  metaTrain: [0, 1, 2, 3, 4],
  metaTest: [5, 6, 7, 8, 9],
} as const satisfies Readonly<Record<"metaTrain" | "metaTest", readonly number[]>>;

export interface EpisodeSpec {
  /** N: classes per episode. */
  ways: number;
  /** K: labelled support examples per class. */
  shots: number;
  /** Q: query examples per class. */
  queries: number;
}

/**
 * One N-way K-shot task. Support and query are class-major (class 0's K shots, then class 1's …)
 * and labelled 0..N−1; `classes[i]` is the dataset label behind episode label i.
 */
export interface Episode extends EpisodeSpec {
  classes: Int32Array;
  supportIndices: Int32Array;
  supportLabels: Int32Array;
  queryIndices: Int32Array;
  queryLabels: Int32Array;
}

export interface EpisodeSamplerOptions extends EpisodeSpec {
  /** Dataset labels episodes may use (e.g. `DEFAULT_CLASS_SPLIT.metaTest`); default: every label present. */
  classes?: readonly number[];
  seed?: number;
}

export interface EpisodeSampler {
  readonly spec: EpisodeSpec;
  /** The dataset labels this sampler draws from, ascending. */
  readonly classes: readonly number[];
  /** How many examples each of `classes` has. */
  readonly examplesPerClass: readonly number[];
  next(): Episode;
}

/** Indices of every example, grouped by label. */
export function indicesByClass(labels: Int32Array): Map<number, Int32Array> {
  const counts = new Map<number, number>();
  for (const y of labels) counts.set(y, (counts.get(y) ?? 0) + 1);
  const out = new Map<number, Int32Array>();
  const fill = new Map<number, number>();
  for (const [y, c] of counts) {
    out.set(y, new Int32Array(c));
    fill.set(y, 0);
  }
  labels.forEach((y, i) => {
    const at = fill.get(y) ?? 0;
    (out.get(y) as Int32Array)[at] = i;
    fill.set(y, at + 1);
  });
  return out;
}

function assertEpisodeSpec(spec: EpisodeSpec): void {
  for (const key of ["ways", "shots"] as const) {
    assertArgument(Number.isInteger(spec[key]) && spec[key] >= 1, () => `${key} must be an integer ≥ 1, got ${spec[key]}.`);
  }
  assertArgument(
    Number.isInteger(spec.queries) && spec.queries >= 0,
    () => `queries must be an integer ≥ 0, got ${spec.queries}.`,
  );
}

/** `k` distinct values of `pool` in random order: partial Fisher–Yates on a scratch copy. */
function drawDistinct(pool: Int32Array, k: number, rng: Rng, scratch: Int32Array): Int32Array {
  scratch.set(pool);
  const n = pool.length;
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const picked = scratch[j] as number;
    scratch[j] = scratch[i] as number;
    scratch[i] = picked;
    out[i] = picked;
  }
  return out;
}

/**
 * Draws N-way K-shot Q-query episodes from a labelled dataset (Vinyals et al. 2016): N classes
 * uniformly without replacement, then K + Q distinct examples of each, split into support and query.
 */
export function createEpisodeSampler(dataset: Pick<LabelledImages, "labels">, options: EpisodeSamplerOptions): EpisodeSampler {
  const spec: EpisodeSpec = { ways: options.ways, shots: options.shots, queries: options.queries };
  assertEpisodeSpec(spec);
  const byClass = indicesByClass(dataset.labels);
  const present = [...byClass.keys()].sort((a, b) => a - b);
  const classes = options.classes === undefined ? present : [...new Set(options.classes)].sort((a, b) => a - b);
  const missing = classes.filter((c) => !byClass.has(c));
  if (missing.length > 0) {
    throw new DlError(
      "INVALID_ARGUMENT",
      `Classes ${missing.join(", ")} have no examples in this dataset; labels present: ${present.join(", ")}.`,
      { details: { missing, present } },
    );
  }
  if (spec.ways > classes.length) {
    throw new DlError(
      "INVALID_ARGUMENT",
      `A ${spec.ways}-way episode needs ${spec.ways} classes but only ${classes.length} are available (${classes.join(", ")}); use --ways ≤ ${classes.length} or a larger class split.`,
      { details: { ways: spec.ways, available: classes.length } },
    );
  }
  const pools = classes.map((c) => byClass.get(c) as Int32Array);
  const examplesPerClass = pools.map((p) => p.length);
  const perClass = spec.shots + spec.queries;
  const smallest = Math.min(...examplesPerClass);
  if (perClass > smallest) {
    const which = classes[examplesPerClass.indexOf(smallest)];
    throw new DlError(
      "INVALID_ARGUMENT",
      `shots + queries = ${perClass} exceeds the ${smallest} examples of class ${which}; use shots + queries ≤ ${smallest}.`,
      { details: { shots: spec.shots, queries: spec.queries, smallest, class: which } },
    );
  }

  const rng = createRng(options.seed);
  const scratch = new Int32Array(Math.max(...examplesPerClass));
  const classIds = Int32Array.from(classes);
  const next = (): Episode => {
    const chosen = drawDistinct(Int32Array.from({ length: classes.length }, (_, i) => i), spec.ways, rng, new Int32Array(classes.length));
    const supportIndices = new Int32Array(spec.ways * spec.shots);
    const supportLabels = new Int32Array(spec.ways * spec.shots);
    const queryIndices = new Int32Array(spec.ways * spec.queries);
    const queryLabels = new Int32Array(spec.ways * spec.queries);
    const episodeClasses = new Int32Array(spec.ways);
    chosen.forEach((c, way) => {
      episodeClasses[way] = classIds[c] as number;
      const picked = drawDistinct(pools[c] as Int32Array, perClass, rng, scratch.subarray(0, (pools[c] as Int32Array).length));
      supportIndices.set(picked.subarray(0, spec.shots), way * spec.shots);
      supportLabels.fill(way, way * spec.shots, (way + 1) * spec.shots);
      queryIndices.set(picked.subarray(spec.shots), way * spec.queries);
      queryLabels.fill(way, way * spec.queries, (way + 1) * spec.queries);
    });
    return { ...spec, classes: episodeClasses, supportIndices, supportLabels, queryIndices, queryLabels };
  };
  return { spec, classes, examplesPerClass, next };
}

/** Copies the images at `indices` into one contiguous `indices.length × (h·w·c)` array. */
export function gatherImages(dataset: LabelledImages, indices: Int32Array): Float32Array {
  const size = dataset.height * dataset.width * dataset.channels;
  const out = new Float32Array(indices.length * size);
  indices.forEach((idx, row) => {
    assertArgument(idx >= 0 && idx < dataset.count, () => `Index ${idx} is outside the dataset (0..${dataset.count - 1}).`);
    out.set(dataset.images.subarray(idx * size, (idx + 1) * size), row * size);
  });
  return out;
}

/** The examples whose label is in `classes` (labels kept as they are). */
export function selectClasses<T extends LabelledImages>(dataset: T, classes: readonly number[]): LabelledImages {
  const keep = new Set(classes);
  const indices: number[] = [];
  dataset.labels.forEach((y, i) => {
    if (keep.has(y)) indices.push(i);
  });
  const idx = Int32Array.from(indices);
  return {
    images: gatherImages(dataset, idx),
    labels: Int32Array.from(indices, (i) => dataset.labels[i] as number),
    count: idx.length,
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
  };
}

/** The eight symmetries of the square: 4 rotations by 90°, each with and without a mirror. */
export const SQUARE_SYMMETRIES = 8;

/**
 * Multiplies the classes of a square-image dataset by rotating (and optionally mirroring) every
 * image: class c under symmetry r becomes class c·R + r. Rotated classes as new classes is the
 * Omniglot trick of Santoro et al. (2016) — here it turns 5 meta-train classes into up to 40.
 */
export async function augmentClassesBySymmetry(dataset: LabelledImages, symmetries = 4, signal?: AbortSignal): Promise<LabelledImages> {
  assertArgument(Number.isInteger(symmetries) && symmetries >= 1 && symmetries <= SQUARE_SYMMETRIES, () => `symmetries must be an integer in 1..8, got ${symmetries}.`);
  assertArgument(dataset.height === dataset.width, () => `Symmetry augmentation needs square images, got ${dataset.height}×${dataset.width}.`);
  const n = dataset.height;
  const ch = dataset.channels;
  const size = n * n * ch;
  // Where each pixel of symmetry r comes from: rotate by r mod 4 quarter turns clockwise, then mirror
  // left–right when r ≥ 4. One table per symmetry, so the copy below is a plain gather.
  const sources = Array.from({ length: symmetries }, (_, r) => {
    const quarterTurns = r % 4;
    const mirror = r >= 4;
    const table = new Int32Array(n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const mx = mirror ? n - 1 - x : x;
        // Source pixel that lands on (y, x) after rotating by quarterTurns·90° clockwise.
        const sy = quarterTurns === 0 ? y : quarterTurns === 1 ? n - 1 - mx : quarterTurns === 2 ? n - 1 - y : mx;
        const sx = quarterTurns === 0 ? mx : quarterTurns === 1 ? y : quarterTurns === 2 ? n - 1 - mx : n - 1 - y;
        table[y * n + x] = sy * n + sx;
      }
    }
    return table;
  });
  const images = new Float32Array(dataset.count * symmetries * size);
  const labels = new Int32Array(dataset.count * symmetries);
  // Seconds of copying for a full dataset: stop points let Ctrl-C in (signal → ABORTED).
  const stopPoint = cancelPoint(signal);
  for (let i = 0; i < dataset.count; i++) {
    if ((i & 255) === 0) await stopPoint();
    const srcStart = i * size;
    for (let r = 0; r < symmetries; r++) {
      const row = i * symmetries + r;
      const dstStart = row * size;
      const table = sources[r] as Int32Array;
      if (ch === 1) {
        for (let p = 0; p < n * n; p++) images[dstStart + p] = dataset.images[srcStart + (table[p] as number)] as number;
      } else {
        for (let p = 0; p < n * n; p++) {
          const from = srcStart + (table[p] as number) * ch;
          const to = dstStart + p * ch;
          for (let c = 0; c < ch; c++) images[to + c] = dataset.images[from + c] as number;
        }
      }
      labels[row] = (dataset.labels[i] as number) * symmetries + r;
    }
  }
  return { images, labels, count: dataset.count * symmetries, height: n, width: n, channels: ch };
}
