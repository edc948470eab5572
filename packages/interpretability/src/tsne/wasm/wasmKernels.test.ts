import { describe, expect, it } from "vitest";

import { hybridPrefersFft } from "../options.js";
import { computeAffinities, tsne } from "../tsne.js";
import { PARAM, TASK, POINT_CHUNK } from "../parallel/kernels.js";
import { createTeam } from "../parallel/nodeTeam.js";
import { SerialTeam } from "../parallel/team.js";
import { TeamGradient } from "../parallel/teamGradient.js";
import { affinitiesOnTeam } from "../parallel/teamAffinities.js";
import { SpaceTree } from "../spaceTree.js";
import { gaussianClusters } from "../test-utils/testData.js";
import { KERNELS_WASM_BASE64 } from "./kernelsWasm.generated.js";
import { KernelArena, LIST_SUM_MAX_POINTS, WasmDistances, WasmListSums, WasmTrustworthiness, gridNeighbours2, wasmKernelsAvailable } from "./wasmKernels.js";
import { knnGraph, rpForestKnn, vpTreeKnn } from "../knn.js";
import { PARTIAL_CHECK, listPenalty, listSlack, queryPenalty } from "../parallel/tasks/trustworthiness.js";
import { squaredDistance32, squaredDistanceF32 } from "../knnRows.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Deterministic pseudo-random numbers in [0, 1). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("WebAssembly kernels", () => {
  it("are available in Node 20 (SIMD and shared memory)", () => {
    expect(wasmKernelsAvailable()).toBe(true);
    expect(wasmKernelsAvailable(true)).toBe(true);
    expect(KERNELS_WASM_BASE64.length).toBeGreaterThan(100);
  });

  it("the committed module is what assembly/kernels.ts compiles to (run build:wasm after editing it)", async () => {
    const committed = readFileSync(fileURLToPath(new URL("./kernelsWasm.generated.ts", import.meta.url)), "utf8");
    // Loaded by a computed path, so the compiler's types (which redeclare globals such as Array#at) stay out of this program.
    const script = new URL("../../../scripts/buildWasm.ts", import.meta.url).href;
    const { generatedModuleText } = (await import(script)) as { generatedModuleText: () => Promise<string> };
    expect(await generatedModuleText()).toBe(committed);
  }, 60_000);

  it("the attraction equals the TypeScript loop bit for bit (rows of odd and even length)", () => {
    const { data, n } = gaussianClusters(4, 150, 8, 2, 3);
    const p = computeAffinities(data, n, 8, 15);
    const lengths = new Set(Array.from({ length: n }, (_, i) => (p.rowPtr[i + 1] as number) - (p.rowPtr[i] as number)));
    expect([...lengths].some((l) => l % 2 === 1) && [...lengths].some((l) => l % 2 === 0)).toBe(true);
    const rand = uniform(7);
    const y = Float64Array.from({ length: 2 * n }, () => 30 * rand() - 15);
    const results: Float64Array[] = [];
    for (const wasm of [false, true]) {
      const team = new SerialTeam();
      const engine = new TeamGradient(team, y, n, 2, p, { method: "bh", theta: 0.5, fft: {}, useFft: hybridPrefersFft, wasm });
      expect(team.state.params[PARAM.wasm]).toBe(wasm ? 1 : 0);
      expect(team.state.y === engine.y).toBe(true);
      team.run(TASK.attraction, Math.ceil(n / POINT_CHUNK));
      results.push(Float64Array.from(team.state.attraction));
    }
    expect(results[1]!.some((v) => v !== 0)).toBe(true);
    expect(Array.from(results[1]!)).toEqual(Array.from(results[0]!));
  });

  it("Barnes–Hut list sums equal the TypeScript sums bit for bit, through list growth and an oversized group", () => {
    const rand = uniform(11);
    const n = 5000;
    const y = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      // LIST_SUM_MAX_POINTS + 200 coincident points share a leaf (a group too large for the WebAssembly buffers).
      const stacked = i < LIST_SUM_MAX_POINTS + 200;
      y[2 * i] = stacked ? 3 : 40 * rand() - 20;
      y[2 * i + 1] = stacked ? -2 : 40 * rand() - 20;
    }
    const sums = new WasmListSums();
    const initialRoom = sums.list(0).length;
    for (const theta of [0.5, 0]) {
      const tree = new SpaceTree(y, n, 2);
      const groups = tree.groups.length - 1;
      const plain = new Float64Array(2 * n);
      const viaWasm = new Float64Array(2 * n);
      const zPlain = tree.groupRepulsion(0, groups, theta, plain);
      const zWasm = tree.groupRepulsion(0, groups, theta, viaWasm, sums);
      expect(zWasm).toBe(zPlain);
      expect(Array.from(viaWasm)).toEqual(Array.from(plain));
    }
    // θ = 0 lists every point for every group: the list memory had to grow.
    expect(sums.list(0).length).toBeGreaterThan(initialRoom);
  });

  it("k-NN distance batches equal squaredDistance32 bit for bit, and the forest search finds the same graph with them", () => {
    const rand = uniform(5);
    for (const d of [7, 8, 50]) {
      const m = 37;
      const x = Float32Array.from({ length: m * d }, () => 10 * rand() - 5);
      const batch = new WasmDistances();
      batch.rows(m, d, m * m).set(x);
      const pairs = Float64Array.from(batch.pairs(m, d).subarray(0, m * m));
      for (let a = 0; a < m; a++) {
        for (let b = a + 1; b < m; b++) expect(pairs[a * m + b]).toBe(squaredDistance32(x, a, b, d));
      }
      // fromFirst measures four rows at a time: counts with and without a remainder of single rows.
      for (const count of [m - 1, m - 2, m - 3, 3]) {
        batch.rows(count + 1, d, count).set(x.subarray(0, (count + 1) * d));
        const first = Float64Array.from(batch.fromFirst(count, d).subarray(0, count));
        for (let c = 1; c <= count; c++) expect(first[c - 1]).toBe(squaredDistance32(x, 0, c, d));
        // The float32 candidates of the exact scan: squaredDistanceF32's bits, within float32 rounding of the float64 sums.
        const f32 = Float64Array.from(batch.fromFirstF32(count, d).subarray(0, count));
        for (let c = 1; c <= count; c++) {
          expect(f32[c - 1]).toBe(squaredDistanceF32(x, 0, c, d));
          expect(Math.abs((f32[c - 1] as number) - squaredDistance32(x, 0, c, d))).toBeLessThan(1e-5 * squaredDistance32(x, 0, c, d));
        }
      }
    }
    const { data, n } = gaussianClusters(6, 150, 9, 2, 12);
    const options = { trees: 3, leafSize: 40, refinements: 2, seed: 4 };
    const withWasm = rpForestKnn(data, n, 9, 15, { ...options, wasm: true });
    const without = rpForestKnn(data, n, 9, 15, { ...options, wasm: false });
    expect(Array.from(withWasm.indices)).toEqual(Array.from(without.indices));
    expect(Array.from(withWasm.distances)).toEqual(Array.from(without.distances));
  });

  it("P made in the kernel arena by the affinities is used by the optimisation without a copy", async () => {
    const { data, n } = gaussianClusters(4, 300, 8, 2, 6);
    const team = await createTeam(2);
    try {
      let arena: KernelArena | undefined;
      const p = await affinitiesOnTeam(Promise.resolve(team), data, n, 8, 20, { method: "rpforest", seed: 1 }, (t, entries) => {
        arena = t.kernelArena(TeamGradient.arenaBytes(n, 2, entries));
        return arena;
      });
      expect(arena?.holds(p.colIdx) && arena.holds(p.values) && arena.holds(p.rowPtr)).toBe(true);
      const engine = new TeamGradient(team, new Float64Array(2 * n), n, 2, p, { method: "bh", theta: 0.5, fft: {}, useFft: hybridPrefersFft, wasm: true, arena });
      expect(engine.p.colIdx).toBe(p.colIdx);
      expect(engine.p.values).toBe(p.values);
      expect(arena!.holds(engine.y)).toBe(true);
      // The same P as the serial computation.
      const serial = computeAffinities(data, n, 8, 20, { knn: "rpforest", seed: 1 });
      expect(Array.from(p.colIdx)).toEqual(Array.from(serial.colIdx));
      expect(Array.from(p.values)).toEqual(Array.from(serial.values));
    } finally {
      await team.close();
    }
  });

  it("a kernel arena hands out aligned, disjoint arrays and refuses to overflow", () => {
    const arena = new KernelArena(KernelArena.bytesFor([3, 5], [7]), false);
    const a = arena.float64(3);
    const b = arena.int32(7);
    const c = arena.float64(5);
    for (const array of [a, b, c]) {
      expect(array.byteOffset % 16).toBe(0);
      expect(array.buffer).toBe(arena.memory.buffer);
    }
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.byteLength);
    expect(c.byteOffset).toBeGreaterThanOrEqual(b.byteOffset + b.byteLength);
    expect(() => arena.float64(arena.memory.buffer.byteLength / 8)).toThrow(/do not fit/);
  });

  it("t-SNE on worker threads gives the same embedding with and without them (forest k-NN, Barnes–Hut)", async () => {
    const { data, n } = gaussianClusters(5, 400, 10, 2, 9);
    const runs = await Promise.all(
      [true, false].map((wasm) => tsne(data, n, 10, { seed: 3, iterations: 120, exaggerationIterations: 60, threads: 2, method: "bh", knn: "rpforest", wasm })),
    );
    expect(Array.from(runs[0]!.embedding)).toEqual(Array.from(runs[1]!.embedding));
    expect(runs[0]!.kl).toBe(runs[1]!.kl);
    // A team built by hand publishes the memory to its worker.
    const team = await createTeam(2);
    try {
      const p = computeAffinities(data, n, 10, 20);
      new TeamGradient(team, new Float64Array(2 * n), n, 2, p, { method: "hybrid", theta: 0.5, fft: {}, useFft: hybridPrefersFft, wasm: true });
      expect(team.state.wasmMemory?.buffer).toBeInstanceOf(SharedArrayBuffer);
    } finally {
      await team.close();
    }
  }, 120_000);

  it("trustworthiness' list and full-scan penalties equal the TypeScript ones, integer for integer", () => {
    // 1001 points (not a multiple of four) of 37 features (not a multiple of PARTIAL_CHECK) of falling scale, like PCA
    // components, so many full-scan sums end early; embedding neighbours from a noisy 2-D view of them.
    const n = 1001;
    const d = 37;
    const rand = uniform(11);
    const x = Float32Array.from({ length: n * d }, (_, e) => (rand() - 0.5) * 2 ** (-(e % d) / 1.5));
    const view = Float32Array.from({ length: 2 * n }, (_, e) => (x[Math.floor(e / 2) * d + (e % 2)] as number) + 0.002 * (rand() - 0.5));
    const wasm = new WasmTrustworthiness();
    for (const [k, listK] of [
      [10, 300],
      [3, 60],
    ] as const) {
      const embedded = vpTreeKnn(view, n, 2, k, 1).indices;
      const lists = knnGraph(x, n, d, listK, { method: "exact" }).indices;
      wasm.load(x, n, d, k, listK);
      const dist = new Float64Array(n);
      const scratch = new Float64Array(d + k);
      let settled = 0;
      let scanned = 0;
      for (let i = 0; i < n; i += 3) {
        const fromList = listPenalty(x, d, i, embedded, i * k, k, lists, i * listK, listK, dist, scratch);
        expect(wasm.listPenalty(i, embedded, i * k, lists, i * listK, listSlack(d))).toBe(fromList);
        const full = queryPenalty(x, n, d, i, embedded, i * k, k, dist, scratch);
        expect(wasm.queryPenalty(i, embedded, i * k, PARTIAL_CHECK)).toBe(full);
        if (fromList >= 0) settled++;
        if (full > 0) scanned++;
      }
      // Both outcomes of the list test occur, and most queries have misplaced neighbours (a positive penalty).
      expect(settled).toBeGreaterThan(50);
      expect(settled).toBeLessThan(334);
      expect(scanned).toBeGreaterThan(100);
    }
  });

  it("the grid's 2-D neighbours are the VP tree's: clusters, ties on a lattice, coincident points, a line", () => {
    const rand = uniform(5);
    const clusters = Float32Array.from({ length: 2 * 3000 }, (_, e) => 40 * Math.floor((e >> 1) / 600) * (e % 2) + 3 * (rand() - 0.5) ** 3);
    // Integer lattice points, each occurring many times: many equal distances, so ties by index decide.
    const lattice = Float32Array.from({ length: 2 * 2000 }, (_, e) => (e % 2 === 0 ? (e * 7) % 13 : (e * 3) % 11));
    const line = Float32Array.from({ length: 2 * 500 }, (_, e) => (e % 2 === 0 ? Math.fround(rand()) : 1));
    const cases: [Float32Array, number][] = [
      [clusters, 10],
      [clusters, 1],
      [lattice, 10],
      [lattice, 45],
      [new Float32Array(2 * 40).fill(3), 39],
      [line, 12],
      [Float32Array.of(0, 0, 1, 0, 0, 1, 1, 1, 5, 5), 4],
    ];
    for (const [points, k] of cases) {
      const n = points.length / 2;
      expect(Array.from(gridNeighbours2(points, n, k)!)).toEqual(Array.from(vpTreeKnn(points, n, 2, k, 1).indices));
    }
  });
});
