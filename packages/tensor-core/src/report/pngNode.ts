// Node only: PNGs written by pngjs on Node's native zlib instead of fast-png's JavaScript deflate (an 800²
// scatter plot in a fresh process: ≈ 40 ms of CPU instead of ≈ 140). Imported for its effect by the Node entries.
import { createRequire } from "node:module";

import type pngjs from "pngjs";

import { setPngWriter, type PngImage } from "./png.js";

const require = createRequire(import.meta.url);
/** pngjs, required on the first PNG written: loading it (and with it zlib and streams) costs ≈ 25 ms, which `dl --help` need not pay. */
let loaded: typeof pngjs | undefined;

/** PNG colour type of each channel count: gray, gray + alpha, RGB, RGBA. */
const COLOR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/** `image` (already checked by `encodePng`) as PNG bytes: no row filter and zlib level 3, as fast-png writes them. */
export function writePngNative({ width, height, data, channels }: PngImage): Uint8Array {
  const colorType = COLOR_TYPE[channels];
  const png = { width, height, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) } as pngjs.PNGWithMetadata;
  loaded ??= require("pngjs") as typeof pngjs;
  const bytes = loaded.PNG.sync.write(png, {
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

setPngWriter(writePngNative);
