import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import { syntheticImages } from "../test-utils/synthetic.js";
import * as tf from "@tensorflow/tfjs-core";
import { parseImageWarps, pretrainedFeatures, translateImages, warpImages } from "./embedding.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** A "network" whose only block is the image itself, so features can be recomputed by hand. */
function identityBlocks(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 1] });
  return tfl.model({ inputs: input, outputs: [input] });
}

const data = syntheticImages({ classes: 2, perClass: 2, seed: 31 });
for (let i = 0; i < data.images.length; i++) data.images[i] = Math.abs(data.images[i] as number);

describe("translateImages", () => {
  it("moves content by (dy, dx) and fills with zeros", () => {
    const out = translateImages(data, 1, -2);
    for (let i = 0; i < data.count; i++) {
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 6; x++) {
          const sy = y - 1;
          const sx = x + 2;
          const expected = sy >= 0 && sx < 6 ? (data.images[i * 36 + sy * 6 + sx] as number) : 0;
          expect(out.images[i * 36 + y * 6 + x]).toBe(expected);
        }
      }
    }
  });
});

describe("parseImageWarps", () => {
  it("reads z<scale> and r<degrees> tokens, none as no warp, and names the format on a bad token", () => {
    expect(parseImageWarps("z0.9, z1.1,r-10,r10")).toEqual([
      { scale: 0.9, degrees: 0 },
      { scale: 1.1, degrees: 0 },
      { scale: 1, degrees: -10 },
      { scale: 1, degrees: 10 },
    ]);
    expect(parseImageWarps("none")).toEqual([]);
    for (const bad of ["z0", "x3", "r", "z-1", "r400", ""]) expect(() => parseImageWarps(bad)).toThrow(/write z<scale>/);
  });
});

describe("warpImages", () => {
  it("a rotation by 90° permutes the pixels exactly, out[y][x] = in[x][5 − y], and scale 1, 0° is the identity", () => {
    const before = tf.memory().numTensors;
    const turned = warpImages(data, { scale: 1, degrees: 90 });
    const same = warpImages(data, { scale: 1, degrees: 0 });
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < data.count; i++) {
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 6; x++) {
          expect(turned.images[i * 36 + y * 6 + x]).toBeCloseTo(data.images[i * 36 + x * 6 + (5 - y)] as number, 5);
          expect(same.images[i * 36 + y * 6 + x]).toBeCloseTo(data.images[i * 36 + y * 6 + x] as number, 5);
        }
      }
    }
  });

  it("a zoom by s reads the input at c + (p − c) / s, bilinearly, zero outside (hand interpolation)", () => {
    const zoomed = warpImages(data, { scale: 1.25, degrees: 0 });
    const at = (i: number, y: number, x: number): number => (y >= 0 && y < 6 && x >= 0 && x < 6 ? (data.images[i * 36 + y * 6 + x] as number) : 0);
    for (let i = 0; i < data.count; i++) {
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 6; x++) {
          const sy = 2.5 + (y - 2.5) / 1.25;
          const sx = 2.5 + (x - 2.5) / 1.25;
          const y0 = Math.floor(sy);
          const x0 = Math.floor(sx);
          const fy = sy - y0;
          const fx = sx - x0;
          const expected = (1 - fy) * ((1 - fx) * at(i, y0, x0) + fx * at(i, y0, x0 + 1)) + fy * ((1 - fx) * at(i, y0 + 1, x0) + fx * at(i, y0 + 1, x0 + 1));
          expect(zoomed.images[i * 36 + y * 6 + x]).toBeCloseTo(expected, 5);
        }
      }
    }
  });
});

