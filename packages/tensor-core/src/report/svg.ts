import { assertArgument } from "../errors.js";
import { type Bar, type LineSeries, barChartDomain, lineChartDomains, paddedExtent, seriesX, splitPoints, textWidth } from "./charts.js";
import { labelColor } from "./color.js";
import { escapeHtml } from "./escape.js";
import { imageGrid } from "./images.js";
import { encodePng, pngDataUri } from "./png.js";
import { axisTicks, formatTick, linearScale, niceTicks } from "./scale.js";

/** Text and size of an SVG chart. */
export interface SvgChartOptions {
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="11"`;

function frame(options: SvgChartOptions, legendWidth: number, fallbackHeight = 320): Frame {
  const width = options.width ?? 480;
  const height = options.height ?? fallbackHeight;
  return {
    width,
    height,
    left: 56,
    right: width - 12 - legendWidth,
    top: options.title === undefined ? 12 : 30,
    bottom: height - (options.xLabel === undefined ? 26 : 40),
  };
}

function n(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 100) / 100) : "0";
}

/** The title's font size: 13 px, or smaller so that a long title fits the chart's width instead of being cut at both ends. */
export function titleFontSize(title: string, width: number): number {
  // The raster font's 11 px advances scaled to 13 px, 10 % more for bold: wider than most system sans.
  const at13 = ((1.1 * 13) / 11) * textWidth(title);
  return at13 <= width - 16 ? 13 : Math.max(8, Math.floor((130 * (width - 16)) / at13) / 10);
}

function svgDocument(f: Frame, options: SvgChartOptions, body: string[]): string {
  const title =
    options.title === undefined
      ? ""
      : `<text x="${n(f.width / 2)}" y="18" text-anchor="middle" font-size="${titleFontSize(options.title, f.width)}" font-weight="600">${escapeHtml(options.title)}</text>`;
  const xLabel = options.xLabel === undefined ? "" : `<text x="${n((f.left + f.right) / 2)}" y="${n(f.height - 8)}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`;
  const yLabel =
    options.yLabel === undefined
      ? ""
      : `<text transform="translate(14 ${n((f.top + f.bottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" ${FONT} role="img"${options.title === undefined ? "" : ` aria-label="${escapeHtml(options.title)}"`}>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    title,
    xLabel,
    yLabel,
    ...body,
    `</svg>`,
  ]
    .filter((s) => s !== "")
    .join("\n");
}

function yAxis(f: Frame, ticks: readonly number[], step: number, sy: (v: number) => number): string[] {
  const out = [`<line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}" stroke="#555"/>`];
  for (const t of ticks) {
    const y = n(sy(t));
    out.push(`<line x1="${f.left}" y1="${y}" x2="${n(f.right)}" y2="${y}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${f.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t, step)}</text>`);
  }
  return out;
}

function xAxis(f: Frame, ticks: readonly number[], step: number, sx: (v: number) => number): string[] {
  const out = [`<line x1="${f.left}" y1="${f.bottom}" x2="${n(f.right)}" y2="${f.bottom}" stroke="#555"/>`];
  for (const t of ticks) {
    const x = n(sx(t));
    out.push(`<line x1="${x}" y1="${f.bottom}" x2="${x}" y2="${f.bottom + 4}" stroke="#555"/>`);
    out.push(`<text x="${x}" y="${f.bottom + 15}" text-anchor="middle">${formatTick(t, step)}</text>`);
  }
  return out;
}

function legend(f: Frame, entries: readonly { name: string; color: string }[]): string[] {
  return entries.map((e, i) => {
    const y = f.top + 6 + i * 16;
    return `<g><rect x="${n(f.right + 12)}" y="${y - 5}" width="10" height="10" fill="${escapeHtml(e.color)}"/><text x="${n(f.right + 26)}" y="${y}" dominant-baseline="middle">${escapeHtml(e.name)}</text></g>`;
  });
}

function legendWidth(names: readonly string[]): number {
  return names.length === 0 ? 0 : 30 + 6.5 * Math.max(...names.map((s) => s.length));
}

