import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

import { isDlError } from "@dl/tensor-core";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";

import { conditionalAffinities } from "../affinities.js";
import { klFromParts } from "../kl.js";
import { hybridPrefersFft } from "../options.js";
import { referenceGradient } from "../test-utils/reference.js";
import { knnGraph, matmulKnn, rpForestKnn } from "../knn.js";
import { gaussianClusters } from "../test-utils/testData.js";
import { computeAffinities, tsne } from "../tsne.js";
import { createTeam as createBrowserTeam } from "./browserTeam.js";
import { createTeam, liveWorkerCount } from "./nodeTeam.js";
import { conditionalAffinitiesOnTeam, matmulKnnOnTeam, rpForestKnnOnTeam, scanKnnOnTeam } from "./teamAffinities.js";
import { TeamGradient } from "./teamGradient.js";
import { trustworthinessOnTeam } from "./teamMetrics.js";
import { trustworthiness, trustworthinessQueries } from "../metrics.js";
import { TASK, listPenalty, queryPenalty } from "./kernels.js";

const run = promisify(execFile);

/** A spread-out 2-D layout (range ≈ 60) so the FFT grid and the tree both have work. */
function layout(n: number): Float64Array {
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = i % 6;
    y[2 * i] = 20 * Math.cos(c) + 4 * Math.sin(i * 12.9898);
    y[2 * i + 1] = 20 * Math.sin(c) + 4 * Math.cos(i * 78.233);
  }
  return y;
}

function maxRelativeDifference(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let e = 0; e < a.length; e++) {
    diff = Math.max(diff, Math.abs((a[e] as number) - (b[e] as number)));
    scale = Math.max(scale, Math.abs(b[e] as number));
  }
  return diff / scale;
}

