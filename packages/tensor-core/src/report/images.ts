import { assertArgument } from "../errors.js";
import { drawText, textWidth } from "./charts.js";
import { labelColor, luma, parseColor } from "./color.js";
import { createImage, fillRect, type RgbaImage } from "./raster.js";
import { extent } from "./scale.js";

/** Options of `imageGrid`. */
export interface ImageGridOptions {
  /** Images per row (default ⌈√count⌉). */
  columns?: number;
  /** Pixels between images and around the grid (default 2). */
  padding?: number;
  /** Integer upscaling of every image (default 1). */
  scale?: number;
  /** Channels per image pixel in `images`: 1 (gray) or 3 (RGB). Default 1. */
  channels?: 1 | 3;
  /** Background and padding colour (default black). */
  background?: string;
  /** Draws images dark-on-light (1 − value). */
  invert?: boolean;
  /** One class per image: draws a bar of the class's palette colour under each image. */
  labels?: ArrayLike<number>;
  /** One colour per image for the bar under it (wins over `labels`), e.g. green/red for right/wrong. */
  barColors?: readonly string[];
  /** Height of the bar under each image (default 3 when labels or barColors are given, else 0). */
  barHeight?: number;
  /** A bold line above the grid; with `rowLabels`/`columnLabels` the grid sits in a white frame. */
  title?: string;
  /** One text per row, left of it (e.g. the label a row of samples was drawn for). */
  rowLabels?: readonly string[];
  /** One text per column, above it. */
  columnLabels?: readonly string[];
}

/** Where each cell of a grid lies: image `i` has its top-left corner at `cellOrigin(i)`. */
export interface GridLayout {
  columns: number;
  rows: number;
  width: number;
  height: number;
  cellWidth: number;
  /** Image plus bar. */
  cellHeight: number;
  padding: number;
  cellOrigin: (index: number) => { x: number; y: number };
}

export function gridLayout(
  count: number,
  imageHeight: number,
  imageWidth: number,
  options: Pick<ImageGridOptions, "columns" | "padding" | "scale" | "barHeight"> = {},
): GridLayout {
  assertArgument(Number.isInteger(count) && count > 0, () => `An image grid needs at least one image, got ${count}.`);
  const columns = Math.min(count, options.columns ?? Math.ceil(Math.sqrt(count)));
  assertArgument(Number.isInteger(columns) && columns > 0, () => `columns must be a positive integer, got ${columns}.`);
  const scale = options.scale ?? 1;
  assertArgument(Number.isInteger(scale) && scale > 0, () => `scale must be a positive integer, got ${scale}.`);
  const padding = options.padding ?? 2;
  assertArgument(Number.isInteger(padding) && padding >= 0, () => `padding must be an integer ≥ 0, got ${padding}.`);
  const rows = Math.ceil(count / columns);
  const cellWidth = imageWidth * scale;
  const cellHeight = imageHeight * scale + (options.barHeight ?? 0);
  return {
    columns,
    rows,
    width: padding + columns * (cellWidth + padding),
    height: padding + rows * (cellHeight + padding),
    cellWidth,
    cellHeight,
    padding,
    cellOrigin: (index) => ({
      x: padding + (index % columns) * (cellWidth + padding),
      y: padding + Math.floor(index / columns) * (cellHeight + padding),
    }),
  };
}

function toByte(value: number | undefined): number {
  // NaN (and undefined) render black rather than poisoning the raster.
  if (value === undefined || !(value > 0)) return 0;
  return value >= 1 ? 255 : Math.round(value * 255);
}

/**
 * Tiles `count` images (`images` is N×H×W×C float32 in [0, 1], row-major) into one RGBA raster —
 * a sprite sheet or a figure of samples, optionally with a coloured bar under each image.
 */