/** A scatter plot (points N×2 interleaved) with axes, coloured by class, and a legend of class names. */
export function scatterSvg(
  points: ArrayLike<number>,
  options: SvgChartOptions & { labels?: ArrayLike<number>; classNames?: readonly string[]; radius?: number } = {},
): string {
  const { x, y } = splitPoints(points);
  const classNames = options.labels === undefined ? [] : (options.classNames ?? uniqueLabels(options.labels).map(String));
  const f = frame(options, legendWidth(classNames), options.height ?? options.width ?? 400);
  const [x0, x1] = paddedExtent(x);
  const [y0, y1] = paddedExtent(y);
  const sx = linearScale(x0, x1, f.left, f.right);
  const sy = linearScale(y0, y1, f.bottom, f.top);
  const xt = niceTicks(x0, x1, 5);
  const yt = niceTicks(y0, y1, 5);
  const inside = (lo: number, hi: number) => (t: number) => t >= lo && t <= hi;
  const body = [...yAxis(f, yt.ticks.filter(inside(y0, y1)), yt.step, sy), ...xAxis(f, xt.ticks.filter(inside(x0, x1)), xt.step, sx)];
  const r = n(options.radius ?? 2.5);
  const dots: string[] = [];
  for (let i = 0; i < x.length; i++) {
    const px = x[i] ?? NaN;
    const py = y[i] ?? NaN;
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    const color = options.labels === undefined ? "#1f77b4" : labelColor(options.labels[i] ?? 0);
    dots.push(`<circle cx="${n(sx(px))}" cy="${n(sy(py))}" r="${r}" fill="${color}" fill-opacity="0.8"/>`);
  }
  body.push(`<g>${dots.join("")}</g>`);
  body.push(...legend(f, classNames.map((name, i) => ({ name, color: labelColor(i) }))));
  return svgDocument(f, options, body);
}

function uniqueLabels(labels: ArrayLike<number>): number[] {
  let max = -1;
  for (let i = 0; i < labels.length; i++) max = Math.max(max, labels[i] ?? 0);
  return Array.from({ length: max + 1 }, (_, i) => i);
}

/** A line chart (e.g. loss and accuracy per epoch) with axes, gridlines and a legend. */
export function lineChartSvg(
  series: readonly LineSeries[],
  options: SvgChartOptions & { yDomain?: readonly [number, number] } = {},
): string {
  const domains = lineChartDomains(series, options.yDomain);
  const f = frame(options, legendWidth(series.map((s) => s.name)));
  const sx = linearScale(domains.x[0], domains.x[1], f.left, f.right);
  const sy = linearScale(domains.y[0], domains.y[1], f.bottom, f.top);
  // Counts (epochs, k) get whole-number ticks only.
  const xt = axisTicks(domains.x[0], domains.x[1], 6, domains.integerX);
  const body = [...yAxis(f, domains.yTicks, domains.yStep, sy), ...xAxis(f, xt.ticks, xt.step, sx)];
  series.forEach((s, k) => {
    const color = escapeHtml(s.color ?? labelColor(k));
    const xs = seriesX(s);
    const segments: string[][] = [[]];
    for (let i = 0; i < s.y.length; i++) {
      const vx = xs[i] ?? NaN;
      const vy = s.y[i] ?? NaN;
      if (!Number.isFinite(vx) || !Number.isFinite(vy)) {
        segments.push([]);
        continue;
      }
      segments[segments.length - 1]?.push(`${n(sx(vx))},${n(sy(vy))}`);
      const e = Math.abs(s.error?.[i] ?? 0);
      if (e > 0 && Number.isFinite(e)) {
        const [cx, lo, hi] = [n(sx(vx)), n(sy(vy - e)), n(sy(vy + e))];
        body.push(`<path d="M${cx} ${lo}V${hi}M${n(sx(vx) - 4)} ${lo}h8M${n(sx(vx) - 4)} ${hi}h8" stroke="${color}" stroke-width="1" fill="none"/>`);
      }
    }
    for (const seg of segments) {
      if (seg.length === 0) continue;
      body.push(`<polyline points="${seg.join(" ")}" fill="none" stroke="${color}" stroke-width="2"/>`);
      if (seg.length <= 40) body.push(...seg.map((p) => `<circle cx="${p.split(",")[0] ?? 0}" cy="${p.split(",")[1] ?? 0}" r="2.5" fill="${color}"/>`));
    }
  });
  body.push(...legend(f, series.map((s, k) => ({ name: s.name, color: s.color ?? labelColor(k) }))));
  return svgDocument(f, options, body);
}

