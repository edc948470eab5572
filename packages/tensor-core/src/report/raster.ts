import { assertArgument } from "../errors.js";
import { parseColor, type Rgba } from "./color.js";

/** An RGBA raster, row-major, 4 bytes per pixel; what the PNG encoder and every plot here produce. */
export interface RgbaImage {
  width: number;
  height: number;
  channels: 4;
  data: Uint8ClampedArray;
}

/** A raster filled with one colour. */
export function createImage(width: number, height: number, background = "#ffffff"): RgbaImage {
  assertArgument(
    Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0,
    () => `Image size must be positive integers, got ${width}×${height}.`,
  );
  const data = new Uint8ClampedArray(width * height * 4);
  const [r, g, b, a] = parseColor(background);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
    data[i + 3] = a;
  }
  return { width, height, channels: 4, data };
}

/** The RGBA value at (x, y); for tests and callers that sample a raster. */
export function pixelAt(image: RgbaImage, x: number, y: number): Rgba {
  const o = (y * image.width + x) * 4;
  const d = image.data;
  return [d[o] ?? 0, d[o + 1] ?? 0, d[o + 2] ?? 0, d[o + 3] ?? 0];
}

/** Sets one pixel (opaque); out-of-bounds writes are dropped so shapes may cross the border. */
export function setPixel(image: RgbaImage, x: number, y: number, color: Rgba): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  const o = (y * image.width + x) * 4;
  image.data[o] = color[0];
  image.data[o + 1] = color[1];
  image.data[o + 2] = color[2];
  image.data[o + 3] = color[3];
}

/** Fills the rectangle [x, x+w) × [y, y+h), clipped to the image. */
export function fillRect(image: RgbaImage, x: number, y: number, w: number, h: number, color: Rgba): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(image.width, Math.round(x + w));
  const y1 = Math.min(image.height, Math.round(y + h));
  for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) setPixel(image, xx, yy, color);
}

/** A filled disc of `radius` pixels centred on the pixel nearest (x, y), so it is symmetric. */
export function fillDisc(image: RgbaImage, x: number, y: number, radius: number, color: Rgba): void {
  const cx = Math.round(x);
  const cy = Math.round(y);
  const r2 = radius * radius;
  const x0 = Math.floor(cx - radius);
  const x1 = Math.ceil(cx + radius);
  const y0 = Math.floor(cy - radius);
  const y1 = Math.ceil(cy + radius);
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      const dx = px - cx;
      const dy = py - cy;
      if (dx * dx + dy * dy <= r2) setPixel(image, px, py, color);
    }
  }
}

/** A line from (x0, y0) to (x1, y1), `thickness` pixels wide (Bresenham with a square pen). */
export function drawLine(
  image: RgbaImage,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: Rgba,
  thickness = 1,
): void {
  let x = Math.round(x0);
  let y = Math.round(y0);
  const xe = Math.round(x1);
  const ye = Math.round(y1);
  const dx = Math.abs(xe - x);
  const dy = -Math.abs(ye - y);
  const sx = x < xe ? 1 : -1;
  const sy = y < ye ? 1 : -1;
  const half = Math.floor((thickness - 1) / 2);
  let err = dx + dy;
  for (;;) {
    fillRect(image, x - half, y - half, thickness, thickness, color);
    if (x === xe && y === ye) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}
