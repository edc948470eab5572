import { assertArgument } from "../errors.js";
import { labelColor, parseColor, type Rgba } from "./color.js";
import { GLYPH_BASELINE, GLYPH_BITMAPS, GLYPH_CHARS, GLYPH_HEIGHT, GLYPH_WIDTHS } from "./font.js";
import { createImage, drawLine, fillDisc, fillRect, type RgbaImage } from "./raster.js";
import { axisTicks, extent, formatTick, linearScale, niceTicks } from "./scale.js";

/** One line of a line chart: y values, x values (default 0, 1, …) and a colour (default palette). */
export interface LineSeries {
  name: string;
  y: ArrayLike<number>;
  x?: ArrayLike<number>;
  /** ± error of each y (e.g. a 95 % interval's half-width), drawn as a capped vertical bar. */
  error?: ArrayLike<number>;
  color?: string;
}

/** One bar: its value, an optional ± error (e.g. a standard deviation) and a significance mark. */
export interface Bar {
  label: string;
  value: number;
  error?: number;
  /** Shown above the bar in SVG, e.g. "*", "**" or "n.s.". */
  mark?: string;
  color?: string;
}

/**
 * Size, colours and text of the raster charts. Like the SVG charts they carry a title, labelled axes
 * with ticks and a legend, so a PNG reads on its own; `bare` draws the plot alone on the whole image.
 */
export interface RasterChartOptions {
  width?: number;
  height?: number;
  /** Padding around the plot (bare) or around the whole chart. */
  margin?: number;
  background?: string;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** No text, ticks or legend: the plot fills the image inside `margin`. */
  bare?: boolean;
}

const AXIS = parseColor("#555555");
const GRID = parseColor("#e4e4e4");

interface PlotArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

let glyphs: Map<string, { width: number; coverage: Uint8Array }> | undefined;

/** The glyph atlas of font.ts, decoded once. */
function glyphTable(): Map<string, { width: number; coverage: Uint8Array }> {
  if (glyphs !== undefined) return glyphs;
  const packed = Uint8Array.from(atob(GLYPH_BITMAPS), (c) => c.charCodeAt(0));
  glyphs = new Map();
  let offset = 0;
  [...GLYPH_CHARS].forEach((ch, i) => {
    const width = GLYPH_WIDTHS[i] ?? 0;
    const coverage = new Uint8Array(width * GLYPH_HEIGHT);
    for (let p = 0; p < coverage.length; p++, offset++) {
      const byte = packed[offset >> 1] ?? 0;
      coverage[p] = offset % 2 === 0 ? byte >> 4 : byte & 15;
    }
    glyphs?.set(ch, { width, coverage });
  });
  return glyphs;
}

/** Characters the chart font lacks, drawn as the nearest one it has (U+2212 minus as a hyphen, ∝ as ~). */
const LOOK_ALIKES: Readonly<Record<string, string>> = { "−": "-", "∝": "~", "‖": "|" };

function glyphOf(ch: string): { width: number; coverage: Uint8Array } {
  const table = glyphTable();
  return table.get(ch) ?? table.get(LOOK_ALIKES[ch] ?? "?") ?? table.get("?") ?? { width: 6, coverage: new Uint8Array(6 * GLYPH_HEIGHT) };
}

/** Width in pixels of `text` as `drawText` draws it (11 px DejaVu Sans; bold adds one pixel). */
export function textWidth(text: string, options: { bold?: boolean } = {}): number {
  let w = 0;
  for (const ch of text) w += glyphOf(ch).width;
  return w + (options.bold === true && text !== "" ? 1 : 0);
}

export interface DrawTextOptions {
  color?: string;
  /** Where `x` is along the text: its start (default), middle or end. */
  align?: "start" | "middle" | "end";
  /** Where `y` is: the text's vertical middle (default), or its baseline. */
  baseline?: "middle" | "alphabetic";
  bold?: boolean;
  /** Reads bottom to top (a y-axis label); `x`, `y` then refer to the turned text. */
  vertical?: boolean;
}

