import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import * as tf from "@tensorflow/tfjs-core";

import {
  DEFAULT_SEED,
  assertCacheWritable,
  backendInfo,
  defaultCacheDir,
  readChecksummedRecord,
  recordChecksum,
  sha256,
  throwIfAborted,
  withCacheLock,
  writeFilesAtomically,
  type ImageDataset,
  type RunOptions,
} from "@dl/tensor-core";

import { restoreGenerator, snapshotGenerator, type GeneratorSnapshot } from "../snapshot/generatorSnapshot.js";
import type { Gan, GanEpochRecord } from "../train/gan.js";
import { trainImageGan } from "../train/imageGan.js";
import { imageGanConfig, type GanArch } from "../train/networks.js";

/**
 * Bump when the way a default GAN is trained changes in a way its key does not see (the key already
 * holds the network config, the data's bytes, seed, epochs and steps): old cached GANs are then retrained.
 */
const GAN_CACHE_VERSION = 1;

const RECORD_FILE = "generator.json";
const WEIGHTS_FILE = "generator.bin";

export interface LoadDefaultGanOptions extends RunOptions {
  /** The images (and labels) it is trained on when nothing is cached; part of the cache key. */
  train: ImageDataset;
  /** Train this many epochs (one epoch: `stepsPerEpoch` batches, default one pass over `train`). */
  epochs: number;
  stepsPerEpoch?: number;
  /** Network family (default mlp), with the default config of `imageGanConfig`. */
  arch?: GanArch;
  /** Default: `defaultCacheDir()` (DL_CACHE_DIR or ~/.cache/dl-lab); the GAN lands in `gans/`. */
  cacheDir?: string;
}

/** What `generator.json` records beside the generator's snapshot. */
export interface DefaultGanRecord {
  key: string;
  cacheVersion: number;
  data: string;
  trainCount: number;
  epochs: number;
  steps: number;
  trainSeconds: number;
  backend: string;
  tfjsVersion: string;
  history: GanEpochRecord[];
  snapshot: GeneratorSnapshot;
  /** SHA-256 of generator.bin. */
  weightsSha256: string;
  /** SHA-256 of this record without this field. */
  checksum: string;
}

export interface DefaultGan {
  /** Samples as the trained GAN did (its averaged generator); its discriminator is new. */
  gan: Gan;
  /** True when read from the cache, false when trained now. */
  cached: boolean;
  /** The cache folder (`generator.json`, `generator.bin`). */
  dir: string;
  record: DefaultGanRecord;
}

/** The cache key: everything that decides the trained weights, hashed. */
function cacheKey(opts: LoadDefaultGanOptions, arch: GanArch, seed: number): string {
  const { train } = opts;
  const config = { ...imageGanConfig(arch, true), numClasses: train.classNames.length };
  const data = createHash("sha256")
    .update(new Uint8Array(train.images.buffer, train.images.byteOffset, train.images.byteLength))
    .update(new Uint8Array(train.labels.buffer, train.labels.byteOffset, train.labels.byteLength))
    .digest("hex");
  return sha256(JSON.stringify({ config, data, seed, epochs: opts.epochs, stepsPerEpoch: opts.stepsPerEpoch ?? null, version: GAN_CACHE_VERSION })).slice(0, 16);
}

/** The cache key and folder of a default GAN (the key hashes the training data once). */
function cacheEntry(opts: LoadDefaultGanOptions): { arch: GanArch; seed: number; cacheDir: string; key: string; dir: string } {
  const arch = opts.arch ?? "mlp";
  const seed = opts.seed ?? DEFAULT_SEED;
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const key = cacheKey(opts, arch, seed);
  const name = opts.train.name.replace(/[^a-zA-Z0-9]+/g, "-");
  return { arch, seed, cacheDir, key, dir: join(cacheDir, "gans", `${name}-cgan-${arch}-seed${seed}-e${opts.epochs}-v${GAN_CACHE_VERSION}-${key}`) };
}

/** Where `loadDefaultGan` keeps a GAN. */
export function defaultGanDir(opts: LoadDefaultGanOptions): string {
  return cacheEntry(opts).dir;
}