/** A bar chart with ± error bars, category labels and significance marks (e.g. "*") above bars. */
export function barChartSvg(bars: readonly Bar[], options: SvgChartOptions & { yDomain?: readonly [number, number] } = {}): string {
  const { y, yTicks, yStep } = barChartDomain(bars, options.yDomain);
  // Labels wider than their slot are turned 40° (the chart grows downward to hold them), and marks get
  // a band of their own under the title instead of overwriting it.
  const width = options.width ?? 480;
  const slot = (width - 12 - 56) / bars.length;
  const labelWidth = Math.max(...bars.map((b) => 6.5 * b.label.length));
  const turned = labelWidth > slot * 0.95;
  const angle = (40 * Math.PI) / 180;
  const labelDepth = turned ? Math.ceil(labelWidth * Math.sin(angle)) + 6 : 0;
  // The first turned label reaches left of its bar: widen the chart on the left to keep it inside.
  const labelReach = turned ? Math.max(0, Math.ceil(labelWidth * Math.cos(angle) - 56 - slot / 2) + 4) : 0;
  const base = frame({ ...options, width: width + labelReach, height: (options.height ?? 320) + labelDepth }, 0);
  const marked = bars.some((b) => b.mark !== undefined && b.mark !== "");
  const f: Frame = { ...base, left: base.left + labelReach, top: base.top + (marked ? 16 : 0), bottom: base.bottom - labelDepth };
  const sy = linearScale(y[0], y[1], f.bottom, f.top);
  const body = yAxis(f, yTicks, yStep, sy);
  const barWidth = slot * 0.7;
  bars.forEach((b, i) => {
    const cx = f.left + slot * (i + 0.5);
    const top = sy(Math.max(0, b.value));
    const bottom = sy(Math.min(0, b.value));
    body.push(
      `<rect x="${n(cx - barWidth / 2)}" y="${n(top)}" width="${n(barWidth)}" height="${n(Math.max(0.5, bottom - top))}" fill="${escapeHtml(b.color ?? labelColor(i))}"><title>${escapeHtml(`${b.label}: ${b.value}${b.error === undefined ? "" : ` ± ${b.error}`}`)}</title></rect>`,
    );
    let markY = top;
    if (b.error !== undefined && b.error > 0) {
      // A whisker past a fixed y domain (a score in [0, 1] ± its sd) stops at the frame, without a cap there.
      const hiY = Math.max(f.top, sy(b.value + b.error));
      const loY = Math.min(f.bottom, sy(b.value - b.error));
      const cap = Math.min(8, barWidth / 4);
      const capAt = (y: number, open: boolean): string => (open ? "" : `M${n(cx - cap)},${n(y)}H${n(cx + cap)}`);
      body.push(
        `<path d="M${n(cx)},${n(hiY)}V${n(loY)}${capAt(hiY, hiY === f.top)}${capAt(loY, loY === f.bottom)}" stroke="#333" fill="none"/>`,
      );
      markY = Math.min(markY, hiY);
    }
    if (b.mark !== undefined && b.mark !== "") {
      // Centred on its bar, but moved in (not clipped) when it would run past either edge of the chart;
      // measured in the raster font (DejaVu Sans 11 px, wider than most system sans), 10 % more for bold.
      const half = (1.1 * textWidth(b.mark)) / 2;
      const x = Math.max(half + 4, Math.min(f.width - half - 4, cx));
      body.push(`<text x="${n(x)}" y="${n(markY - 5)}" text-anchor="middle" font-weight="600">${escapeHtml(b.mark)}</text>`);
    }
    body.push(
      turned
        ? `<text transform="translate(${n(cx + 3)} ${f.bottom + 10}) rotate(-40)" text-anchor="end" dominant-baseline="middle">${escapeHtml(b.label)}</text>`
        : `<text x="${n(cx)}" y="${f.bottom + 15}" text-anchor="middle">${escapeHtml(b.label)}</text>`,
    );
  });
  body.push(`<line x1="${f.left}" y1="${n(sy(0))}" x2="${n(f.right)}" y2="${n(sy(0))}" stroke="#555"/>`);
  return svgDocument(f, options, body);
}

/**
 * A heatmap of a rows×cols matrix (row-major), e.g. a confusion matrix: darker cells hold larger
 * values; each cell shows its value.
 */