describe("pretrainedFeatures", () => {
  it("power-transforms, then scales to unit norm (hand computation)", async () => {
    const net = identityBlocks();
    const before = tf.memory().numTensors;
    const f = await pretrainedFeatures({ blocks: net }, data, { blocks: [{ block: 0, grid: 6 }], power: 0.5 });
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < data.count; i++) {
      const root = Array.from(data.images.subarray(i * 36, (i + 1) * 36), Math.sqrt);
      const norm = Math.hypot(...root);
      for (let j = 0; j < 36; j++) expect(f.data[i * 36 + j]).toBeCloseTo((root[j] as number) / norm, 5);
    }
    net.dispose();
  });

  it("averages over the 9 translations by ±r before normalising, and appends weighted unit-norm pixels", async () => {
    const net = identityBlocks();
    const f = await pretrainedFeatures({ blocks: net }, data, { blocks: [{ block: 0, grid: 1 }], power: 1, shiftRadius: 1, pixelWeight: 0.5 });
    expect(f.dim).toBe(1 + 36);
    for (let i = 0; i < data.count; i++) {
      // A 1-D block normalised to unit length is 1 whenever its mean is positive.
      expect(f.data[i * 37]).toBeCloseTo(1, 6);
      const img = data.images.subarray(i * 36, (i + 1) * 36);
      const norm = Math.hypot(...img);
      for (let j = 0; j < 36; j++) expect(f.data[i * 37 + 1 + j]).toBeCloseTo((0.5 * (img[j] as number)) / norm, 5);
    }
    // The mean over shifts, checked directly on a 2-channel-free map: grid 6 keeps every pixel.
    const g = await pretrainedFeatures({ blocks: net }, data, { blocks: [{ block: 0, grid: 6 }], power: 1, shiftRadius: 1 });
    const avg = new Float64Array(36);
    for (const dy of [-1, 0, 1]) for (const dx of [-1, 0, 1]) translateImages(data, dy, dx).images.subarray(0, 36).forEach((v, j) => (avg[j] = (avg[j] as number) + v / 9));
    const norm = Math.hypot(...avg);
    for (let j = 0; j < 36; j++) expect(g.data[j]).toBeCloseTo((avg[j] as number) / norm, 5);
    net.dispose();
  });

  it("weighs each warp like one more view: the 9 shifts and a 90° turn average over 10 copies", async () => {
    const net = identityBlocks();
    const before = tf.memory().numTensors;
    const g = await pretrainedFeatures({ blocks: net }, data, { blocks: [{ block: 0, grid: 6 }], power: 1, shiftRadius: 1, warps: [{ scale: 1, degrees: 90 }] });
    expect(tf.memory().numTensors).toBe(before);
    const avg = new Float64Array(36);
    for (const dy of [-1, 0, 1]) for (const dx of [-1, 0, 1]) translateImages(data, dy, dx).images.subarray(0, 36).forEach((v, j) => (avg[j] = (avg[j] as number) + v / 10));
    // The 90° turn by hand: out[y][x] = in[x][5 − y].
    for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) avg[y * 6 + x] = (avg[y * 6 + x] as number) + (data.images[x * 6 + (5 - y)] as number) / 10;
    const norm = Math.hypot(...avg);
    for (let j = 0; j < 36; j++) expect(g.data[j]).toBeCloseTo((avg[j] as number) / norm, 5);
    await expect(pretrainedFeatures({ blocks: net }, data, { warps: [{ scale: 0, degrees: 0 }] })).rejects.toThrow(/scale > 0/);
    net.dispose();
  });

  it("with keepViews also returns each view transformed on its own (the image, its 8 shifts, each warp) and the same average", async () => {
    const net = identityBlocks();
    const options = { blocks: [{ block: 0, grid: 6 }], shiftRadius: 1, warps: [{ scale: 1, degrees: 90 }] };
    const before = tf.memory().numTensors;
    const g = await pretrainedFeatures({ blocks: net }, data, { ...options, keepViews: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(g.data)).toEqual(Array.from((await pretrainedFeatures({ blocks: net }, data, options)).data));
    expect(g.views).toHaveLength(10);
    // Each view: the copy's own √ and unit length, computed here without the network.
    const expected = [data, ...[[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]].map(([dy, dx]) => translateImages(data, dy as number, dx as number)), warpImages(data, { scale: 1, degrees: 90 })];
    expected.forEach((copy, v) => {
      for (let i = 0; i < data.count; i++) {
        const root = Array.from(copy.images.subarray(i * 36, (i + 1) * 36), (x) => Math.sqrt(Math.max(x, 0)));
        const norm = Math.hypot(...root);
        for (let j = 0; j < 36; j++) expect(g.views[v]?.data[i * 36 + j]).toBeCloseTo((root[j] as number) / norm, 5);
      }
    });
    net.dispose();
  });
});
