import { describe, expect, it } from "vitest";

import { barChartRaster, lineChartRaster, scatterRaster } from "./charts.js";
import { parseColor } from "./color.js";
import { pixelAt, type RgbaImage } from "./raster.js";

function pixelsOf(image: RgbaImage, color: readonly number[]): { x: number; y: number }[] {
  const found: { x: number; y: number }[] = [];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const p = pixelAt(image, x, y);
      if (p[0] === color[0] && p[1] === color[1] && p[2] === color[2]) found.push({ x, y });
    }
  }
  return found;
}

describe("scatterRaster", () => {
  it("places each class's point where the padded scale puts it, y upward", () => {
    // Two points: class 0 at (0, 0), class 1 at (1, 1). Padded domain [-0.05, 1.05] onto [10, 89].
    const image = scatterRaster([0, 0, 1, 1], { width: 100, height: 100, margin: 10, labels: [0, 1], radius: 1 });
    const c0 = pixelsOf(image, parseColor("#1f77b4"));
    const c1 = pixelsOf(image, parseColor("#ff7f0e"));
    const centre = (ps: { x: number; y: number }[]) => ({
      x: ps.reduce((s, p) => s + p.x, 0) / ps.length,
      y: ps.reduce((s, p) => s + p.y, 0) / ps.length,
    });
    const at = (v: number) => 10 + ((v + 0.05) / 1.1) * 79;
    expect(centre(c0).x).toBeCloseTo(Math.round(at(0)), 0);
    expect(centre(c0).y).toBeCloseTo(Math.round(99 - at(0)), 0);
    expect(centre(c1).x).toBeCloseTo(Math.round(at(1)), 0);
    expect(centre(c1).y).toBeCloseTo(Math.round(99 - at(1)), 0);
  });
});

describe("lineChartRaster", () => {
  it("draws a constant series as a horizontal line inside the plot", () => {
    const red = "#ff0000";
    const image = lineChartRaster([{ name: "flat", y: [2, 2, 2, 2], color: red }], { width: 60, height: 40, margin: 5, thickness: 1 });
    const px = pixelsOf(image, [255, 0, 0]);
    const rows = new Set(px.map((p) => p.y));
    expect(rows.size).toBe(1);
    expect(Math.min(...px.map((p) => p.x))).toBe(5);
    expect(Math.max(...px.map((p) => p.x))).toBe(54);
  });

  it("draws a rising series from bottom-left to top-right of the nice domain", () => {
    const image = lineChartRaster([{ name: "up", y: [0, 10], color: "#00ff00" }], { width: 51, height: 51, margin: 0, thickness: 1 });
    const px = pixelsOf(image, [0, 255, 0]);
    expect(px).toContainEqual({ x: 0, y: 50 });
    expect(px).toContainEqual({ x: 50, y: 0 });
    expect(px).toContainEqual({ x: 25, y: 25 });
  });
});

describe("barChartRaster", () => {
  it("makes bar heights proportional to values above the zero baseline", () => {
    const image = barChartRaster(
      [
        { label: "a", value: 5, color: "#ff0000" },
        { label: "b", value: 10, color: "#0000ff" },
      ],
      { width: 100, height: 101, margin: 0 },
    );
    const heightOf = (color: readonly number[]) => {
      const ys = pixelsOf(image, color).map((p) => p.y);
      return Math.max(...ys) - Math.min(...ys) + 1;
    };
    // Domain [0, 10] over 100 pixels: the bars span 50 and 100 pixels (the axis covers the bottom row).
    expect(heightOf([255, 0, 0])).toBeGreaterThanOrEqual(49);
    expect(heightOf([255, 0, 0])).toBeLessThanOrEqual(51);
    expect(heightOf([0, 0, 255])).toBeGreaterThanOrEqual(99);
  });
});
