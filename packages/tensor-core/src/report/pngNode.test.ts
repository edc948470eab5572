import { decode, encode } from "fast-png";
import { describe, expect, it } from "vitest";

import { encodePng, type PngImage } from "./png.js";
import { writePngNative } from "./pngNode.js";

/** Pixels that use every byte value, at an odd size, viewed at an offset inside a larger buffer (as subarrays are). */
function image(channels: PngImage["channels"]): PngImage {
  const width = 37;
  const height = 23;
  const backing = new Uint8Array(width * height * channels + 5);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 101 + (i >> 8) * 7) % 256;
  return { width, height, data: backing.subarray(5), channels };
}

describe("PNGs on Node's zlib (pngNode)", () => {
  it.each([1, 2, 3, 4] as const)("%i channel(s): fast-png decodes the same pixels", (channels) => {
    const input = image(channels);
    const back = decode(writePngNative(input));
    expect(back.width).toBe(input.width);
    expect(back.height).toBe(input.height);
    expect(back.channels).toBe(channels);
    expect(back.depth).toBe(8);
    expect([...back.data]).toEqual([...input.data]);
  });

  it("is the writer behind encodePng once the module is loaded (not fast-png's bytes)", () => {
    const input = image(3);
    const portable = encode({ ...input, depth: 8 });
    const bytes = encodePng(input);
    expect([...bytes]).toEqual([...writePngNative(input)]);
    expect([...bytes]).not.toEqual([...portable]);
    expect([...decode(bytes).data]).toEqual([...decode(portable).data]);
  });

  it("keeps compact's channel reduction", () => {
    const data = new Uint8Array(8 * 8 * 4);
    for (let i = 0; i < 64; i++) data.set([i * 3, i * 3, i * 3, 255], i * 4);
    const back = decode(encodePng({ width: 8, height: 8, data, channels: 4 }, { compact: true }));
    expect(back.channels).toBe(1);
    expect([...back.data]).toEqual(Array.from({ length: 64 }, (_, i) => i * 3));
  });
});