function blend(image: RgbaImage, x: number, y: number, color: Rgba, alpha: number): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height || alpha <= 0) return;
  const o = (y * image.width + x) * 4;
  for (let c = 0; c < 3; c++) image.data[o + c] = Math.round((image.data[o + c] ?? 0) * (1 - alpha) + (color[c] ?? 0) * alpha);
  image.data[o + 3] = 255;
}

/** Draws one line of text with the chart font, antialiased over what is already there. */
export function drawText(image: RgbaImage, x: number, y: number, text: string, options: DrawTextOptions = {}): void {
  const color = parseColor(options.color ?? "#222222");
  const width = textWidth(text, options);
  const shift = options.align === "middle" ? width / 2 : options.align === "end" ? width : 0;
  const top = options.baseline === "alphabetic" ? -GLYPH_BASELINE : -Math.round(GLYPH_HEIGHT / 2);
  let pen = Math.round(-shift);
  for (const ch of text) {
    const g = glyphOf(ch);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < g.width; gx++) {
        const a = (g.coverage[gy * g.width + gx] ?? 0) / 15;
        if (a === 0) continue;
        for (let b = 0; b <= (options.bold === true ? 1 : 0); b++) {
          // Along the text: u = pen + gx + b; across it: v = top + gy. Vertical text turns (u, v) by −90°.
          const u = pen + gx + b;
          const v = top + gy;
          if (options.vertical === true) blend(image, Math.round(x) + v, Math.round(y) - u, color, a);
          else blend(image, Math.round(x) + u, Math.round(y) + v, color, a);
        }
      }
    }
    pen += g.width;
  }
}

function area(options: RasterChartOptions, fallbackWidth: number, fallbackHeight: number): { image: RgbaImage; plot: PlotArea } {
  const width = options.width ?? fallbackWidth;
  const height = options.height ?? fallbackHeight;
  const margin = options.margin ?? 12;
  const image = createImage(width, height, options.background ?? "#ffffff");
  return { image, plot: { left: margin, right: width - 1 - margin, top: margin, bottom: height - 1 - margin } };
}

interface LegendEntry {
  name: string;
  color: string;
}

/** Room for text around the plot: title on top, y ticks and label left, x ticks and label below, legend right. */
function framedArea(
  options: RasterChartOptions,
  fallbackWidth: number,
  fallbackHeight: number,
  yTickLabels: readonly string[],
  legend: readonly LegendEntry[],
  xLabelDepth = GLYPH_HEIGHT + 4,
): { image: RgbaImage; plot: PlotArea } {
  if (options.bare === true) return area(options, fallbackWidth, fallbackHeight);
  const width = options.width ?? fallbackWidth;
  const height = options.height ?? fallbackHeight;
  const pad = options.margin ?? 8;
  const image = createImage(width, height, options.background ?? "#ffffff");
  const left = pad + (options.yLabel === undefined ? 0 : GLYPH_HEIGHT + 4) + Math.max(0, ...yTickLabels.map((t) => textWidth(t))) + 8;
  const legendWidth = legend.length === 0 ? 0 : 24 + Math.max(...legend.map((e) => textWidth(e.name)));
  const top = pad + (options.title === undefined ? 4 : GLYPH_HEIGHT + 8);
  const bottom = height - 1 - pad - xLabelDepth - (options.xLabel === undefined ? 0 : GLYPH_HEIGHT + 2);
  const plot = { left, right: width - 1 - pad - legendWidth, top, bottom };
  assertArgument(plot.right - plot.left >= 16 && plot.bottom - plot.top >= 16, () => `A ${width}×${height} chart is too small for its text; make it larger or pass bare: true.`);
  if (options.title !== undefined) drawText(image, (plot.left + plot.right) / 2, pad + GLYPH_HEIGHT / 2, options.title, { align: "middle", bold: true });
  if (options.xLabel !== undefined) drawText(image, (plot.left + plot.right) / 2, height - 1 - pad - GLYPH_HEIGHT / 2, options.xLabel, { align: "middle" });
  if (options.yLabel !== undefined) drawText(image, pad + GLYPH_HEIGHT / 2, (plot.top + plot.bottom) / 2, options.yLabel, { align: "middle", vertical: true });
  legend.forEach((e, i) => {
    const y = plot.top + 6 + i * 16;
    fillRect(image, plot.right + 12, y - 5, 10, 10, parseColor(e.color));
    drawText(image, plot.right + 26, y, e.name);
  });
  return { image, plot };
}