export function imageGrid(
  images: Float32Array,
  count: number,
  height: number,
  width: number,
  options: ImageGridOptions = {},
): RgbaImage {
  const channels = options.channels ?? 1;
  const pixels = height * width * channels;
  assertArgument(
    images.length >= count * pixels,
    () => `imageGrid: ${count} images of ${height}×${width}×${channels} need ${count * pixels} values, got ${images.length}.`,
  );
  const hasBars = options.labels !== undefined || options.barColors !== undefined;
  const barHeight = options.barHeight ?? (hasBars ? 3 : 0);
  const scale = options.scale ?? 1;
  const layout = gridLayout(count, height, width, { ...options, barHeight });
  const out = createImage(layout.width, layout.height, options.background ?? "#000000");
  const invert = options.invert === true;
  for (let i = 0; i < count; i++) {
    const { x: ox, y: oy } = layout.cellOrigin(i);
    const base = i * pixels;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = base + (y * width + x) * channels;
        let r = toByte(images[p]);
        let g = channels === 3 ? toByte(images[p + 1]) : r;
        let b = channels === 3 ? toByte(images[p + 2]) : r;
        if (invert) [r, g, b] = [255 - r, 255 - g, 255 - b];
        for (let sy = 0; sy < scale; sy++) {
          let o = ((oy + y * scale + sy) * layout.width + ox + x * scale) * 4;
          for (let sx = 0; sx < scale; sx++, o += 4) {
            out.data[o] = r;
            out.data[o + 1] = g;
            out.data[o + 2] = b;
            out.data[o + 3] = 255;
          }
        }
      }
    }
    if (barHeight > 0) {
      const color = options.barColors?.[i] ?? (options.labels === undefined ? undefined : labelColor(options.labels[i] ?? 0));
      if (color !== undefined) fillRect(out, ox, oy + height * scale, layout.cellWidth, barHeight, parseColor(color));
    }
  }
  return options.title === undefined && options.rowLabels === undefined && options.columnLabels === undefined ? out : framed(out, layout, options);
}

/** The grid in a white frame with its title above, its column texts over the columns and its row texts left of the rows. */
function framed(grid: RgbaImage, layout: GridLayout, options: Pick<ImageGridOptions, "title" | "rowLabels" | "columnLabels">): RgbaImage {
  const line = 16;
  const left = options.rowLabels === undefined ? 4 : 8 + Math.max(0, ...options.rowLabels.map((t) => textWidth(t)));
  const titleHeight = options.title === undefined ? 0 : line + 4;
  const top = 4 + titleHeight + (options.columnLabels === undefined ? 0 : line);
  const width = Math.max(left + grid.width + 4, options.title === undefined ? 0 : textWidth(options.title, { bold: true }) + 8);
  const out = createImage(width, top + grid.height + 4, "#ffffff");
  for (let y = 0; y < grid.height; y++) out.data.set(grid.data.subarray(y * grid.width * 4, (y + 1) * grid.width * 4), ((top + y) * width + left) * 4);
  if (options.title !== undefined) drawText(out, width / 2, 4 + titleHeight / 2, options.title, { align: "middle", bold: true });
  options.columnLabels?.forEach((text, c) => {
    if (c < layout.columns) drawText(out, left + layout.padding + c * (layout.cellWidth + layout.padding) + layout.cellWidth / 2, top - line / 2, text, { align: "middle" });
  });
  options.rowLabels?.forEach((text, r) => {
    if (r < layout.rows) drawText(out, left - 4, top + layout.padding + r * (layout.cellHeight + layout.padding) + layout.cellHeight / 2, text, { align: "end" });
  });
  return out;
}

/** Draws RGB image `i` opaquely with its top-left corner at (left, top), framed in `frame` when given. */
function drawRgb(out: RgbaImage, images: Float32Array, i: number, height: number, width: number, left: number, top: number, frame: readonly number[] | undefined): void {
  const base = i * height * width * 3;
  for (let y = -1; y <= height; y++) {
    const cy = top + y;
    if (cy < 0 || cy >= out.height) continue;
    for (let x = -1; x <= width; x++) {
      const cx = left + x;
      if (cx < 0 || cx >= out.width) continue;
      const o = (cy * out.width + cx) * 4;
      const border = y < 0 || x < 0 || y === height || x === width;
      if (border) {
        if (frame === undefined) continue;
        for (let c = 0; c < 3; c++) out.data[o + c] = frame[c] ?? 0;
      } else {
        const p = base + (y * width + x) * 3;
        for (let c = 0; c < 3; c++) out.data[o + c] = toByte(images[p + c]);
      }
      out.data[o + 3] = 255;
    }
  }
}

