import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { DlError } from "@dl/tensor-core";

import { assertWritableDir, jsonFileText, writeFileAtomic, writeOutputs } from "./io.js";

const root = await mkdtemp(join(tmpdir(), "dl-cli-io-"));
afterAll(() => rm(root, { recursive: true, force: true }));

describe("jsonFileText", () => {
  it("writes typed arrays as plain arrays, indented by 2, with a final newline; NaN becomes null as in JSON", () => {
    const text = jsonFileText({ a: Float32Array.from([0.5, -2]), b: { c: Int32Array.from([3]) }, d: Number.NaN });
    expect(text).toBe('{\n  "a": [\n    0.5,\n    -2\n  ],\n  "b": {\n    "c": [\n      3\n    ]\n  },\n  "d": null\n}\n');
    expect(JSON.parse(text)).toEqual({ a: [0.5, -2], b: { c: [3] }, d: null });
  });
});

describe("assertWritableDir", () => {
  it("accepts a missing folder under a writable one without creating it", async () => {
    await assertWritableDir(join(root, "new", "deeper"));
    expect(await readdir(root)).toEqual([]);
  });

  it("rejects a path through a file with a one-line IO_ERROR", async () => {
    await writeFile(join(root, "file"), "x");
    const error = await assertWritableDir(join(root, "file", "out")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DlError);
    expect((error as DlError).code).toBe("IO_ERROR");
    expect((error as DlError).message).not.toContain("\n");
    await rm(join(root, "file"));
  });
});

describe("writeOutputs", () => {
  it("writes every file, nested folders included, and leaves no staging folder", async () => {
    const out = join(root, "out");
    await writeOutputs(out, [
      ["a.json", "{}"],
      ["sub/b.bin", new Uint8Array([1, 2, 3])],
    ]);
    expect(await readFile(join(out, "a.json"), "utf8")).toBe("{}");
    expect([...(await readFile(join(out, "sub", "b.bin")))]).toEqual([1, 2, 3]);
    expect((await readdir(root)).filter((n) => n.includes("partial"))).toEqual([]);
    await rm(out, { recursive: true });
  });

  it("replaces an existing folder whole: new files in, untouched files kept, no staging or old copy left", async () => {
    const out = join(root, "again");
    await writeOutputs(out, [
      ["a.json", "old"],
      ["keep.txt", "mine"],
    ]);
    await writeOutputs(out, [
      ["a.json", "new"],
      ["sub/b.bin", new Uint8Array([4])],
    ]);
    expect(await readFile(join(out, "a.json"), "utf8")).toBe("new");
    expect(await readFile(join(out, "keep.txt"), "utf8")).toBe("mine");
    expect([...(await readFile(join(out, "sub", "b.bin")))]).toEqual([4]);
    expect((await readdir(root)).filter((n) => n.startsWith("."))).toEqual([]);
    await rm(out, { recursive: true });
  });

  it("leaves an existing folder exactly as it was when a write fails midway", async () => {
    const out = join(root, "kept");
    await writeOutputs(out, [
      ["a.json", "old"],
      ["sub", "a file where the next run wants a folder"],
    ]);
    await expect(
      writeOutputs(out, [
        ["a.json", "new"],
        ["sub/b.bin", new Uint8Array([1])],
      ]),
    ).rejects.toMatchObject({ code: "IO_ERROR" });
    expect(await readFile(join(out, "a.json"), "utf8")).toBe("old");
    expect((await readdir(out)).sort()).toEqual(["a.json", "sub"]);
    expect((await readdir(root)).filter((n) => n.startsWith("."))).toEqual([]);
    await rm(out, { recursive: true });
  });

  it("turns a failure into IO_ERROR and writes nothing", async () => {
    await writeFile(join(root, "blocker"), "x");
    await expect(writeOutputs(join(root, "blocker", "out"), [["a.json", "{}"]])).rejects.toMatchObject({ code: "IO_ERROR" });
    expect((await readdir(root)).sort()).toEqual(["blocker"]);
    await rm(join(root, "blocker"));
  });
});

describe("writeFileAtomic", () => {
  it("replaces a file whole and leaves no temp file; a path through a file is one IO_ERROR naming it", async () => {
    const path = join(root, "one.npy");
    await writeFileAtomic(path, "old");
    await writeFileAtomic(path, new Uint8Array([110, 101, 119]));
    expect(await readFile(path, "utf8")).toBe("new");
    expect(await readdir(root)).toEqual(["one.npy"]);
    const error = await writeFileAtomic(join(path, "x.npy"), "x").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "IO_ERROR", message: expect.stringMatching(/^Cannot write .*one\.npy\/x\.npy: .*Choose a writable --out path\.$/) as unknown });
    expect(await readdir(root)).toEqual(["one.npy"]);
    await rm(path);
  });
});