function drawAxes(image: RgbaImage, plot: PlotArea): void {
  drawLine(image, plot.left, plot.top, plot.left, plot.bottom, AXIS);
  drawLine(image, plot.left, plot.bottom, plot.right, plot.bottom, AXIS);
}

/** Tick labels left of the y axis (and gridlines), unless bare. */
function drawYTicks(image: RgbaImage, plot: PlotArea, ticks: readonly number[], step: number, sy: (v: number) => number, options: RasterChartOptions): void {
  for (const t of ticks) {
    drawLine(image, plot.left, sy(t), plot.right, sy(t), GRID);
    if (options.bare !== true) {
      drawLine(image, plot.left - 4, sy(t), plot.left, sy(t), AXIS);
      drawText(image, plot.left - 7, sy(t), formatTick(t, step), { align: "end", color: "#444444" });
    }
  }
}

/** Tick marks and labels under the x axis, unless bare. */
function drawXTicks(image: RgbaImage, plot: PlotArea, lo: number, hi: number, sx: (v: number) => number, options: RasterChartOptions, integers = false): void {
  if (options.bare === true) return;
  const { ticks, step } = axisTicks(lo, hi, Math.max(2, Math.min(8, Math.floor((plot.right - plot.left) / 70))), integers);
  for (const t of ticks) {
    drawLine(image, sx(t), plot.bottom, sx(t), plot.bottom + 4, AXIS);
    drawText(image, sx(t), plot.bottom + 6 + GLYPH_HEIGHT / 2, formatTick(t, step), { align: "middle", color: "#444444" });
  }
}

function yTickLabels(lo: number, hi: number): { ticks: number[]; step: number; labels: string[] } {
  const { ticks, step } = niceTicks(lo, hi, 5);
  const inside = ticks.filter((t) => t >= lo - 1e-12 && t <= hi + 1e-12);
  return { ticks: inside, step, labels: inside.map((t) => formatTick(t, step)) };
}

/** Interleaved N×2 points → separate x and y arrays. */
export function splitPoints(points: ArrayLike<number>): { x: Float64Array; y: Float64Array } {
  assertArgument(points.length % 2 === 0, () => `Points must be N×2 interleaved (x, y); got ${points.length} values.`);
  const n = points.length / 2;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = points[2 * i] ?? NaN;
    y[i] = points[2 * i + 1] ?? NaN;
  }
  return { x, y };
}

/** Pads a domain by a fraction of its span so points do not sit on the frame. */
export function paddedExtent(values: ArrayLike<number>, fraction = 0.05): [number, number] {
  const [lo, hi] = extent(values);
  const pad = hi > lo ? (hi - lo) * fraction : 1;
  return [lo - pad, hi + pad];
}

/**
 * A scatter plot raster: one disc per point (N×2 interleaved), coloured by class, y upward, with a
 * legend of `classNames` (default: the label numbers) when labels are given; a class named "" has no
 * legend entry (so a class number can pick a colour).
 */
