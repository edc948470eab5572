import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, describe, expect, it, vi } from "vitest";

import { initBackend, saveModel } from "@dl/tensor-core";

import { runCli } from "../program.js";

const root = await mkdtemp(join(tmpdir(), "dl-cli-embed-"));
afterAll(() => rm(root, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await runCli(["node", "dl", ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("dl embed", () => {
  it("embeds every layer of a saved model: one JSON row per layer, report, explorer and embeddings", async () => {
    await initBackend({ backend: "cpu" });
    const model = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [28, 28, 1], name: "flat" }), tfl.layers.dense({ units: 8, activation: "relu", name: "hidden" })],
    });
    const modelDir = join(root, "model");
    await saveModel(model, modelDir);
    model.dispose();
    const out = join(root, "out");
    const r = await run(["embed", "--model", modelDir, "--data", "mnist", "--layers", "all", "--n", "80", "--perplexity", "8", "--iterations", "300", "--backend", "cpu", "--out", out, "--json"]);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { layers: { layer: string; knnAccuracy: number; pixelOverlap: number }[] };
    expect(json.layers.map((l) => l.layer)).toEqual(["pixels", "flat", "hidden"]);
    // "flat" holds the pixels themselves.
    expect(json.layers[1]!.pixelOverlap).toBe(1);
    const files = await readdir(out);
    expect(files).toEqual(expect.arrayContaining(["index.html", "explorer.html", "metrics.json", "labels.npy", "embeddings"]));
    expect((await readdir(join(out, "embeddings"))).sort()).toEqual(["flat.npy", "hidden.npy", "pixels.npy"]);
    expect(await readFile(join(out, "explorer.html"), "utf8")).toContain("hidden");
  });

  it("an unknown layer: one-line error listing the valid names, exit 2, nothing written", async () => {
    const out = join(root, "bad");
    const r = await run(["embed", "--model", join(root, "model"), "--data", "mnist", "--layers", "nope", "--backend", "cpu", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/UNKNOWN_LAYER.*flat/);
    await expect(readdir(out)).rejects.toThrow();
  });
});