describe("t-SNE on a team of threads", () => {
  const { data, n } = gaussianClusters(6, 300, 10, 2, 8);
  const p = computeAffinities(data, n, 10, 20);
  const y = layout(n);

  for (const [method, tolerance] of [
    ["exact", 1e-12],
    ["fft", 0.02],
    ["bh", 0.02],
  ] as const) {
    it(`gives the same ${method} gradient bit for bit on 1 and 3 threads, within ${tolerance} of the reference`, async () => {
      const reference = referenceGradient(Float64Array.from(y), n, 2, p, 4);
      const results: Float64Array[] = [];
      for (const threads of [1, 3]) {
        const team = await createTeam(threads);
        try {
          const engine = new TeamGradient(team, y, n, 2, p, { method, theta: 0.5, fft: {}, useFft: hybridPrefersFft, wasm: true });
          const g = new Float64Array(2 * n);
          const { z, sumPLogW } = engine.gradient(4, true, g);
          expect(Math.abs(z - reference.z) / reference.z).toBeLessThan(tolerance);
          expect(Math.abs(klFromParts(p, sumPLogW, reference.z) - reference.kl)).toBeLessThan(1e-10);
          expect(maxRelativeDifference(g, reference.grad)).toBeLessThan(method === "exact" ? 1e-10 : 0.1);
          results.push(g);
        } finally {
          await team.close();
        }
      }
      // Fixed chunks, partial sums added in chunk order: identical bits whatever the thread count.
      expect(Array.from(results[1]!)).toEqual(Array.from(results[0]!));
    });
  }

  it("renumbering the points permutes the gradient and nothing else", async () => {
    const team = await createTeam(2);
    try {
      // The engine rewrites P in place: give it its own copy.
      const own = { n, rowPtr: Int32Array.from(p.rowPtr), colIdx: Int32Array.from(p.colIdx), values: Float64Array.from(p.values) };
      const engine = new TeamGradient(team, y, n, 2, own, { method: "bh", theta: 0.5, fft: {}, useFft: hybridPrefersFft, wasm: true });
      const before = new Float64Array(2 * n);
      const first = engine.gradient(4, true, before);
      // A fixed pseudo-random permutation.
      const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));
      engine.renumber(order);
      for (let q = 0; q < n; q++) expect([engine.y[2 * q], engine.y[2 * q + 1]]).toEqual([y[2 * (order[q] as number)], y[2 * (order[q] as number) + 1]]);
      const after = new Float64Array(2 * n);
      const second = engine.gradient(4, true, after);
      const permuted = Float64Array.from({ length: 2 * n }, (_, e) => before[2 * (order[e >> 1] as number) + (e & 1)] as number);
      // The same tree over renamed points: only the order of a few sums differs.
      expect(maxRelativeDifference(after, permuted)).toBeLessThan(1e-12);
      expect(Math.abs(second.z - first.z) / first.z).toBeLessThan(1e-12);
      expect(Math.abs(second.sumPLogW - first.sumPLogW) / Math.abs(first.sumPLogW)).toBeLessThan(1e-12);
    } finally {
      await team.close();
    }
  });

  it("calibrates the perplexity on 3 threads to the same bits as on one", async () => {
    const graph = knnGraph(data, n, 10, 60, { method: "exact" });
    const reference = conditionalAffinities(graph, 20).values;
    const team = await createTeam(3);
    try {
      expect(Array.from(await conditionalAffinitiesOnTeam(team, graph, 20))).toEqual(Array.from(reference));
    } finally {
      await team.close();
    }
  });

  it("settles most trustworthiness queries from an exact search's neighbour lists, to the same bits as the full scans", async () => {
    // A noisy copy of the 10-D points as the "embedding": most embedding neighbours are among the nearest input points, not all.
    const view = Float32Array.from(data, (v, e) => v + 0.3 * Math.sin(e * 12.9898));
    const k = 7;
    const listK = 45;
    const embedded = knnGraph(view, n, 10, k, { method: "exact" }).indices;
    const team = await createTeam(3);
    try {
      const scan = await scanKnnOnTeam(team, data, n, 10, listK);
      for (const graph of [knnGraph(data, n, 10, listK, { method: "exact" }), scan]) {
        for (const sample of [undefined, 360]) {
          const { step, count } = trustworthinessQueries(n, sample);
          const lists = new Int32Array(count * listK);
          for (let q = 0; q < count; q++) lists.set(graph.indices.subarray(q * step * listK, (q + 1) * step * listK - (step - 1) * listK), q * listK);
          // The lists settle most queries, and each one they settle to the scan's own integer.
          const dist = new Float64Array(n);
          const query = new Float64Array(10 + k);
          let settled = 0;
          for (let q = 0; q < count; q++) {
            const fromList = listPenalty(data, 10, q * step, embedded, q * step * k, k, lists, q * listK, listK, dist, query);
            if (fromList < 0) continue;
            settled++;
            expect(fromList).toBe(queryPenalty(data, n, 10, q * step, embedded, q * step * k, k, dist, query));
          }
          expect(settled / count).toBeGreaterThan(0.5);
          expect(settled).toBeLessThan(count);
          const reference = trustworthiness(data, n, 10, view, 10, k, sample === undefined ? {} : { sample });
          expect(reference).toBeLessThan(0.999);
          expect((await trustworthinessOnTeam(team, data, n, 10, embedded, k, sample, { inputLists: lists })).trustworthiness).toBe(reference);
        }
      }
      // Lists that do not hold whole rows for every query are refused.
      await expect(trustworthinessOnTeam(team, data, n, 10, embedded, k, 360, { inputLists: new Int32Array(359 * 3) })).rejects.toThrow(/list entries for 360 queries/);
    } finally {
      await team.close();
    }
  });

  it("measures trustworthiness on 3 threads to the same bits as on this thread, for float32 and float64 input, all points or a sample", async () => {
    // A noisy 2-D view of the 10-D points: many embedding neighbours are not input neighbours, so the ranks matter.
    const view = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      view[2 * i] = data[10 * i]! + 3 * Math.sin(i * 12.9898);
      view[2 * i + 1] = data[10 * i + 1]! + 3 * Math.cos(i * 78.233);
    }
    const embedded = knnGraph(view, n, 2, 7, { method: "exact" }).indices;
    const team = await createTeam(3);
    try {
      for (const input of [data, Float64Array.from(data, (v, e) => v + 1e-9 * Math.sin(e))]) {
        // 360 of 1800 points: every 5th, coprime to the 6 clusters' period (i mod 6), so the queries cover every cluster.
        for (const sample of [undefined, 360]) {
          const reference = trustworthiness(input, n, 10, view, 2, 7, sample === undefined ? {} : { sample });
          expect(reference).toBeLessThan(0.98);
          const onTeam = await trustworthinessOnTeam(team, input, n, 10, embedded, 7, sample);
          expect(onTeam.trustworthiness).toBe(reference);
          // With work for this thread alongside (the workers take the queries meanwhile): the same value, the work done once.
          let alongside = 0;
          const withWork = await trustworthinessOnTeam(team, input, n, 10, embedded, 7, sample, {
            alongside: () => {
              alongside++;
              const until = performance.now() + 20;
              while (performance.now() < until);
            },
          });
          expect(withWork.trustworthiness).toBe(reference);
          expect(alongside).toBe(1);
          if (sample === undefined) expect(onTeam.standardError).toBe(0);
          else {
            // The sample's estimate lies within a few of its standard errors of the value over every point.
            const all = trustworthiness(input, n, 10, view, 2, 7);
            expect(onTeam.standardError).toBeGreaterThan(0);
            expect(Math.abs(reference - all)).toBeLessThan(4 * onTeam.standardError);
          }
        }
      }
    } finally {
      await team.close();
    }
  });

  it("runs the random-projection forest search on 3 threads to the same graph as on one, for float32 and float64 input", async () => {
    const float64 = Float64Array.from(data, (v, e) => v + 1e-9 * Math.sin(e));
    const options = { seed: 5, leafSize: 40, refinements: 2 };
    const team = await createTeam(3);
    try {
      for (const input of [data, float64]) {
        const reference = rpForestKnn(input, n, 10, 30, options);
        const onTeam = await rpForestKnnOnTeam(team, input, n, 10, 30, options);
        expect(Array.from(onTeam.indices)).toEqual(Array.from(reference.indices));
        expect(Array.from(onTeam.distances)).toEqual(Array.from(reference.distances));
        // The search is approximate but close: most of each row agrees with the exact neighbours.
        const exact = knnGraph(input, n, 10, 30, { method: "exact" });
        let hits = 0;
        for (let i = 0; i < n; i++) {
          const truth = new Set(Array.from(exact.indices.subarray(30 * i, 30 * i + 30)));
          for (let t = 0; t < 30; t++) if (truth.has(onTeam.indices[30 * i + t]!)) hits++;
        }
        expect(hits / (30 * n)).toBeGreaterThan(0.9);
      }
    } finally {
      await team.close();
    }
  });

  it("selects the matrix-product search's neighbours on 3 threads to the same graph as on one, equal to brute force", async () => {
    const { initBackend } = await import("@dl/tensor-core");
    await initBackend({ backend: "cpu" });
    const team = await createTeam(3);
    try {
      for (const input of [data, Float64Array.from(data)]) {
        const reference = matmulKnn(input, n, 10, 30);
        const before = tf.memory().numTensors;
        const onTeam = await matmulKnnOnTeam(team, input, n, 10, 30);
        expect(tf.memory().numTensors).toBe(before);
        expect(Array.from(onTeam.indices)).toEqual(Array.from(reference.indices));
        expect(Array.from(onTeam.distances)).toEqual(Array.from(reference.distances));
        const exact = knnGraph(input, n, 10, 30, { method: "exact" });
        expect(Array.from(onTeam.indices)).toEqual(Array.from(exact.indices));
      }
    } finally {
      await team.close();
    }
  });

  it("runs the scan search (no tfjs backend) to the brute-force graph, the same on 1 and 3 threads, in WebAssembly and in TypeScript", async () => {
    const float64 = Float64Array.from(data, (v, e) => v + 1e-9 * Math.sin(e));
    const inputs = [data, float64];
    const graphs: { indices: number[]; distances: number[] }[][] = [[], []];
    for (const [threads, wasm] of [[1, true], [3, true], [3, false]] as const) {
      const team = await createTeam(threads);
      try {
        // No tfjs backend is set up in this test: the scan needs none.
        for (const [e, input] of inputs.entries()) {
          const graph = await scanKnnOnTeam(team, input, n, 10, 30, { wasm });
          graphs[e]?.push({ indices: Array.from(graph.indices), distances: Array.from(graph.distances) });
        }
      } finally {
        await team.close();
      }
    }
    for (const [e, input] of inputs.entries()) {
      const [one, three, typescript] = graphs[e] ?? [];
      expect(three).toEqual(one);
      expect(typescript).toEqual(one);
      const exact = knnGraph(input, n, 10, 30, { method: "exact" });
      expect(one?.indices).toEqual(Array.from(exact.indices));
      // Candidates in float32 sums, the kept ones re-measured as brute force measures them.
      expect(one?.distances).toEqual(Array.from(exact.distances));
    }
  });

  it("gives bit-identical embeddings for 1, 2 and 3 threads (hybrid 2-D through FFT and Barnes–Hut, Barnes–Hut 3-D)", async () => {
    for (const dims of [2, 3] as const) {
      const embeddings: number[][] = [];
      for (const threads of [1, 2, 3]) {
        const iterations = dims === 2 ? 200 : 60;
        const result = await tsne(data, n, 10, { dims, perplexity: 20, iterations, exaggerationIterations: 40, seed: 7, threads });
        embeddings.push(Array.from(result.embedding));
      }
      expect(embeddings[1]).toEqual(embeddings[0]);
      expect(embeddings[2]).toEqual(embeddings[0]);
    }
    expect(liveWorkerCount()).toBe(0);
  });

  it("lets its workers exit after a task marked last, before the team is closed", async () => {
    const team = await createTeam(3);
    try {
      expect(liveWorkerCount()).toBe(2);
      const view = Float32Array.from({ length: 2 * n }, (_, e) => (data[10 * (e >> 1) + (e & 1)] as number) + Math.sin(e));
      const embedded = knnGraph(view, n, 2, 7, { method: "exact" }).indices;
      const reference = trustworthiness(data, n, 10, view, 2, 7, { sample: 360 });
      let waited = 0;
      const result = await trustworthinessOnTeam(team, data, n, 10, embedded, 7, 360, { lastTask: true, alongside: () => undefined });
      expect(result.trustworthiness).toBe(reference);
      // The workers leave on their own (their exit events need this thread's event loop).
      while (liveWorkerCount() > 0 && waited < 5000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        waited += 10;
      }
      expect(liveWorkerCount()).toBe(0);
      expect(() => team.run(TASK.trustworthiness, 1)).toThrow(/after the last task/);
    } finally {
      await team.close();
    }
    expect(liveWorkerCount()).toBe(0);
  });

  it("stops its workers on completion, on an error and on cancel", async () => {
    await tsne(data, n, 10, { perplexity: 20, iterations: 20, seed: 1, threads: 2 });
    expect(liveWorkerCount()).toBe(0);

    const failing = tsne(data, n, 10, {
      perplexity: 20,
      iterations: 200,
      seed: 1,
      threads: 2,
      progressEvery: 10,
      onProgress: (e) => {
        if (e.phase === "optimize") throw new Error("callback failed");
      },
    });
    await expect(failing).rejects.toThrow("callback failed");
    expect(liveWorkerCount()).toBe(0);

    const controller = new AbortController();
    const cancelled = await tsne(data, n, 10, {
      perplexity: 20,
      iterations: 5000,
      seed: 1,
      threads: 2,
      signal: controller.signal,
      progressEvery: 10,
      onProgress: (e) => {
        if (e.phase === "optimize" && (e.step ?? 0) >= 30) controller.abort();
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDlError(cancelled, "ABORTED")).toBe(true);
    expect(liveWorkerCount()).toBe(0);
  });

  it("stops within two seconds (on a loaded 2-core box) of an abort that a timer fires during the k-NN search (a signal handler gets through), workers closed", async () => {
    // 12k points × 50: the forest search alone takes seconds, so the timer falls inside it.
    const big = gaussianClusters(6, 2000, 50, 9);
    const controller = new AbortController();
    const phases = new Set<string>();
    let firesAt = Number.POSITIVE_INFINITY;
    const cancelled = await tsne(big.data, big.n, 50, {
      knn: "rpforest",
      threads: 2,
      iterations: 300,
      seed: 2,
      signal: controller.signal,
      onProgress: (e) => {
        phases.add(e.phase);
        if (e.phase === "affinities" && e.step === 0) {
          firesAt = performance.now() + 200;
          setTimeout(() => controller.abort(), 200);
        }
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const stopMs = performance.now() - firesAt;
    expect(isDlError(cancelled, "ABORTED")).toBe(true);
    expect([...phases]).toEqual(["affinities"]);
    // Before the search returned to the event loop between blocks, the timer waited for the whole search (seconds).
    expect(stopMs).toBeLessThan(2000);
    expect(liveWorkerCount()).toBe(0);
  });

  it("rejects a bad thread count with a typed error", async () => {
    for (const threads of [0, -1, 1.5, Number.NaN, 65]) {
      const error = await tsne(data, n, 10, { threads, iterations: 10 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isDlError(error, "INVALID_ARGUMENT")).toBe(true);
      expect((error as Error).message).toMatch(/threads must be an integer from 1 to 64/);
    }
  });

  it("runs on the calling thread in the browser build", async () => {
    const team = await createBrowserTeam(4);
    expect(team.threads).toBe(1);
    await team.close();
  });

  it("lets the process exit by itself after a threaded run", { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "dl-tsne-exit-"));
    try {
      const script = join(dir, "run.mts");
      const tsneUrl = pathToFileURL(fileURLToPath(new URL("../tsne.ts", import.meta.url))).href;
      await writeFile(
        script,
        [
          `import { tsne } from ${JSON.stringify(tsneUrl)};`,
          "const n = 600;",
          "const data = Float32Array.from({ length: n * 5 }, (_, e) => Math.sin(e * 12.9898) * 43758.5453 % 1);",
          "const r = await tsne(data, n, 5, { perplexity: 20, iterations: 50, seed: 1, threads: 2 });",
          "console.log(r.embedding.length);",
        ].join("\n"),
      );
      const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));
      const { stdout } = await run(process.execPath, ["--conditions=@dl/source", "--import", "tsx", script], { cwd: packageRoot, timeout: 100_000 });
      expect(stdout.trim()).toBe("1200");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