export function scatterRaster(
  points: ArrayLike<number>,
  options: RasterChartOptions & { labels?: ArrayLike<number>; classNames?: readonly string[]; radius?: number } = {},
): RgbaImage {
  const { x, y } = splitPoints(points);
  const [x0, x1] = paddedExtent(x);
  const [y0, y1] = paddedExtent(y);
  let classCount = 0;
  for (let i = 0; i < (options.labels?.length ?? 0); i++) classCount = Math.max(classCount, (options.labels?.[i] ?? 0) + 1);
  const names = options.labels === undefined ? [] : (options.classNames ?? Array.from({ length: classCount }, (_, i) => String(i)));
  const yt = yTickLabels(y0, y1);
  const { image, plot } = framedArea(options, 480, 480, yt.labels, names.flatMap((name, i) => (name === "" ? [] : [{ name, color: labelColor(i) }])));
  const sx = linearScale(x0, x1, plot.left, plot.right);
  const sy = linearScale(y0, y1, plot.bottom, plot.top);
  if (options.bare !== true) {
    drawYTicks(image, plot, yt.ticks, yt.step, sy, options);
    drawXTicks(image, plot, x0, x1, sx, options);
    drawAxes(image, plot);
  }
  const colors = Array.from({ length: 10 }, (_, i) => parseColor(labelColor(i)));
  for (let i = 0; i < x.length; i++) {
    const px = x[i] ?? NaN;
    const py = y[i] ?? NaN;
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    const label = options.labels?.[i] ?? 0;
    const color = colors[((label % 10) + 10) % 10] ?? AXIS;
    fillDisc(image, sx(px), sy(py), options.radius ?? 2, color);
  }
  return image;
}

/** The x values of a series (0, 1, … when absent). */
export function seriesX(series: LineSeries): ArrayLike<number> {
  return series.x ?? Float64Array.from({ length: series.y.length }, (_, i) => i);
}

/** Shared y ticks of line charts: nice round values covering every series (or `yDomain`); `integerX` when every x is a count (epochs, k). */
export function lineChartDomains(
  series: readonly LineSeries[],
  yDomain?: readonly [number, number],
): { x: [number, number]; integerX: boolean; y: [number, number]; yTicks: number[]; yStep: number } {
  assertArgument(series.length > 0, "A line chart needs at least one series.");
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of series) {
    const sx = seriesX(s);
    assertArgument(sx.length === s.y.length, () => `Series "${s.name}" has ${sx.length} x values but ${s.y.length} y values.`);
    assertArgument(s.error === undefined || s.error.length === s.y.length, () => `Series "${s.name}" has ${s.error?.length ?? 0} errors but ${s.y.length} y values.`);
    for (let i = 0; i < s.y.length; i++) {
      xs.push(sx[i] ?? NaN);
      const e = Math.abs(s.error?.[i] ?? 0);
      ys.push((s.y[i] ?? NaN) - e, (s.y[i] ?? NaN) + e);
    }
  }
  const [ylo, yhi] = yDomain ?? extent(ys);
  const { ticks, step } = niceTicks(ylo, yhi, 5);
  const y: [number, number] = yDomain === undefined ? [ticks[0] ?? ylo, ticks[ticks.length - 1] ?? yhi] : [ylo, yhi];
  return { x: extent(xs), integerX: xs.every(Number.isInteger), y, yTicks: ticks.filter((t) => t >= y[0] - 1e-12 && t <= y[1] + 1e-12), yStep: step };
}