export function heatmapSvg(
  matrix: ArrayLike<number>,
  rows: number,
  cols: number,
  options: SvgChartOptions & { rowLabels?: readonly string[]; colLabels?: readonly string[]; cellSize?: number; showValues?: boolean } = {},
): string {
  assertArgument(matrix.length === rows * cols, () => `heatmapSvg: a ${rows}×${cols} matrix needs ${rows * cols} values, got ${matrix.length}.`);
  // Cells wide enough for their column labels (class names such as "Ankle boot"), within reason.
  const cell = options.cellSize ?? Math.min(72, Math.max(28, 8 + 6.5 * Math.max(0, ...(options.colLabels ?? []).map((s) => s.length))));
  const labelSpace = 8 + 6.5 * Math.max(1, ...(options.rowLabels ?? []).map((s) => s.length));
  const left = 24 + labelSpace;
  const top = (options.title === undefined ? 12 : 30) + 18;
  // Wide enough for the title (13 px bold, ~7.5 px a character) and the x label, not just the cells.
  const width = Math.max(left + cols * cell + 12, 24 + 7.5 * (options.title?.length ?? 0), left + 6.5 * (options.xLabel?.length ?? 0));
  const height = top + rows * cell + (options.xLabel === undefined ? 12 : 30);
  let max = 0;
  for (let i = 0; i < matrix.length; i++) max = Math.max(max, Math.abs(matrix[i] ?? 0));
  const body: string[] = [];
  for (let r = 0; r < rows; r++) {
    body.push(`<text x="${n(left - 6)}" y="${n(top + (r + 0.5) * cell)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(options.rowLabels?.[r] ?? String(r))}</text>`);
    for (let c = 0; c < cols; c++) {
      const v = matrix[r * cols + c] ?? 0;
      const t = max > 0 ? Math.abs(v) / max : 0;
      // Blues: white at 0 → #08306b at the maximum.
      const shade = (from: number, to: number): number => Math.round(from + (to - from) * t);
      const fill = `rgb(${shade(247, 8)},${shade(251, 48)},${shade(255, 107)})`;
      body.push(`<rect x="${left + c * cell}" y="${top + r * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"/>`);
      if (options.showValues !== false) {
        body.push(
          `<text x="${n(left + (c + 0.5) * cell)}" y="${n(top + (r + 0.5) * cell)}" text-anchor="middle" dominant-baseline="middle" font-size="9" fill="${t > 0.5 ? "#fff" : "#222"}">${escapeHtml(formatCell(v))}</text>`,
        );
      }
    }
  }
  for (let c = 0; c < cols; c++) {
    body.push(`<text x="${n(left + (c + 0.5) * cell)}" y="${top - 6}" text-anchor="middle">${escapeHtml(options.colLabels?.[c] ?? String(c))}</text>`);
  }
  const f: Frame = { width, height, left, right: left + cols * cell, top, bottom: top + rows * cell };
  return svgDocument(f, options, body);
}

function formatCell(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(2);
}

/** Options of `imageGridSvg`. */
export interface ImageGridSvgOptions {
  /** Images per row (default ⌈√count⌉). */
  columns?: number;
  /** Integer upscaling of each image (default 2). */
  scale?: number;
  /** Channels per image pixel: 1 (gray) or 3 (RGB). Default 1. */
  channels?: 1 | 3;
  /** One text line under each image, e.g. "7 → 1". */
  captions?: readonly string[];
  /** Colour of each caption (default dark gray). */
  captionColors?: readonly string[];
  /** Draws images dark-on-light. */
  invert?: boolean;
  title?: string;
}

/**
 * A grid of small images, each with a text caption under it (e.g. true and predicted class): every
 * image is its own PNG data URI, so the SVG stays self-contained.
 */
export function imageGridSvg(images: Float32Array, count: number, height: number, width: number, options: ImageGridSvgOptions = {}): string {
  const channels = options.channels ?? 1;
  const perImage = height * width * channels;
  assertArgument(count > 0 && images.length >= count * perImage, () => `imageGridSvg: ${count} images of ${height}×${width}×${channels} need ${count * perImage} values, got ${images.length}.`);
  const scale = options.scale ?? 2;
  const columns = Math.min(count, options.columns ?? Math.ceil(Math.sqrt(count)));
  const rows = Math.ceil(count / columns);
  const captionHeight = options.captions === undefined ? 0 : 14;
  const gap = 6;
  const cellW = width * scale + gap;
  const cellH = height * scale + captionHeight + gap;
  const top = options.title === undefined ? gap : 28;
  const f: Frame = { width: columns * cellW + gap, height: top + rows * cellH, left: gap, right: columns * cellW, top, bottom: top + rows * cellH };
  const body: string[] = [];
  for (let i = 0; i < count; i++) {
    const x = gap + (i % columns) * cellW;
    const y = top + Math.floor(i / columns) * cellH;
    const one = imageGrid(images.subarray(i * perImage, (i + 1) * perImage), 1, height, width, {
      padding: 0,
      channels,
      ...(options.invert === undefined ? {} : { invert: options.invert }),
    });
    body.push(
      `<image x="${x}" y="${y}" width="${width * scale}" height="${height * scale}" href="${pngDataUri(encodePng(one))}" style="image-rendering:pixelated"/>`,
    );
    const caption = options.captions?.[i];
    if (caption !== undefined) {
      const color = escapeHtml(options.captionColors?.[i] ?? "#333333");
      body.push(`<text x="${n(x + (width * scale) / 2)}" y="${y + height * scale + 11}" text-anchor="middle" fill="${color}">${escapeHtml(caption)}</text>`);
    }
  }
  return svgDocument(f, options, body);
}
