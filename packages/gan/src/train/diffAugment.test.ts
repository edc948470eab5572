import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { diffAugment } from "./diffAugment.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** Two 5×6 two-channel images with distinct values in [−1, 1]. */
const [H, W, C] = [5, 6, 2];
const pixels = Float32Array.from({ length: 2 * H * W * C }, (_, k) => ((k * 37) % 101) / 50.5 - 1);
const at = (b: number, y: number, x: number, c: number): number => pixels[((b * H + y) * W + x) * C + c] as number;

describe("DiffAugment's translation and cutout (Zhao et al. 2020)", () => {
  it("moves each image by its own (dy, dx), fills the uncovered border and the cutout square with background −1", async () => {
    const aug = diffAugment([H, W, C], 2, { translate: 2, cutout: 2 });
    const draw = aug.drawOf([
      { dy: 1, dx: -2, top: 3, left: 4 },
      { dy: -1, dx: 0, top: -1, left: -1 },
    ]);
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(pixels, [2, H, W, C]);
    const out = aug.apply(x, draw);
    const got = await out.data();
    tf.dispose([x, out]);
    expect(tf.memory().numTensors).toBe(before);
    const placements = [
      { dy: 1, dx: -2, top: 3, left: 4, size: 2 },
      { dy: -1, dx: 0, top: -1, left: -1, size: 2 },
    ];
    let cut = 0;
    for (let b = 0; b < 2; b++) {
      const { dy, dx, top, left, size } = placements[b] as (typeof placements)[number];
      for (let y = 0; y < H; y++) {
        for (let x2 = 0; x2 < W; x2++) {
          for (let c = 0; c < C; c++) {
            const [sy, sx] = [y - dy, x2 - dx];
            const inCut = y >= top && y < top + size && x2 >= left && x2 < left + size;
            const expected = inCut || sy < 0 || sy >= H || sx < 0 || sx >= W ? -1 : at(b, sy, sx, c);
            if (inCut) cut++;
            expect(got[((b * H + y) * W + x2) * C + c]).toBeCloseTo(expected, 6);
          }
        }
      }
    }
    // Image 0's square is whole (2 × 2), image 1's is clipped at the corner to 1 × 1; both channels.
    expect(cut).toBe((4 + 1) * C);
  });

  it("is the identity with no shift and no cutout, and passes gradients to the pixels it keeps", () => {
    const aug = diffAugment([H, W, C], 2, { translate: 0, cutout: 0 });
    const x = tf.tensor4d(pixels, [2, H, W, C]);
    const same = aug.apply(x, aug.draw(createRng(1)));
    expect(Array.from(same.dataSync()).map((v, k) => Math.abs(v - (pixels[k] as number))).every((d) => d < 1e-6)).toBe(true);
    // d/dx Σ aug(x) is 1 at each kept source pixel and 0 where the pixel left the image or was cut.
    const shifted = diffAugment([H, W, C], 2, { translate: 1, cutout: 1 });
    const draw = shifted.drawOf([
      { dy: 0, dx: 1, top: 0, left: 0 },
      { dy: 0, dx: 0, top: 9, left: 9 },
    ]);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(shifted.apply(v, draw)))(x);
    const g = grad.dataSync();
    // Image 0: the last column leaves the image, and the source of the cut pixel (0, 0) is outside; image 1 keeps all.
    const lost0 = Array.from({ length: H * W * C }, (_, k) => g[k] as number).filter((v) => v === 0).length;
    expect(lost0).toBe(H * C);
    expect(Array.from(g.slice(H * W * C)).every((v) => v === 1)).toBe(true);
    tf.dispose([x, same, grad]);
  });

  it("draws shifts within ±translate, from the seed alone", () => {
    const aug = diffAugment([H, W, 1], 50, { translate: 2, cutout: 0 });
    const a = aug.draw(createRng(3));
    const b = aug.draw(createRng(3));
    expect(a.rows).toEqual(b.rows);
    // Row i of each map's shift matrix has its 1 at column i − dy; collect dy from row 2 (every |dy| ≤ 2 lands inside).
    const shifts = Array.from({ length: 50 }, (_, m) => 2 - (a.rows.subarray((m * H + 2) * H, (m * H + 3) * H).indexOf(1)));
    expect(Math.max(...shifts.map(Math.abs))).toBe(2);
    expect(new Set(shifts).size).toBe(5);
  });

  it("refuses data that is not an image", () => {
    expect(() => diffAugment([2], 4, { translate: 1, cutout: 0 })).toThrow(/DiffAugment needs image data \[H, W, C\]; got \[2\]/);
  });
});
