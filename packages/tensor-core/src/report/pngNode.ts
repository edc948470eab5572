// Node only: PNGs written by pngjs on Node's native zlib instead of fast-png's JavaScript deflate (an 800²
// scatter plot in a fresh process: ≈ 40 ms of CPU instead of ≈ 140). Imported for its effect by the Node entries.
import { createRequire } from "node:module";

import type pngjs from "pngjs";

import { pngWriter, type PngImage } from "./png.js";

// pngjs is required on the first PNG written (later calls hit require's cache): loading it, and with it zlib and
// streams, costs ≈ 25 ms that `dl --help` need not pay.
const require = createRequire(import.meta.url);

/** PNG colour type of each channel count: gray, gray + alpha, RGB, RGBA. */
const COLOR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/** `image` (already checked by `encodePng`) as PNG bytes: no row filter and zlib level 3, as fast-png writes them. */
export function writePngNative({ width, height, data, channels }: PngImage): Uint8Array {
  const colorType = COLOR_TYPE[channels];
  const png = { width, height, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) } as pngjs.PNGWithMetadata;
  const bytes = (require("pngjs") as typeof pngjs).PNG.sync.write(png, {
    colorType,
    inputColorType: colorType,
    inputHasAlpha: channels === 2 || channels === 4,
    bitDepth: 8,
    filterType: 0,
    deflateLevel: 3,
    deflateStrategy: 0,
  });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

pngWriter.install({ write: () => writePngNative });
