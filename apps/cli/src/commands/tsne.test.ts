import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it, vi } from "vitest";

import { createRng, encodeNpy, parseNpy } from "@dl/tensor-core";

import { runCli } from "../program.js";

const root = await mkdtemp(join(tmpdir(), "dl-cli-tsne-"));
afterAll(() => rm(root, { recursive: true, force: true }));

/** Three clusters of 8 × 8 "images" (N × 8 × 8 .npy) plus labels. */
async function writeInputs(n: number): Promise<{ x: string; y: string }> {
  const rng = createRng(1);
  const data = new Float32Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3;
    for (let t = 0; t < 64; t++) data[i * 64 + t] = Math.min(1, Math.max(0, (t % 3 === i % 3 ? 0.8 : 0.1) + 0.05 * rng.normal()));
  }
  const x = join(root, `x${n}.npy`);
  const y = join(root, `y${n}.npy`);
  await writeFile(x, encodeNpy({ data, shape: [n, 8, 8], dtype: "float32" }));
  await writeFile(y, encodeNpy({ data: labels, shape: [n], dtype: "int32" }));
  return { x, y };
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const code = await runCli(["node", "dl", ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("dl tsne", () => {
  it("writes embedding.npy in input order, pictures and one JSON document", async () => {
    const { x, y } = await writeInputs(90);
    const out = join(root, "out");
    const r = await run(["tsne", "--input", x, "--labels", y, "--perplexity", "10", "--iterations", "600", "--backend", "cpu", "--out", out, "--json"]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json["n"]).toBe(90);
    expect(json["knnAccuracy"]).toBe(1);
    expect(json["trustworthiness"]).toBeGreaterThan(0.9);
    expect(Number.isFinite(json["kl"])).toBe(true);
    // Wall time by phase: every phase measured, in order, summing to no more than the process's wall time so far.
    const phases = json["phases"] as Record<string, number>;
    expect(Object.keys(phases)).toEqual(["startup", "load", "pca", "affinities", "optimisation", "metrics", "figures", "writing", "total"]);
    const { total, ...parts } = phases;
    for (const seconds of Object.values(parts)) expect(seconds).toBeGreaterThanOrEqual(0);
    expect(phases["optimisation"]).toBeGreaterThan(0);
    expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(total!);
    expect((await readdir(out)).sort()).toEqual(["embedding.npy", "metrics.json", "mosaic.png", "scatter.png"]);
    const emb = parseNpy(new Uint8Array(await readFile(join(out, "embedding.npy"))));
    expect(emb.shape).toEqual([90, 2]);
    expect(emb.dtype).toBe("float32");
  });

  it("sets up no tfjs backend when no PCA runs (t-SNE needs none), and the one named by --backend or the PCA otherwise", async () => {
    const { x, y } = await writeInputs(60);
    for (const [extra, backend] of [
      [["--pca", "0"], null],
      [["--pca", "0", "--backend", "cpu"], "cpu"],
      [["--pca", "10", "--backend", "cpu"], "cpu"],
    ] as const) {
      const r = await run(["tsne", "--input", x, "--labels", y, "--perplexity", "10", ...extra, "--out", join(root, `backend-${extra.join("")}`), "--json"]);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(json["backend"]).toBe(backend);
      expect(json["tsneInputDims"]).toBe(extra[1] === "0" ? 64 : 10);
      expect(json["knnAccuracy"]).toBe(1);
    }
  });

  it("bad input: one-line error, exit 2, nothing written", async () => {
    const { x, y } = await writeInputs(9);
    const out = join(root, "bad");
    const cases: [string[], RegExp][] = [
      [["--perplexity", "30"], /largest allowed is \(N − 1\)\/3 = 2\.67/],
      [["--dims", "4"], /--dims must be 2 or 3/],
      [["--labels", (await writeInputs(12)).y], /12 labels but .* N = 9/],
    ];
    for (const [extra, pattern] of cases) {
      const r = await run(["tsne", "--input", x, ...(extra.includes("--labels") ? [] : ["--labels", y]), ...extra, "--backend", "cpu", "--out", out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.split("\n").filter((l) => l.startsWith("error"))).toHaveLength(1);
      await expect(readdir(out)).rejects.toThrow();
    }
  });
});
