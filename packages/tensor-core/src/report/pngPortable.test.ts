import { decode, encode } from "fast-png";
import { describe, expect, it } from "vitest";

import { encodePng, type PngImage } from "./png.js";
import { writePngNative } from "./pngNode.js";

/** Pixels that use every byte value, at an odd size. */
function image(channels: PngImage["channels"]): PngImage {
  const width = 29;
  const height = 17;
  return { width, height, data: Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 89 + 3) % 256), channels };
}

// pngPortable.ts is first evaluated by the entry's import below (modules run once per file), so it is imported
// dynamically here, never statically.
describe("PNGs through fast-png (pngPortable, the browser entries' writer)", () => {
  it("is installed by the browser host entry (the test setup had installed Node's)", async () => {
    const input = image(4);
    expect([...encodePng(input)]).toEqual([...writePngNative(input)]);
    await import("../index.host.js");
    const bytes = encodePng(input);
    expect([...bytes]).toEqual([...encode({ ...input, depth: 8 })]);
    expect([...bytes]).not.toEqual([...writePngNative(input)]);
  });

  it.each([1, 2, 3, 4] as const)("%i channel(s): decoded back to the same pixels", async (channels) => {
    const { writePngPortable } = await import("./pngPortable.js");
    const input = image(channels);
    const back = decode(writePngPortable(input));
    expect(back.channels).toBe(channels);
    expect([...back.data]).toEqual([...input.data]);
  });
});