async function readCached(dir: string, key: string): Promise<{ gan: Gan; record: DefaultGanRecord } | { gan?: undefined; problem?: string }> {
  const { record, problem } = await readChecksummedRecord<DefaultGanRecord>(join(dir, RECORD_FILE));
  if (record === undefined) return problem === undefined ? {} : { problem };
  if (record.key !== key || record.cacheVersion !== GAN_CACHE_VERSION) return { problem: "it was trained with another recipe" };
  const weights = await readFile(join(dir, WEIGHTS_FILE)).catch(() => undefined);
  if (weights === undefined) return { problem: `${WEIGHTS_FILE} is missing` };
  if (sha256(weights) !== record.weightsSha256) return { problem: `${WEIGHTS_FILE} fails its checksum` };
  try {
    return { gan: restoreGenerator(record.snapshot, weights), record };
  } catch (error) {
    return { problem: `the generator does not load (${error instanceof Error ? error.message : String(error)})` };
  }
}

/**
 * The default conditional GAN for a dataset: trained once with the package's default recipe
 * (`trainImageGan`, progress through `onProgress`) and cached as its sampling generator under the
 * cache dir, keyed by everything that decides its weights; then loaded from there.
 */
export async function loadDefaultGan(opts: LoadDefaultGanOptions): Promise<DefaultGan> {
  const { arch, seed, cacheDir, key, dir } = cacheEntry(opts);
  const found = await readCached(dir, key);
  if (found.gan !== undefined) return { gan: found.gan, cached: true, dir, record: found.record };
  if (found.problem !== undefined) opts.onProgress?.({ phase: "cache", step: 0, message: `the cached GAN in ${dir} is not used: ${found.problem}; training it again` });
  throwIfAborted(opts.signal);
  // Before minutes of training: the result must be storable, and one process trains it at a time.
  await assertCacheWritable(cacheDir);
  await mkdir(dirname(dir), { recursive: true });
  const onWait = (holder: { pid: number } | undefined): void =>
    opts.onProgress?.({ phase: "cache", step: 0, message: `another process${holder ? ` (pid ${holder.pid})` : ""} is training this default GAN; waiting to reuse it` });
  return withCacheLock(`${dir}.lock`, { signal: opts.signal, onWait }, async () => {
    const again = await readCached(dir, key);
    if (again.gan !== undefined) return { gan: again.gan, cached: true, dir, record: again.record };
    return trainAndCache(opts, { arch, seed, key, dir });
  });
}

async function trainAndCache(opts: LoadDefaultGanOptions, { arch, seed, key, dir }: { arch: GanArch; seed: number; key: string; dir: string }): Promise<DefaultGan> {
  const result = await trainImageGan({
    train: opts.train,
    conditional: true,
    arch,
    epochs: opts.epochs,
    seed,
    ...(opts.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: opts.stepsPerEpoch }),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  try {
    const { snapshot, weights } = snapshotGenerator(result.gan);
    let backend = tf.getBackend();
    try {
      backend = backendInfo().name;
    } catch {
      // Backend chosen by tfjs directly rather than initBackend: keep tfjs's name.
    }
    const unsigned = {
      key,
      cacheVersion: GAN_CACHE_VERSION,
      data: opts.train.name,
      trainCount: opts.train.count,
      epochs: opts.epochs,
      steps: result.gan.step,
      trainSeconds: result.seconds,
      backend,
      tfjsVersion: tf.version_core,
      history: result.history,
      snapshot,
      weightsSha256: sha256(weights),
    };
    const record: DefaultGanRecord = { ...unsigned, checksum: recordChecksum(unsigned) };
    await writeFilesAtomically(dir, [
      { path: WEIGHTS_FILE, contents: weights },
      { path: RECORD_FILE, contents: `${JSON.stringify(record, null, 2)}\n` },
    ], "Set DL_CACHE_DIR to a writable folder, or unset it to use ~/.cache/dl-lab.");
    return { gan: result.gan, cached: false, dir, record };
  } catch (error) {
    result.gan.dispose();
    throw error;
  }
}
