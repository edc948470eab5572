import { describe, expect, it } from "vitest";

import { textWidth } from "./charts.js";
import { parseColor } from "./color.js";
import { gridLayout, imageGrid, placeImagesAt } from "./images.js";
import { pixelAt } from "./raster.js";

/** count images of h×w where image i has every pixel (y, x) = (i*100 + y*w + x) / 1000. */
function numberedImages(count: number, h: number, w: number): Float32Array {
  const out = new Float32Array(count * h * w);
  for (let i = 0; i < count; i++) for (let p = 0; p < h * w; p++) out[i * h * w + p] = (i * 100 + p) / 1000;
  return out;
}

/** The byte a float32 image value becomes. */
const byte = (v: number): number => Math.round(Math.fround(v) * 255);

describe("imageGrid", () => {
  it("puts image i at padding + (col, row) × (cell + padding)", () => {
    const [count, h, w] = [5, 3, 4];
    const images = numberedImages(count, h, w);
    const grid = imageGrid(images, count, h, w, { columns: 2, padding: 1 });
    expect(grid.width).toBe(1 + 2 * (w + 1));
    expect(grid.height).toBe(1 + 3 * (h + 1));
    for (let i = 0; i < count; i++) {
      const ox = 1 + (i % 2) * (w + 1);
      const oy = 1 + Math.floor(i / 2) * (h + 1);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = byte((i * 100 + y * w + x) / 1000);
          expect(pixelAt(grid, ox + x, oy + y)).toEqual([v, v, v, 255]);
        }
      }
    }
    // Padding and the empty sixth cell keep the background.
    expect(pixelAt(grid, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixelAt(grid, 1 + (w + 1) + 1, 1 + 2 * (h + 1) + 1)).toEqual([0, 0, 0, 255]);
  });

  it("upscales by an integer factor and inverts on request", () => {
    const images = new Float32Array([0, 1, 0.5, 0.25]);
    const grid = imageGrid(images, 1, 2, 2, { scale: 3, padding: 0, invert: true });
    expect(grid.width).toBe(6);
    expect(grid.height).toBe(6);
    expect(pixelAt(grid, 2, 2)[0]).toBe(255);
    expect(pixelAt(grid, 3, 0)[0]).toBe(0);
    expect(pixelAt(grid, 5, 5)[0]).toBe(255 - byte(0.25));
    expect(pixelAt(grid, 0, 3)[0]).toBe(255 - byte(0.5));
  });

  it("draws a bar of the label colour under each image, or an explicit colour", () => {
    const images = new Float32Array(2 * 2 * 2);
    const grid = imageGrid(images, 2, 2, 2, { columns: 2, padding: 1, labels: [3, 1], barHeight: 2 });
    const layout = gridLayout(2, 2, 2, { columns: 2, padding: 1, barHeight: 2 });
    expect(grid.height).toBe(layout.height);
    const o1 = layout.cellOrigin(1);
    expect(pixelAt(grid, o1.x, o1.y + 2)).toEqual(parseColor("#ff7f0e"));
    expect(pixelAt(grid, o1.x + 1, o1.y + 3)).toEqual(parseColor("#ff7f0e"));
    expect(pixelAt(grid, layout.cellOrigin(0).x, layout.cellOrigin(0).y + 2)).toEqual(parseColor("#d62728"));
    const explicit = imageGrid(images, 2, 2, 2, { columns: 2, padding: 1, barColors: ["#00ff00", "#ff0000"] });
    expect(pixelAt(explicit, o1.x, o1.y + 2)).toEqual([255, 0, 0, 255]);
  });

  it("frames the grid in white with its title above, column texts over the columns and row texts to the left", () => {
    const [count, h, w] = [4, 3, 4];
    const images = numberedImages(count, h, w);
    const plain = imageGrid(images, count, h, w, { columns: 2, padding: 1 });
    const titled = imageGrid(images, count, h, w, { columns: 2, padding: 1, title: "Samples", rowLabels: ["first", "second"], columnLabels: ["0", "1"] });
    // Row texts: 8 px of margin plus the widest text ("second"); title 20 px, column texts 16 px, 4 px margins.
    const left = 8 + textWidth("second");
    const top = 4 + 20 + 16;
    expect(titled.width).toBe(left + plain.width + 4);
    expect(titled.height).toBe(top + plain.height + 4);
    // The grid is copied unchanged at (left, top).
    for (let y = 0; y < plain.height; y++) for (let x = 0; x < plain.width; x++) expect(pixelAt(titled, left + x, top + y)).toEqual(pixelAt(plain, x, y));
    // Ink (dark pixels) in the title band, the row-text band and the column-text band; the corner stays white.
    const inked = (x0: number, y0: number, x1: number, y1: number): boolean => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if ((pixelAt(titled, x, y)[0] ?? 255) < 128) return true;
      return false;
    };
    expect(inked(0, 4, titled.width, 24)).toBe(true);
    expect(inked(0, top, left, titled.height)).toBe(true);
    expect(inked(left, 24, titled.width, top)).toBe(true);
    expect(pixelAt(titled, 0, titled.height - 1)).toEqual([255, 255, 255, 255]);
    // A title wider than the grid widens the frame.
    const wide = imageGrid(images, 1, h, w, { padding: 0, title: "A title much wider than one image" });
    expect(wide.width).toBe(textWidth("A title much wider than one image", { bold: true }) + 8);
  });

  it("reads RGB images", () => {
    const rgb = new Float32Array([1, 0, 0, 0, 0, 1]);
    const grid = imageGrid(rgb, 1, 1, 2, { channels: 3, padding: 0 });
    expect(pixelAt(grid, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixelAt(grid, 1, 0)).toEqual([0, 0, 255, 255]);
  });

  it("renders NaN as black and rejects too little data", () => {
    const grid = imageGrid(new Float32Array([NaN]), 1, 1, 1, { padding: 0 });
    expect(pixelAt(grid, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(() => imageGrid(new Float32Array(3), 1, 2, 2)).toThrow(/need 4 values/);
  });
});

describe("placeImagesAt", () => {
  it("puts the extreme points in the corners, y upward", () => {
    const ones = new Float32Array(2 * 2 * 2).fill(1);
    // Point 0 at (min x, max y) → top-left; point 1 at (max x, min y) → bottom-right.
    const canvas = placeImagesAt([0, 10, 5, -3], ones, 2, 2, 2, { width: 20, height: 16, margin: 1 });
    expect(pixelAt(canvas, 1, 1)).toEqual([255, 255, 255, 255]);
    expect(pixelAt(canvas, 2, 2)).toEqual([255, 255, 255, 255]);
    expect(pixelAt(canvas, 17, 13)).toEqual([255, 255, 255, 255]);
    expect(pixelAt(canvas, 18, 14)).toEqual([255, 255, 255, 255]);
    expect(pixelAt(canvas, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixelAt(canvas, 10, 8)).toEqual([0, 0, 0, 255]);
  });

  it("keeps the brighter ink where images overlap, and draws dark ink on a light canvas", () => {
    const a = [0.2, 0.9];
    const b = [0.6, 0.1];
    const images = new Float32Array([...a, ...b]);
    const canvas = placeImagesAt([0, 0, 0, 0], images, 2, 1, 2, { width: 2, height: 1, margin: 0 });
    expect(pixelAt(canvas, 0, 0)[0]).toBe(byte(0.6));
    expect(pixelAt(canvas, 1, 0)[0]).toBe(byte(0.9));
    const light = placeImagesAt([0, 0, 0, 0], images, 2, 1, 2, { width: 2, height: 1, margin: 0, background: "#ffffff" });
    expect(pixelAt(light, 0, 0)[0]).toBe(255 - byte(0.6));
    expect(pixelAt(light, 1, 0)[0]).toBe(255 - byte(0.9));
  });

  it("tints images with their label colour", () => {
    const canvas = placeImagesAt([0, 0], new Float32Array([1]), 1, 1, 1, { width: 1, height: 1, margin: 0, labels: [2] });
    expect(pixelAt(canvas, 0, 0)).toEqual(parseColor("#2ca02c"));
  });
});
