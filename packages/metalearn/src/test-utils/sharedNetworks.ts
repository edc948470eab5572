import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import * as tfl from "@tensorflow/tfjs-layers";

import { loadLayersModel, saveModel, type LabelledImages } from "@dl/tensor-core";

import type { PretrainedNetwork, PretrainHistoryEntry, PretrainOptions } from "../pretrain/supervised.js";

/** `pretrainClassifier`'s signature (taken as an argument, so a test that mocks the module can still wrap the original). */
export type Pretrainer = (dataset: LabelledImages, options?: PretrainOptions) => Promise<PretrainedNetwork>;

/** What a cached network keeps beside its weights. */
interface NetworkRecord {
  classes: number[];
  history: PretrainHistoryEntry[];
  steps: number;
  seconds: number;
}

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
/** Code whose change can change a trained network: both packages' sources (tests excluded) and the locked dependency versions. */
const SOURCES = ["packages/metalearn/src", "packages/tensor-core/src"];

/** The default cache: one folder per network under the OS temp folder (vitest runs each stat file in its own process, so files share through disk). */
export function sharedNetworksDir(): string {
  return join(tmpdir(), "dl-lab-test-networks");
}

let sourceVersion: Promise<string> | undefined;

/** A hash of every non-test source file of metalearn and tensor-core and of pnpm-lock.yaml, computed once per process. */
export function metalearnSourceVersion(): Promise<string> {
  sourceVersion ??= (async () => {
    const hash = createHash("sha256");
    for (const root of SOURCES) {
      const files = (await readdir(join(REPO, root), { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && !/\.test(-d)?\.ts$/.test(e.name))
        .map((e) => join(e.parentPath, e.name))
        .sort();
      for (const file of files) hash.update(file.slice(REPO.length)).update("\0").update(await readFile(file)).update("\0");
    }
    hash.update(await readFile(join(REPO, "pnpm-lock.yaml")));
    return hash.digest("hex");
  })();
  return sourceVersion;
}

/** JSON with every object's keys sorted, so options written in another order give the same key. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

/** The cache key: the training set's bytes, the options and the source version. */
async function networkKey(dataset: LabelledImages, options: PretrainOptions): Promise<string> {
  const hash = createHash("sha256");
  const shape = { count: dataset.count, height: dataset.height, width: dataset.width, channels: dataset.channels };
  hash.update(JSON.stringify({ shape, source: await metalearnSourceVersion() }));
  hash.update(canonicalJson(options));
  hash.update(new Uint8Array(dataset.labels.buffer, dataset.labels.byteOffset, dataset.labels.byteLength));
  hash.update(new Uint8Array(dataset.images.buffer, dataset.images.byteOffset, dataset.images.byteLength));
  return hash.digest("hex").slice(0, 32);
}

/** Rebuilds the network `pretrainClassifier` returns from a saved classifier: `blocks` reads each conv block's relu output. */
function fromClassifier(classifier: tfl.LayersModel, record: NetworkRecord): PretrainedNetwork {
  const reluNames = classifier.layers.map((l) => l.name).filter((name) => /^relu\d+$/.test(name));
  const blocks = tfl.model({ inputs: classifier.inputs, outputs: reluNames.map((name) => classifier.getLayer(name).output as tfl.SymbolicTensor), name: "pretrained_blocks" });
  return { blocks, classifier, classes: Int32Array.from(record.classes), history: record.history, steps: record.steps, seconds: record.seconds, dispose: () => classifier.dispose() };
}

async function readRecord(dir: string): Promise<NetworkRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, "record.json"), "utf8")) as NetworkRecord;
  } catch {
    return undefined;
  }
}

/** A cache entry nobody has read or written for this long is deleted when another entry is stored beside it. */
export const STALE_CACHE_ENTRY_MS = 7 * 24 * 3600 * 1000;

/** Marks an entry as just used (its folder's modification time), so pruning keeps the entries in use. */
export async function markUsed(dir: string): Promise<void> {
  const now = new Date();
  await utimes(dir, now, now).catch(() => undefined);
}

/**
 * Deletes the entries of `parent` not used for `STALE_CACHE_ENTRY_MS`: each source change keys new networks, so the
 * old ones would otherwise pile up under the temp folder (tens of MB per version). Failures are ignored.
 */
async function pruneStaleEntries(parent: string): Promise<void> {
  const now = Date.now();
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const path = join(parent, name);
    const info = await stat(path).catch(() => undefined);
    if (info !== undefined && now - info.mtimeMs > STALE_CACHE_ENTRY_MS) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Writes a cache entry into a fresh sibling folder and renames it into place, so readers see no folder or a complete
 * one, then prunes the stale entries beside it. A cache that cannot be written (another process renamed its entry
 * there first, a full disk, a temp folder owned by another user) leaves the test to run on what it computed: the cache
 * only saves time.
 */
export async function storeFolder(dir: string, write: (temp: string) => Promise<void>): Promise<void> {
  let temp: string | undefined;
  try {
    const parent = join(dir, "..");
    await mkdir(parent, { recursive: true });
    temp = await mkdtemp(join(parent, ".writing-"));
    await write(temp);
    await rename(temp, dir);
    await pruneStaleEntries(parent);
  } catch {
    // Nothing stored; the next reader computes the value again.
  } finally {
    if (temp !== undefined) await rm(temp, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function store(dir: string, network: PretrainedNetwork): Promise<void> {
  const record: NetworkRecord = { classes: [...network.classes], history: network.history, steps: network.steps, seconds: network.seconds };
  await storeFolder(dir, async (temp) => {
    await saveModel(network.classifier, temp);
    await writeFile(join(temp, "record.json"), JSON.stringify(record));
  });
}

/**
 * `pretrain` with a disk cache for the stat tests that train the same network: the first call for a (data, options)
 * pair trains it and saves its weights, later calls (in this process or another) load them. Options that cannot be
 * keyed (a teacher, progress, a signal, a time budget) train afresh.
 */
export function cachedPretraining(pretrain: Pretrainer, cacheDir: string = sharedNetworksDir()): Pretrainer {
  return async (dataset, options = {}) => {
    if (options.teacher !== undefined || options.onProgress !== undefined || options.signal !== undefined || options.timeBudgetSeconds !== undefined) return pretrain(dataset, options);
    const dir = join(cacheDir, await networkKey(dataset, options));
    const record = await readRecord(dir);
    if (record !== undefined) {
      await markUsed(dir);
      return fromClassifier(await loadLayersModel(dir), record);
    }
    const network = await pretrain(dataset, options);
    await store(dir, network);
    return network;
  };
}
