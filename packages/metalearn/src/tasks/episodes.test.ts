import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";
import { describe, expect, it } from "vitest";

import { isDlError } from "@dl/tensor-core";

import { syntheticImages } from "../test-utils/synthetic.js";
import { DEFAULT_CLASS_SPLIT, SQUARE_SYMMETRIES, augmentClassesBySymmetry, createEpisodeSampler, gatherImages, indicesByClass, selectClasses } from "./episodes.js";

const data = syntheticImages({ classes: 10, perClass: 30, seed: 3 });

describe("createEpisodeSampler", () => {
  it("draws N classes, K + Q distinct examples each, relabelled 0..N−1", () => {
    const sampler = createEpisodeSampler(data, { ways: 5, shots: 3, queries: 4, seed: 7 });
    for (let e = 0; e < 50; e++) {
      const ep = sampler.next();
      expect(ep.supportIndices.length).toBe(15);
      expect(ep.queryIndices.length).toBe(20);
      expect(new Set(ep.classes).size).toBe(5);
      const all = [...ep.supportIndices, ...ep.queryIndices];
      expect(new Set(all).size).toBe(all.length); // no support/query overlap, no repeats
      ep.supportIndices.forEach((idx, i) => {
        const way = ep.supportLabels[i] as number;
        expect(way).toBe(Math.floor(i / 3));
        expect(data.labels[idx]).toBe(ep.classes[way]);
      });
      ep.queryIndices.forEach((idx, i) => {
        const way = ep.queryLabels[i] as number;
        expect(way).toBe(Math.floor(i / 4));
        expect(data.labels[idx]).toBe(ep.classes[way]);
      });
    }
  });

  it("keeps meta-train and meta-test classes disjoint", () => {
    const train = createEpisodeSampler(data, { ways: 5, shots: 1, queries: 5, classes: DEFAULT_CLASS_SPLIT.metaTrain, seed: 1 });
    const test = createEpisodeSampler(data, { ways: 5, shots: 1, queries: 5, classes: DEFAULT_CLASS_SPLIT.metaTest, seed: 1 });
    const seenTrain = new Set<number>();
    const seenTest = new Set<number>();
    for (let e = 0; e < 20; e++) {
      const a = train.next();
      const b = test.next();
      for (const i of [...a.supportIndices, ...a.queryIndices]) seenTrain.add(data.labels[i] as number);
      for (const i of [...b.supportIndices, ...b.queryIndices]) seenTest.add(data.labels[i] as number);
    }
    expect([...seenTrain].sort()).toEqual([0, 1, 2, 3, 4]);
    expect([...seenTest].sort()).toEqual([5, 6, 7, 8, 9]);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const a = createEpisodeSampler(data, { ways: 4, shots: 2, queries: 2, seed: 11 });
    const b = createEpisodeSampler(data, { ways: 4, shots: 2, queries: 2, seed: 11 });
    const c = createEpisodeSampler(data, { ways: 4, shots: 2, queries: 2, seed: 12 });
    const ea = [a.next(), a.next()];
    const eb = [b.next(), b.next()];
    const ec = [c.next(), c.next()];
    expect(ea).toEqual(eb);
    expect(ea.map((e) => [...e.supportIndices])).not.toEqual(ec.map((e) => [...e.supportIndices]));
  });

  it("chooses classes uniformly (chi-square goodness of fit)", () => {
    const sampler = createEpisodeSampler(data, { ways: 3, shots: 1, queries: 0, seed: 5 });
    const episodes = 4000;
    const counts = new Float64Array(10);
    for (let e = 0; e < episodes; e++) for (const c of sampler.next().classes) counts[c] = (counts[c] ?? 0) + 1;
    const expected = (episodes * 3) / 10;
    let chi2 = 0;
    for (const o of counts) chi2 += (o - expected) ** 2 / expected;
    // Without replacement inside an episode the statistic is if anything smaller than χ²(9).
    const p = 1 - chisquareCdf(chi2, 9);
    expect(p).toBeGreaterThan(0.001);
    // And a biased sampler would fail: the same statistic on counts with class 0 drawn 30% more often is huge.
    const skewed = [...counts].map((o, i) => (i === 0 ? o * 1.3 : o));
    const chi2Skewed = skewed.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    expect(1 - chisquareCdf(chi2Skewed, 9)).toBeLessThan(0.001);
  });

  it("chooses the examples of a class uniformly", () => {
    const small = syntheticImages({ classes: 2, perClass: 8, seed: 2 });
    const sampler = createEpisodeSampler(small, { ways: 2, shots: 1, queries: 1, seed: 9 });
    const counts = new Map<number, number>();
    const episodes = 4000;
    for (let e = 0; e < episodes; e++) {
      const ep = sampler.next();
      for (const i of ep.supportIndices) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    const expected = episodes / 8;
    let chi2 = 0;
    for (let i = 0; i < small.count; i++) chi2 += ((counts.get(i) ?? 0) - expected) ** 2 / expected;
    expect(1 - chisquareCdf(chi2, 15)).toBeGreaterThan(0.001);
  });

  it("rejects more ways than classes and more shots + queries than examples", () => {
    const catchError = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const tooManyWays = catchError(() => createEpisodeSampler(data, { ways: 6, shots: 1, queries: 1, classes: [0, 1, 2, 3, 4] }));
    expect(isDlError(tooManyWays, "INVALID_ARGUMENT")).toBe(true);
    expect(String(tooManyWays)).toMatch(/only 5 are available/);
    const uneven = syntheticImages({ classes: 3, perClass: [10, 4, 10] });
    const tooManyShots = catchError(() => createEpisodeSampler(uneven, { ways: 2, shots: 3, queries: 2 }));
    expect(isDlError(tooManyShots, "INVALID_ARGUMENT")).toBe(true);
    expect(String(tooManyShots)).toMatch(/4 examples of class 1/);
    expect(isDlError(catchError(() => createEpisodeSampler(data, { ways: 0, shots: 1, queries: 1 })), "INVALID_ARGUMENT")).toBe(true);
    expect(isDlError(catchError(() => createEpisodeSampler(data, { ways: 2, shots: 1, queries: 1, classes: [42] })), "INVALID_ARGUMENT")).toBe(true);
  });
});

describe("gatherImages / selectClasses / indicesByClass", () => {
  it("copies the right rows and keeps only the chosen classes", () => {
    const size = data.height * data.width;
    const rows = gatherImages(data, Int32Array.from([4, 0]));
    expect([...rows.subarray(0, size)]).toEqual([...data.images.subarray(4 * size, 5 * size)]);
    expect([...rows.subarray(size)]).toEqual([...data.images.subarray(0, size)]);
    const sub = selectClasses(data, [2, 7]);
    expect(sub.count).toBe(60);
    expect(new Set(sub.labels)).toEqual(new Set([2, 7]));
    const groups = indicesByClass(data.labels);
    expect([...groups.values()].reduce((s, g) => s + g.length, 0)).toBe(data.count);
  });
});

describe("augmentClassesBySymmetry", () => {
  /** Images as rows of pixels, each pixel its channels: the symmetries written the textbook way. */
  type Grid = number[][][];
  const clockwise = (g: Grid): Grid => g[0]!.map((_, x) => g.map((row) => row[x]!).reverse());
  const mirror = (g: Grid): Grid => g.map((row) => [...row].reverse());
  const toGrid = (flat: ArrayLike<number>, n: number, ch: number): Grid => Array.from({ length: n }, (_, y) => Array.from({ length: n }, (_, x) => Array.from({ length: ch }, (_, c) => flat[(y * n + x) * ch + c] as number)));

  it("turns class c into c·R + r, image r rotated r mod 4 quarter turns clockwise then mirrored when r ≥ 4", async () => {
    const n = 3;
    const ch = 2;
    const size = n * n * ch;
    const images = Float32Array.from({ length: 2 * size }, (_, i) => i);
    const out = await augmentClassesBySymmetry({ images, labels: Int32Array.from([1, 4]), count: 2, height: n, width: n, channels: ch }, SQUARE_SYMMETRIES);
    expect(out.count).toBe(16);
    expect([...out.labels]).toEqual([...Array.from({ length: 8 }, (_, r) => 8 + r), ...Array.from({ length: 8 }, (_, r) => 32 + r)]);
    for (let i = 0; i < 2; i++) {
      let g = toGrid(images.subarray(i * size, (i + 1) * size), n, ch);
      for (let r = 0; r < SQUARE_SYMMETRIES; r++) {
        const expected = r >= 4 ? mirror(g) : g;
        expect(toGrid(out.images.subarray((i * 8 + r) * size, (i * 8 + r + 1) * size), n, ch), `image ${i}, symmetry ${r}`).toEqual(expected);
        g = clockwise(g);
      }
    }
    // A concrete one: a quarter turn clockwise of [[0,1,2],[3,4,5],[6,7,8]] (channel 0 / 2).
    expect(Array.from({ length: 9 }, (_, p) => (out.images[size + p * ch] as number) / 2)).toEqual([6, 3, 0, 7, 4, 1, 8, 5, 2]);
  });

  it("keeps the first R symmetries only (one channel: the fast path), and refuses non-square images", async () => {
    const images = Float32Array.from({ length: 16 }, (_, i) => i);
    const four = await augmentClassesBySymmetry({ images, labels: Int32Array.from([3]), count: 1, height: 4, width: 4, channels: 1 }, 4);
    expect([...four.labels]).toEqual([12, 13, 14, 15]);
    // Quarter turns of [[0..3],[4..7],[8..11],[12..15]]: identity, clockwise, half, anticlockwise.
    expect([...four.images.subarray(16, 32)]).toEqual([12, 8, 4, 0, 13, 9, 5, 1, 14, 10, 6, 2, 15, 11, 7, 3]);
    expect([...four.images.subarray(32, 48)]).toEqual([...images].reverse());
    expect([...four.images.subarray(48, 64)]).toEqual([3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13, 0, 4, 8, 12]);
    await expect(augmentClassesBySymmetry({ images, labels: Int32Array.from([0]), count: 1, height: 2, width: 8, channels: 1 })).rejects.toThrow(/square images/);
  });
});
