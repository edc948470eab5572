import { assertArgument } from "../errors.js";
import { lazyLibraries } from "../lazyLibraries.js";

/** Pixels to encode: gray (1), gray+alpha (2), RGB (3) or RGBA (4) bytes per pixel, row-major. */
export interface PngImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  channels: 1 | 2 | 3 | 4;
}

export interface EncodePngOptions {
  /**
   * Store an opaque RGBA image without its alpha channel, and one whose pixels are all gray as a single
   * channel: the same pixels once decoded, a smaller file and a faster encode (a 1600² gray mosaic:
   * 4× fewer bytes to compress). The decoded image then has fewer channels than `image`.
   */
  compact?: boolean;
}

/**
 * The writer behind `encodePng` (a checked image → PNG bytes), installed by each entry of the package for its
 * platform: `pngPortable.ts` (browser) or `pngNode.ts` (Node). Internal: not part of the public surface.
 */
export const pngWriter = lazyLibraries<{ write: (image: PngImage) => Uint8Array }>("@dl/tensor-core");

/**
 * Encodes 8-bit pixels as PNG bytes: through fast-png in the browser, through pngjs on Node's native
 * zlib in Node (whichever entry of `@dl/tensor-core` was loaded installed it) — the same pixels once
 * decoded, not the same bytes.
 */
export function encodePng(image: PngImage, options: EncodePngOptions = {}): Uint8Array {
  const { width, height, data, channels } = image;
  assertArgument(
    Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0,
    () => `PNG size must be positive integers, got ${width}×${height}.`,
  );
  assertArgument(
    data.length === width * height * channels,
    () => `PNG data has ${data.length} bytes; ${width}×${height}×${channels} needs ${width * height * channels}.`,
  );
  const writer = pngWriter.get("write");
  if (options.compact === true) {
    const reduced = compactChannels(data, channels);
    return writer({ width, height, data: reduced.data, channels: reduced.channels });
  }
  return writer({ width, height, data, channels });
}

/** The fewest channels that hold `data` losslessly: alpha dropped when every pixel is opaque, colour when every pixel is gray. */
function compactChannels(data: Uint8Array | Uint8ClampedArray, channels: PngImage["channels"]): { data: Uint8Array | Uint8ClampedArray; channels: PngImage["channels"] } {
  if (channels < 3) return { data, channels };
  const pixels = data.length / channels;
  let opaque = channels === 4;
  let gray = true;
  for (let i = 0; i < pixels && (opaque || gray); i++) {
    const o = i * channels;
    if (opaque && data[o + 3] !== 255) opaque = false;
    if (gray && (data[o] !== data[o + 1] || data[o] !== data[o + 2])) gray = false;
  }
  const keepAlpha = channels === 4 && !opaque;
  const out: PngImage["channels"] = gray ? (keepAlpha ? 2 : 1) : keepAlpha ? 4 : 3;
  if (out === channels) return { data, channels };
  const reduced = new Uint8Array(pixels * out);
  for (let i = 0; i < pixels; i++) {
    const o = i * channels;
    const r = i * out;
    if (gray) {
      reduced[r] = data[o] as number;
      if (keepAlpha) reduced[r + 1] = data[o + 3] as number;
    } else {
      reduced[r] = data[o] as number;
      reduced[r + 1] = data[o + 1] as number;
      reduced[r + 2] = data[o + 2] as number;
    }
  }
  return { data: reduced, channels: out };
}

/** Base64 of arbitrary bytes, without Node's Buffer so it runs in the browser too. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** A `data:` URI for inlining PNG bytes in HTML. */
export function pngDataUri(png: Uint8Array): string {
  return `data:image/png;base64,${bytesToBase64(png)}`;
}