describe("progressReporter (stderr not a TTY)", () => {
  it("logs the phase, then at most one line per few seconds plus the phase's last step", async () => {
    const { progressReporter } = await import("./io.js");
    const written: string[] = [];
    const originalWrite = process.stderr.write.bind(process.stderr);
    const wasTty = process.stderr.isTTY;
    process.stderr.isTTY = false;
    process.stderr.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    });
    try {
      const { onProgress, stop } = progressReporter("train");
      onProgress({ phase: "epoch", step: 0, total: 3 });
      onProgress({ phase: "epoch", step: 1, total: 3, metrics: { loss: 0.51234 } });
      onProgress({ phase: "epoch", step: 2, total: 3, metrics: { loss: 0.4 } });
      onProgress({ phase: "epoch", step: 3, total: 3, metrics: { loss: 0.3 } });
      onProgress({ phase: "evaluate", step: 1, total: 1 });
      onProgress({ phase: "cache", step: 0, message: "the cached model is not used: weights.bin fails its checksum; training it again" });
      stop();
    } finally {
      process.stderr.write = originalWrite;
      process.stderr.isTTY = wasTty;
    }
    expect(written).toEqual([
      "train: epoch (3 steps)\n",
      "train: epoch 1/3 loss=0.5123\n",
      "train: epoch 3/3 loss=0.3000\n",
      "train: evaluate (1 steps)\n",
      "train: evaluate 1/1\n",
      "train: the cached model is not used: weights.bin fails its checksum; training it again\n",
    ]);
  });

  it("ends a phase that stops short of its total with 'done' and its last report, not a stale line", async () => {
    const { progressReporter } = await import("./io.js");
    const written: string[] = [];
    const originalWrite = process.stderr.write.bind(process.stderr);
    const wasTty = process.stderr.isTTY;
    process.stderr.isTTY = false;
    process.stderr.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    });
    try {
      const { onProgress, stop } = progressReporter("fewshot");
      // A time budget stops pretraining at 2450 of 3000 steps; the 5 s throttle showed only step 1.
      onProgress({ phase: "pretrain", step: 1, total: 3000 });
      onProgress({ phase: "pretrain", step: 2450, total: 3000, metrics: { loss: 0.25 } });
      // A phase reported only at its start: it still ends on a line that says where it stopped.
      onProgress({ phase: "iwae", step: 0, total: 1 });
      // A package that says why it stopped is quoted.
      onProgress({ phase: "meta-train", step: 400, total: 1000, metrics: { loss: 0.5 } });
      onProgress({ phase: "meta-train", step: 412, total: 1000, stopped: "the time budget of 60 s" });
      stop();
    } finally {
      process.stderr.write = originalWrite;
      process.stderr.isTTY = wasTty;
    }
    expect(written).toEqual([
      "fewshot: pretrain (3000 steps)\n",
      "fewshot: pretrain 1/3000\n",
      "fewshot: pretrain done (last report 2450/3000 loss=0.2500)\n",
      "fewshot: iwae (1 steps)\n",
      "fewshot: iwae done (last report 0/1)\n",
      "fewshot: meta-train (1000 steps)\n",
      "fewshot: meta-train 400/1000 loss=0.5000\n",
      "fewshot: meta-train stopped by the time budget of 60 s at 412/1000 loss=0.5000\n",
    ]);
  });
});

describe("progressReporter (stderr a TTY)", () => {
  it("draws a bar per phase (cli-progress, loaded with the first bar) ending at the phase's last step", async () => {
    const { progressReporter } = await import("./io.js");
    const written: string[] = [];
    const originalWrite = process.stderr.write.bind(process.stderr);
    const wasTty = process.stderr.isTTY;
    process.stderr.isTTY = true;
    process.stderr.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    });
    try {
      const { onProgress, stop } = progressReporter("tsne");
      onProgress({ phase: "optimize", step: 0, total: 750 });
      onProgress({ phase: "optimize", step: 750, total: 750, metrics: { kl: 1.25 } });
      stop();
    } finally {
      process.stderr.write = originalWrite;
      process.stderr.isTTY = wasTty;
    }
    // eslint-disable-next-line no-control-regex -- the bar's cursor codes
    const text = written.join("").replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
    expect(text).toContain("tsne optimize [");
    expect(text).toContain("] 750/750 kl=1.250");
  });
});
