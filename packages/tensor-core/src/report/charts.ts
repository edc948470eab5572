import { assertArgument } from "../errors.js";
import { labelColor, parseColor } from "./color.js";
import { createImage, drawLine, fillDisc, fillRect, type RgbaImage } from "./raster.js";
import { extent, linearScale, niceTicks } from "./scale.js";

/** One line of a line chart: y values, x values (default 0, 1, …) and a colour (default palette). */
export interface LineSeries {
  name: string;
  y: ArrayLike<number>;
  x?: ArrayLike<number>;
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

/** Size and colours shared by the raster charts (which carry no text: captions say what they show). */
export interface RasterChartOptions {
  width?: number;
  height?: number;
  margin?: number;
  background?: string;
}

const AXIS = parseColor("#555555");
const GRID = parseColor("#e4e4e4");

interface PlotArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function area(options: RasterChartOptions, fallbackWidth: number, fallbackHeight: number): { image: RgbaImage; plot: PlotArea } {
  const width = options.width ?? fallbackWidth;
  const height = options.height ?? fallbackHeight;
  const margin = options.margin ?? 12;
  const image = createImage(width, height, options.background ?? "#ffffff");
  return { image, plot: { left: margin, right: width - 1 - margin, top: margin, bottom: height - 1 - margin } };
}

function drawAxes(image: RgbaImage, plot: PlotArea): void {
  drawLine(image, plot.left, plot.top, plot.left, plot.bottom, AXIS);
  drawLine(image, plot.left, plot.bottom, plot.right, plot.bottom, AXIS);
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

/** A scatter plot raster: one disc per point (N×2 interleaved), coloured by class. y grows upward. */
export function scatterRaster(
  points: ArrayLike<number>,
  options: RasterChartOptions & { labels?: ArrayLike<number>; radius?: number } = {},
): RgbaImage {
  const { x, y } = splitPoints(points);
  const { image, plot } = area(options, 480, 480);
  const [x0, x1] = paddedExtent(x);
  const [y0, y1] = paddedExtent(y);
  const sx = linearScale(x0, x1, plot.left, plot.right);
  const sy = linearScale(y0, y1, plot.bottom, plot.top);
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

/** Shared y ticks of line charts: nice round values covering every series (or `yDomain`). */
export function lineChartDomains(
  series: readonly LineSeries[],
  yDomain?: readonly [number, number],
): { x: [number, number]; y: [number, number]; yTicks: number[]; yStep: number } {
  assertArgument(series.length > 0, "A line chart needs at least one series.");
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of series) {
    const sx = seriesX(s);
    assertArgument(sx.length === s.y.length, () => `Series "${s.name}" has ${sx.length} x values but ${s.y.length} y values.`);
    for (let i = 0; i < s.y.length; i++) {
      xs.push(sx[i] ?? NaN);
      ys.push(s.y[i] ?? NaN);
    }
  }
  const [ylo, yhi] = yDomain ?? extent(ys);
  const { ticks, step } = niceTicks(ylo, yhi, 5);
  const y: [number, number] = yDomain === undefined ? [ticks[0] ?? ylo, ticks[ticks.length - 1] ?? yhi] : [ylo, yhi];
  return { x: extent(xs), y, yTicks: ticks.filter((t) => t >= y[0] - 1e-12 && t <= y[1] + 1e-12), yStep: step };
}

/** A line chart raster (e.g. loss per epoch): gridlines at round y values, one polyline per series. */
export function lineChartRaster(
  series: readonly LineSeries[],
  options: RasterChartOptions & { yDomain?: readonly [number, number]; thickness?: number } = {},
): RgbaImage {
  const domains = lineChartDomains(series, options.yDomain);
  const { image, plot } = area(options, 480, 240);
  const sx = linearScale(domains.x[0], domains.x[1], plot.left, plot.right);
  const sy = linearScale(domains.y[0], domains.y[1], plot.bottom, plot.top);
  for (const t of domains.yTicks) drawLine(image, plot.left, sy(t), plot.right, sy(t), GRID);
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
      if (isolated) fillDisc(image, p[0], p[1], 1, color);
      else if (prev !== undefined) drawLine(image, prev[0], prev[1], p[0], p[1], color, options.thickness ?? 2);
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
  const { y, yTicks } = barChartDomain(bars, options.yDomain);
  const { image, plot } = area(options, 480, 240);
  const sy = linearScale(y[0], y[1], plot.bottom, plot.top);
  for (const t of yTicks) drawLine(image, plot.left, sy(t), plot.right, sy(t), GRID);
  const slot = (plot.right - plot.left) / bars.length;
  const barWidth = Math.max(1, Math.floor(slot * 0.7));
  bars.forEach((b, i) => {
    const cx = plot.left + slot * (i + 0.5);
    const top = sy(Math.max(0, b.value));
    const bottom = sy(Math.min(0, b.value));
    fillRect(image, Math.round(cx - barWidth / 2), Math.round(top), barWidth, Math.max(1, Math.round(bottom - top)), parseColor(b.color ?? labelColor(i)));
    if (b.error !== undefined && b.error > 0) {
      const hiY = sy(b.value + b.error);
      const loY = sy(b.value - b.error);
      const cap = Math.max(2, Math.floor(barWidth / 4));
      drawLine(image, cx, hiY, cx, loY, AXIS);
      drawLine(image, cx - cap, hiY, cx + cap, hiY, AXIS);
      drawLine(image, cx - cap, loY, cx + cap, loY, AXIS);
    }
  });
  drawAxes(image, plot);
  drawLine(image, plot.left, sy(0), plot.right, sy(0), AXIS);
  return image;
}
