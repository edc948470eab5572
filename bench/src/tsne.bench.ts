/**
 * t-SNE of 10k MNIST digits (PCA to 50) against scikit-learn's Barnes–Hut TSNE on the same points in the
 * same run (bench/py/tsne.py): time ratio, 10-NN accuracy and trustworthiness@10 of both embeddings,
 * scored by the same code. Ours runs its defaults (method auto, 750 iterations as openTSNE), sklearn its
 * (1000 iterations); the goal counts only at equal quality. CPU seconds are printed beside wall time because
 * the box is shared. Ours runs twice, on one thread and on the default thread count (the ratio uses the latter).
 * Full runs add 70k Fashion-MNIST (train + test) with peak memory.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { knnAccuracy, pca, trustworthiness, tsne } from "@dl/interpretability";
import type { TsneOptions, TsneResult } from "@dl/interpretability";
import { encodeNpy, initBackend, loadDataset, parseNpy } from "@dl/tensor-core";

import { peerNumber } from "./harness.js";
import type { BenchContext, BenchResult, Comparison, Measurement } from "./harness.js";

const K = 10;

async function pca50(name: "mnist" | "fashion-mnist"): Promise<{ x: Float32Array; labels: Int32Array; n: number; seconds: number }> {
  const ds = await loadDataset(name, { split: "all" });
  const start = performance.now();
  const d = ds.height * ds.width * ds.channels;
  const x = Float32Array.from(pca(ds.images, ds.count, d, 50, { seed: 1 }).projections);
  return { x, labels: ds.labels, n: ds.count, seconds: (performance.now() - start) / 1000 };
}

/** Our t-SNE with its phase times (setup = PCA init, kNN, calibration, symmetrisation) and CPU seconds. */
async function timedTsne(x: Float32Array, n: number, options: TsneOptions): Promise<{ result: TsneResult; detail: string; peakRss: number }> {
  let peakRss = process.memoryUsage().rss;
  let affinitiesDone = 0;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const result = await tsne(x, n, 50, {
    ...options,
    onProgress: (e) => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (e.phase === "affinities" && e.step === 1) affinitiesDone = performance.now();
    },
  });
  const cpu = process.cpuUsage(cpuStart);
  const affinities = (affinitiesDone - started) / 1000;
  const detail = `${result.method}, ${result.threads} thread${result.threads === 1 ? "" : "s"}, ${result.iterations} iterations, KL ${result.kl.toFixed(3)}; PCA init + kNN + affinities ${affinities.toFixed(1)} s, optimisation ${(result.seconds - affinities).toFixed(1)} s; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`;
  return { result, detail, peakRss };
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const notes: string[] = [];
  const measurements: Measurement[] = [];
  const comparisons: Comparison[] = [];
  await initBackend({ backend: "wasm" });
  const { x, labels, n, seconds: pcaSeconds } = await pca50("mnist");
  notes.push(`PCA 784 → 50 of ${n} MNIST digits: ${pcaSeconds.toFixed(1)} s (shared by both sides, not timed below).`);
  const twSample = ctx.quick ? 2000 : undefined;
  const score = (embedding: Float32Array): { acc: number; tw: number } => ({
    acc: knnAccuracy(embedding, n, 2, labels, K),
    tw: trustworthiness(x, n, 50, embedding, 2, K, twSample === undefined ? {} : { sample: twSample }),
  });

  ctx.log(`ours: t-SNE of ${n} points on one thread…`);
  const { result: single, detail: singleDetail } = await timedTsne(x, n, { seed: 1, threads: 1 });
  measurements.push({ label: "dl-lab 1 thread", value: single.seconds, unit: "s", better: "lower", detail: singleDetail });
  ctx.log(`ours: t-SNE of ${n} points, default threads…`);
  const { result: ours, detail: oursDetail } = await timedTsne(x, n, { seed: 1 });
  const oursScore = score(ours.embedding);
  measurements.push({ label: "dl-lab", value: ours.seconds, unit: "s", better: "lower", detail: oursDetail });
  const sameBits = single.embedding.length === ours.embedding.length && single.embedding.every((v, e) => Object.is(v, ours.embedding[e]));
  notes.push(`threads: 1 → ${ours.threads} gives ${(single.seconds / ours.seconds).toFixed(2)}× (wall); embeddings ${sameBits ? "bit-identical" : "DIFFER"}.`);
  measurements.push({ label: "dl-lab 10-NN accuracy", value: oursScore.acc, unit: "", better: "higher" });
  measurements.push({ label: "dl-lab trustworthiness@10", value: oursScore.tw, unit: "", better: "higher" });

  const scratch = await mkdtemp(join(tmpdir(), "dl-bench-tsne-"));
  try {
    const input = join(scratch, "x.npy");
    const output = join(scratch, "y.npy");
    await writeFile(input, encodeNpy({ data: x, shape: [n, 50], dtype: "float32" }));
    ctx.log("scikit-learn: TSNE(barnes_hut)…");
    const peer = await ctx.runPython("tsne.py", ["--input", input, "--output", output], { timeoutMs: 30 * 60 * 1000 });
    const seconds = peerNumber(peer, "seconds");
    if (seconds === undefined) {
      notes.push(`scikit-learn peer missing: ${peer.ok ? "no seconds" : peer.reason}`);
    } else {
      const y = parseNpy(new Uint8Array(await readFile(output)));
      const peerScore = score(Float32Array.from(y.data as ArrayLike<number>));
      const cpuSeconds = peerNumber(peer, "cpu_seconds");
      measurements.push({
        label: "sklearn",
        value: seconds,
        unit: "s",
        better: "lower",
        detail: `barnes_hut θ=0.5, 1000 iterations, KL ${String(peerNumber(peer, "kl")?.toFixed(3))}${cpuSeconds === undefined ? "" : `; CPU ${cpuSeconds.toFixed(1)} s`}`,
      });
      measurements.push({ label: "sklearn 10-NN accuracy", value: peerScore.acc, unit: "", better: "higher" });
      measurements.push({ label: "sklearn trustworthiness@10", value: peerScore.tw, unit: "", better: "higher" });
      const ratio = ours.seconds / seconds;
      comparisons.push({ ours: "dl-lab", peer: "sklearn", slowdown: ratio, goal: 0.25, met: ratio <= 0.25 && oursScore.acc >= peerScore.acc - 0.005 && oursScore.tw >= peerScore.tw - 0.005 });
      notes.push(`quality: 10-NN accuracy ${oursScore.acc.toFixed(4)} vs ${peerScore.acc.toFixed(4)}, trustworthiness ${oursScore.tw.toFixed(4)} vs ${peerScore.tw.toFixed(4)}${twSample === undefined ? "" : ` (on ${twSample} query points)`}.`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  if (!ctx.quick) {
    ctx.log("70k Fashion-MNIST…");
    const fashion = await pca50("fashion-mnist");
    const { result, detail, peakRss } = await timedTsne(fashion.x, fashion.n, { seed: 1 });
    measurements.push({ label: `dl-lab ${fashion.n} fashion-mnist`, value: result.seconds, unit: "s", better: "lower", detail });
    measurements.push({ label: "peak RSS", value: peakRss / 2 ** 20, unit: "MiB", better: "lower" });
    comparisons.push({ ours: `dl-lab ${fashion.n} fashion-mnist`, peer: "goal 90 s", slowdown: result.seconds / 90, goal: 1, met: result.seconds <= 90 });
    const fashionTw = trustworthiness(fashion.x, fashion.n, 50, result.embedding, 2, K, { sample: 2000 });
    notes.push(
      `70k Fashion-MNIST: 10-NN accuracy ${knnAccuracy(result.embedding, fashion.n, 2, fashion.labels, K).toFixed(4)}, trustworthiness@${K} ${fashionTw.toFixed(4)} (2000 query points), KL ${result.kl.toFixed(3)}, PCA ${fashion.seconds.toFixed(1)} s.`,
    );
  }
  return {
    name: "tsne",
    description: `t-SNE (perplexity 30, PCA init) of ${n} MNIST digits after PCA to 50, dl-lab defaults (method auto, ${ours.iterations} iterations) vs scikit-learn TSNE(barnes_hut, 1000 iterations) in the same run; quality scored by the same code.`,
    measurements,
    comparisons,
    notes,
  };
}