/** A line chart raster (e.g. loss per epoch): gridlines at round y values, one polyline per series. */
export function lineChartRaster(
  series: readonly LineSeries[],
  options: RasterChartOptions & { yDomain?: readonly [number, number]; thickness?: number } = {},
): RgbaImage {
  const domains = lineChartDomains(series, options.yDomain);
  const { image, plot } = framedArea(
    options,
    480,
    240,
    domains.yTicks.map((t) => formatTick(t, domains.yStep)),
    series.map((s, k) => ({ name: s.name, color: s.color ?? labelColor(k) })),
  );
  const sx = linearScale(domains.x[0], domains.x[1], plot.left, plot.right);
  const sy = linearScale(domains.y[0], domains.y[1], plot.bottom, plot.top);
  drawYTicks(image, plot, domains.yTicks, domains.yStep, sy, options);
  drawXTicks(image, plot, domains.x[0], domains.x[1], sx, options, domains.integerX);
  drawAxes(image, plot);
  series.forEach((s, k) => {
    const color = parseColor(s.color ?? labelColor(k));
    const xs = seriesX(s);
    let prev: [number, number] | undefined;
    for (let i = 0; i < s.y.length; i++) {
      const vx = xs[i] ?? NaN;
      const vy = s.y[i] ?? NaN;
      if (!Number.isFinite(vx) || !Number.isFinite(vy)) {
        prev = undefined;
        continue;
      }
      const p: [number, number] = [sx(vx), sy(vy)];
      const isolated = prev === undefined && !(Number.isFinite(xs[i + 1] ?? NaN) && Number.isFinite(s.y[i + 1] ?? NaN));
      if (isolated) fillDisc(image, p[0], p[1], options.bare === true ? 1 : 3, color);
      else if (prev !== undefined) drawLine(image, prev[0], prev[1], p[0], p[1], color, options.thickness ?? 2);
      const e = Math.abs(s.error?.[i] ?? 0);
      if (e > 0 && Number.isFinite(e)) {
        const [lo, hi] = [sy(vy - e), sy(vy + e)];
        drawLine(image, p[0], lo, p[0], hi, color, 1);
        drawLine(image, p[0] - 4, lo, p[0] + 4, lo, color, 1);
        drawLine(image, p[0] - 4, hi, p[0] + 4, hi, color, 1);
      }
      prev = p;
    }
  });
  return image;
}

/** The y domain of a bar chart: includes 0 and every value ± error, widened to round ticks. */
export function barChartDomain(bars: readonly Bar[], yDomain?: readonly [number, number]): { y: [number, number]; yTicks: number[]; yStep: number } {
  assertArgument(bars.length > 0, "A bar chart needs at least one bar.");
  const values = [0];
  for (const b of bars) {
    const e = Math.abs(b.error ?? 0);
    values.push(b.value - e, b.value + e);
  }
  const [lo, hi] = yDomain ?? extent(values);
  const { ticks, step } = niceTicks(lo, hi, 5);
  const y: [number, number] = yDomain === undefined ? [ticks[0] ?? lo, ticks[ticks.length - 1] ?? hi] : [lo, hi];
  return { y, yTicks: ticks.filter((t) => t >= y[0] - 1e-12 && t <= y[1] + 1e-12), yStep: step };
}

