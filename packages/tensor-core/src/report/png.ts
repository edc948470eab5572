import { encode } from "fast-png";

import { assertArgument } from "../errors.js";

/** Pixels to encode: gray (1), gray+alpha (2), RGB (3) or RGBA (4) bytes per pixel, row-major. */
export interface PngImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  channels: 1 | 2 | 3 | 4;
}

/** Encodes 8-bit pixels as PNG bytes (through fast-png; works in Node and the browser). */
export function encodePng(image: PngImage): Uint8Array {
  const { width, height, data, channels } = image;
  assertArgument(
    Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0,
    () => `PNG size must be positive integers, got ${width}×${height}.`,
  );
  assertArgument(
    data.length === width * height * channels,
    () => `PNG data has ${data.length} bytes; ${width}×${height}×${channels} needs ${width * height * channels}.`,
  );
  return encode({ width, height, data, channels, depth: 8 });
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
