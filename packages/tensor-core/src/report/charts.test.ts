import { describe, expect, it } from "vitest";

import { barChartRaster, densityRaster, drawText, lineChartRaster, scatterRaster, textWidth } from "./charts.js";
import { GLYPH_CHARS, GLYPH_WIDTHS } from "./font.js";
import { parseColor } from "./color.js";
import { createImage, pixelAt, type RgbaImage } from "./raster.js";

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
    const image = scatterRaster([0, 0, 1, 1], { width: 100, height: 100, margin: 10, labels: [0, 1], radius: 1, bare: true });
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
    const image = lineChartRaster([{ name: "flat", y: [2, 2, 2, 2], color: red }], { width: 60, height: 40, margin: 5, thickness: 1, bare: true });
    const px = pixelsOf(image, [255, 0, 0]);
    const rows = new Set(px.map((p) => p.y));
    expect(rows.size).toBe(1);
    expect(Math.min(...px.map((p) => p.x))).toBe(5);
    expect(Math.max(...px.map((p) => p.x))).toBe(54);
  });

  it("draws a rising series from bottom-left to top-right of the nice domain", () => {
    const image = lineChartRaster([{ name: "up", y: [0, 10], color: "#00ff00" }], { width: 51, height: 51, margin: 0, thickness: 1, bare: true });
    const px = pixelsOf(image, [0, 255, 0]);
    expect(px).toContainEqual({ x: 0, y: 50 });
    expect(px).toContainEqual({ x: 50, y: 0 });
    expect(px).toContainEqual({ x: 25, y: 25 });
  });

  it("draws a ± error as a vertical bar over its whole range and widens the y domain to hold it", () => {
    const image = lineChartRaster([{ name: "ci", y: [2, 2], error: [1, 0], color: "#0000ff" }], { width: 51, height: 51, margin: 0, thickness: 1, bare: true });
    const px = pixelsOf(image, [0, 0, 255]);
    // Domain [1, 3] over rows 50 … 0: the bar at x = 0 spans every row, the point without error only row 25.
    expect(new Set(px.filter((p) => p.x === 0).map((p) => p.y)).size).toBe(51);
    expect(px.filter((p) => p.x === 50).map((p) => p.y)).toEqual([25]);
  });
});