/** Options of `placeImagesAt`. */
export interface PlaceImagesOptions {
  /** Canvas size in pixels (default 800 × 800). */
  width?: number;
  height?: number;
  /** Free border around the placed images (default 4). */
  margin?: number;
  /** Canvas colour (default black). On a light canvas images are drawn dark-on-light. */
  background?: string;
  /** One class per image: tints each image with its class's palette colour. */
  labels?: ArrayLike<number>;
  /** Channels per image pixel in `images`: 1 (grey, drawn as ink tinted by class) or 3 (RGB, drawn as they are, framed in the class colour). */
  channels?: 1 | 3;
}

/**
 * Draws each image centred on its 2-D point (points are N×2 interleaved x, y; y grows upward like a
 * plot), fitted to the canvas — the classic t-SNE "digits where they landed" picture. Overlaps
 * blend by keeping the brighter ink (darker on a light canvas), so no image hides another's strokes.
 */
export function placeImagesAt(
  points: ArrayLike<number>,
  images: Float32Array,
  count: number,
  height: number,
  width: number,
  options: PlaceImagesOptions = {},
): RgbaImage {
  assertArgument(points.length >= 2 * count, () => `placeImagesAt: ${count} images need ${2 * count} coordinates, got ${points.length}.`);
  const channels = options.channels ?? 1;
  assertArgument(
    images.length >= count * height * width * channels,
    () => `placeImagesAt: ${count} images of ${height}×${width}×${channels} need ${count * height * width * channels} values, got ${images.length}.`,
  );
  const canvasWidth = options.width ?? 800;
  const canvasHeight = options.height ?? 800;
  const margin = options.margin ?? 4;
  const background = options.background ?? "#000000";
  const out = createImage(canvasWidth, canvasHeight, background);
  const light = luma(parseColor(background)) > 127;
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    xs[i] = points[2 * i] ?? 0;
    ys[i] = points[2 * i + 1] ?? 0;
  }
  const [xMin, xMax] = extent(xs);
  const [yMin, yMax] = extent(ys);
  const spanX = Math.max(0, canvasWidth - 2 * margin - width);
  const spanY = Math.max(0, canvasHeight - 2 * margin - height);
  const ink = light ? [0, 0, 0] : [255, 255, 255];
  for (let i = 0; i < count; i++) {
    const px = xs[i] ?? 0;
    const py = ys[i] ?? 0;
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    const left = Math.round(margin + (xMax > xMin ? ((px - xMin) / (xMax - xMin)) * spanX : spanX / 2));
    const top = Math.round(margin + (yMax > yMin ? ((yMax - py) / (yMax - yMin)) * spanY : spanY / 2));
    const label = options.labels?.[i];
    const tint = label === undefined ? ink : [...parseColor(labelColor(label)).slice(0, 3)];
    if (channels === 3) {
      drawRgb(out, images, i, height, width, left, top, label === undefined ? undefined : tint);
      continue;
    }
    const base = i * height * width;
    for (let y = 0; y < height; y++) {
      const cy = top + y;
      if (cy < 0 || cy >= canvasHeight) continue;
      for (let x = 0; x < width; x++) {
        const cx = left + x;
        if (cx < 0 || cx >= canvasWidth) continue;
        const v = toByte(images[base + y * width + x]) / 255;
        if (v === 0) continue;
        const o = (cy * canvasWidth + cx) * 4;
        for (let c = 0; c < 3; c++) {
          const t = tint[c] ?? 0;
          const current = out.data[o + c] ?? 0;
          out.data[o + c] = light ? Math.min(current, 255 - v * (255 - t)) : Math.max(current, v * t);
        }
      }
    }
  }
  return out;
}