/** A bar chart raster with error whiskers (value ± error) and a zero baseline. */
export function barChartRaster(
  bars: readonly Bar[],
  options: RasterChartOptions & { yDomain?: readonly [number, number] } = {},
): RgbaImage {
  const { y, yTicks, yStep } = barChartDomain(bars, options.yDomain);
  // Category labels lie flat when they fit their slot and stand upright (read bottom to top) when not.
  const labelWidth = Math.max(...bars.map((b) => textWidth(b.label)));
  const width = options.width ?? 480;
  const upright = labelWidth > ((width - 80) / bars.length) * 0.95;
  const marked = bars.some((b) => b.mark !== undefined && b.mark !== "");
  const framed = framedArea(
    // Upright labels get their own room: the chart grows downward rather than shrinking its plot.
    upright ? { ...options, height: (options.height ?? 240) + labelWidth - GLYPH_HEIGHT } : options,
    480,
    240,
    yTicks.map((t) => formatTick(t, yStep)),
    [],
    upright ? labelWidth + 8 : GLYPH_HEIGHT + 4,
  );
  const { image } = framed;
  // Marks (e.g. "*") get a band of their own above the tallest bar.
  const plot = { ...framed.plot, top: framed.plot.top + (marked && options.bare !== true ? GLYPH_HEIGHT : 0) };
  const sy = linearScale(y[0], y[1], plot.bottom, plot.top);
  drawYTicks(image, plot, yTicks, yStep, sy, options);
  const slot = (plot.right - plot.left) / bars.length;
  const barWidth = Math.max(1, Math.floor(slot * 0.7));
  bars.forEach((b, i) => {
    const cx = plot.left + slot * (i + 0.5);
    const top = sy(Math.max(0, b.value));
    const bottom = sy(Math.min(0, b.value));
    fillRect(image, Math.round(cx - barWidth / 2), Math.round(top), barWidth, Math.max(1, Math.round(bottom - top)), parseColor(b.color ?? labelColor(i)));
    if (b.error !== undefined && b.error > 0) {
      // A whisker past a fixed y domain stops at the frame, without a cap there.
      const hiY = Math.max(plot.top, sy(b.value + b.error));
      const loY = Math.min(plot.bottom, sy(b.value - b.error));
      const cap = Math.max(2, Math.floor(barWidth / 4));
      drawLine(image, cx, hiY, cx, loY, AXIS);
      if (hiY > plot.top) drawLine(image, cx - cap, hiY, cx + cap, hiY, AXIS);
      if (loY < plot.bottom) drawLine(image, cx - cap, loY, cx + cap, loY, AXIS);
    }
    if (options.bare !== true) {
      if (b.mark !== undefined && b.mark !== "") {
        // Moved in from the picture's edges rather than cut off there.
        const half = textWidth(b.mark, { bold: true }) / 2;
        const x = Math.max(half + 2, Math.min(image.width - half - 2, cx));
        drawText(image, x, Math.min(top, b.error === undefined ? top : sy(b.value + b.error)) - 4, b.mark, { align: "middle", baseline: "alphabetic", bold: true });
      }
      if (upright) drawText(image, cx, plot.bottom + 6, b.label, { align: "end", vertical: true });
      else drawText(image, cx, plot.bottom + 6 + GLYPH_HEIGHT / 2, b.label, { align: "middle" });
    }
  });
  drawAxes(image, plot);
  drawLine(image, plot.left, sy(0), plot.right, sy(0), AXIS);
  return image;
}

/**
 * A density (or any non-negative field) on an nx × ny grid, rows from the top, as a gray picture
 * (dark = dense; √ scaling so thin tails stay visible) inside labelled axes spanning `xDomain` × `yDomain`.
 */
export function densityRaster(
  values: ArrayLike<number>,
  nx: number,
  ny: number,
  options: RasterChartOptions & { xDomain: readonly [number, number]; yDomain: readonly [number, number] },
): RgbaImage {
  assertArgument(values.length === nx * ny, () => `densityRaster: an ${nx}×${ny} grid needs ${nx * ny} values, got ${values.length}.`);
  const yt = yTickLabels(options.yDomain[0], options.yDomain[1]);
  const { image, plot } = framedArea(options, 420, 420, yt.labels, []);
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i] ?? 0);
  for (let py = Math.ceil(plot.top); py <= plot.bottom; py++) {
    const r = Math.min(ny - 1, Math.floor(((py - plot.top) / (plot.bottom - plot.top + 1)) * ny));
    for (let px = Math.ceil(plot.left); px <= plot.right; px++) {
      const c = Math.min(nx - 1, Math.floor(((px - plot.left) / (plot.right - plot.left + 1)) * nx));
      const v = values[r * nx + c] ?? 0;
      const g = Math.round(255 * (1 - Math.sqrt(max > 0 ? Math.max(0, v) / max : 0)));
      const o = (py * image.width + px) * 4;
      image.data[o] = g;
      image.data[o + 1] = g;
      image.data[o + 2] = g;
      image.data[o + 3] = 255;
    }
  }
  if (options.bare !== true) {
    const sx = linearScale(options.xDomain[0], options.xDomain[1], plot.left, plot.right);
    const sy = linearScale(options.yDomain[0], options.yDomain[1], plot.bottom, plot.top);
    for (const t of yt.ticks) {
      drawLine(image, plot.left - 4, sy(t), plot.left, sy(t), AXIS);
      drawText(image, plot.left - 7, sy(t), formatTick(t, yt.step), { align: "end", color: "#444444" });
    }
    drawXTicks(image, plot, options.xDomain[0], options.xDomain[1], sx, options);
    drawAxes(image, plot);
  }
  return image;
}