describe("barChartRaster", () => {
  it("makes bar heights proportional to values above the zero baseline", () => {
    const image = barChartRaster(
      [
        { label: "a", value: 5, color: "#ff0000" },
        { label: "b", value: 10, color: "#0000ff" },
      ],
      { width: 100, height: 101, margin: 0, bare: true },
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

describe("barChartRaster marks", () => {
  it("moves a mark wider than its slot in from the right edge instead of cutting it off", () => {
    const mark = "thick-strokes 1.00";
    const bars = Array.from({ length: 10 }, (_, i) => ({ label: String(i), value: 1, color: "#dddddd", ...(i === 9 ? { mark } : {}) }));
    const image = barChartRaster(bars, { width: 300, height: 200 });
    const barTop = Math.min(...pixelsOf(image, [221, 221, 221]).map((p) => p.y));
    // The mark's ink: dark pixels above the bars in the right half (the y axis labels are on the left).
    const ink = darkPixels(image).filter((p) => p.y < barTop && p.x > 150);
    const xs = ink.map((p) => p.x);
    expect(Math.max(...xs)).toBeLessThan(image.width - 1);
    // All of it is drawn: its ink spans the measured width, less the glyphs' side bearings.
    expect(Math.max(...xs) - Math.min(...xs) + 1).toBeGreaterThan(textWidth(mark, { bold: true }) - 6);
  });
});

/** Pixels darker than `threshold` (0–255 luma-ish: mean of r, g, b). */
function darkPixels(image: RgbaImage, threshold = 128): { x: number; y: number }[] {
  const found: { x: number; y: number }[] = [];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const p = pixelAt(image, x, y);
      if ((p[0] + p[1] + p[2]) / 3 < threshold) found.push({ x, y });
    }
  }
  return found;
}

describe("chart text", () => {
  it("measures text as the sum of its glyph advances", () => {
    const w = (ch: string) => GLYPH_WIDTHS[[...GLYPH_CHARS].indexOf(ch)] ?? NaN;
    expect(textWidth("")).toBe(0);
    expect(textWidth("T=1")).toBe(w("T") + w("=") + w("1"));
    expect(textWidth("ab", { bold: true })).toBe(w("a") + w("b") + 1);
  });

  it("draws a minus sign (U+2212) and ∝, which the font lacks, as a hyphen and a tilde rather than '?'", () => {
    const ink = (text: string): string => {
      const image = createImage(60, 20);
      drawText(image, 2, 10, text, { color: "#000000" });
      return darkPixels(image).map((p) => `${p.x},${p.y}`).join(" ");
    };
    expect(ink("exp(−U)")).toBe(ink("exp(-U)"));
    expect(ink("p ∝ q")).toBe(ink("p ~ q"));
    expect(ink("exp(−U)")).not.toBe(ink("exp(?U)"));
  });

  it("draws ink only inside the measured box, and an 'l' as a vertical stroke", () => {
    const image = createImage(80, 30);
    drawText(image, 10, 15, "Hello", { color: "#000000" });
    const ink = darkPixels(image);
    expect(ink.length).toBeGreaterThan(20);
    for (const p of ink) {
      expect(p.x).toBeGreaterThanOrEqual(10);
      expect(p.x).toBeLessThan(10 + textWidth("Hello"));
    }
    const stroke = createImage(20, 20);
    drawText(stroke, 5, 10, "l", { color: "#000000" });
    const rows = new Set(darkPixels(stroke).map((p) => p.y));
    const columns = new Set(darkPixels(stroke).map((p) => p.x));
    expect(rows.size).toBeGreaterThanOrEqual(7);
    expect(columns.size).toBeLessThanOrEqual(2);
  });

  it("turns vertical text so it reads bottom to top", () => {
    const image = createImage(30, 80);
    drawText(image, 15, 40, "Hello", { color: "#000000", align: "middle", vertical: true });
    const ink = darkPixels(image);
    const ys = ink.map((p) => p.y);
    // The text's length now runs along y, centred on 40; its height along x.
    expect(Math.max(...ys) - Math.min(...ys) + 1).toBeGreaterThan(textWidth("Hello") - 3);
    expect(Math.abs((Math.max(...ys) + Math.min(...ys)) / 2 - 40)).toBeLessThanOrEqual(2);
    const xs = ink.map((p) => p.x);
    expect(Math.max(...xs) - Math.min(...xs)).toBeLessThan(12);
  });
});

describe("framed raster charts", () => {
  it("a line chart carries a title, y tick labels and a legend swatch in each series' colour", () => {
    const image = lineChartRaster(
      [
        { name: "loss", y: [2, 1, 0.5], color: "#ff0000" },
        { name: "accuracy", y: [0.5, 0.8, 0.9], color: "#0000ff" },
      ],
      { width: 400, height: 200, title: "Training", xLabel: "epoch", yLabel: "value" },
    );
    // Legend: a 10×10 swatch per series (the lines add more pixels of the same colour).
    expect(pixelsOf(image, [255, 0, 0]).length).toBeGreaterThan(100);
    expect(pixelsOf(image, [0, 0, 255]).length).toBeGreaterThan(100);
    const ink = darkPixels(image, 100);
    // Title ink in the top band, centred over the plot.
    const title = ink.filter((p) => p.y < 20);
    expect(title.length).toBeGreaterThan(20);
    // Tick labels left of the axis and under it, axis label at the very bottom.
    expect(ink.some((p) => p.x < 40 && p.y > 30 && p.y < 160)).toBe(true);
    expect(ink.some((p) => p.y > 185)).toBe(true);
  });

  it("a bar chart with labels too long for their slots stands them upright and grows to hold them", () => {
    const bars = [
      { label: "pool2: thick-strokes", value: 0.4 },
      { label: "dense1: loops", value: 0.9 },
      { label: "random concepts", value: 0.5 },
      { label: "logits: loops", value: 0.7 },
      { label: "conv2: thin-strokes", value: 0.2 },
    ];
    const image = barChartRaster(bars, { width: 300, height: 200 });
    expect(image.height).toBe(200 + textWidth("pool2: thick-strokes") - 14);
    const flat = barChartRaster(bars.map((b, i) => ({ ...b, label: String(i) })), { width: 300, height: 200 });
    expect(flat.height).toBe(200);
  });

  it("a scatter plot's legend lists the class names in the class colours", () => {
    const image = scatterRaster([0, 0, 1, 1, 2, 0], { width: 300, height: 200, labels: [0, 1, 2], classNames: ["zero", "one", "two"], radius: 1 });
    for (const color of ["#1f77b4", "#ff7f0e", "#2ca02c"]) expect(pixelsOf(image, parseColor(color)).length).toBeGreaterThanOrEqual(100);
  });
});

describe("densityRaster", () => {
  it("maps grid rows from the top, dark = dense with √ scaling", () => {
    // 2×2 grid: top-left holds the maximum, bottom-right a quarter of it, the rest nothing.
    const image = densityRaster([4, 0, 0, 1], 2, 2, { width: 20, height: 20, margin: 0, bare: true, xDomain: [0, 1], yDomain: [0, 1] });
    expect(pixelAt(image, 2, 2)[0]).toBe(0);
    expect(pixelAt(image, 15, 2)[0]).toBe(255);
    // √(1/4) = 0.5 → gray 128 (255 · (1 − 0.5), rounded).
    expect(pixelAt(image, 15, 15)[0]).toBe(128);
  });

  it("puts the picture inside labelled axes when not bare", () => {
    const image = densityRaster([1, 0, 0, 0], 2, 2, { width: 200, height: 200, title: "q", xLabel: "z₁", yLabel: "z₂", xDomain: [-4, 4], yDomain: [-4, 4] });
    // The dense cell no longer starts at the image corner: there is room for ticks and the title.
    expect(pixelAt(image, 2, 2)[0]).toBe(255);
    expect(darkPixels(image, 60).some((p) => p.x > 40 && p.y > 25 && p.x < 100 && p.y < 100)).toBe(true);
  });
});
