import { decode } from "fast-png";
import { describe, expect, it } from "vitest";

import { DlError } from "../errors.js";
import { bytesToBase64, encodePng, pngDataUri } from "./png.js";

describe("encodePng", () => {
  it("round-trips RGBA pixels through fast-png's decoder", () => {
    const width = 7;
    const height = 5;
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) % 256;
    const png = encodePng({ width, height, data, channels: 4 });
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const back = decode(png);
    expect(back.width).toBe(width);
    expect(back.height).toBe(height);
    expect(back.channels).toBe(4);
    expect([...back.data]).toEqual([...data]);
  });

  it("round-trips gray pixels", () => {
    const data = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
    const back = decode(encodePng({ width: 4, height: 3, data, channels: 1 }));
    expect(back.channels).toBe(1);
    expect([...back.data]).toEqual([...data]);
  });

  describe("compact", () => {
    /** RGBA expanded from what the decoder returns, to compare pixel for pixel with the input. */
    const asRgba = (back: ReturnType<typeof decode>): number[] => {
      const out: number[] = [];
      const c = back.channels;
      for (let i = 0; i < back.width * back.height; i++) {
        const px = Array.from(back.data.subarray(i * c, (i + 1) * c), Number);
        if (c === 1) out.push(px[0] ?? 0, px[0] ?? 0, px[0] ?? 0, 255);
        else if (c === 2) out.push(px[0] ?? 0, px[0] ?? 0, px[0] ?? 0, px[1] ?? 0);
        else if (c === 3) out.push(px[0] ?? 0, px[1] ?? 0, px[2] ?? 0, 255);
        else out.push(...px);
      }
      return out;
    };
    const cases: { name: string; pixel: (i: number) => number[]; channels: number }[] = [
      { name: "opaque gray → 1 channel", pixel: (i) => [i * 9, i * 9, i * 9, 255], channels: 1 },
      { name: "translucent gray → gray + alpha", pixel: (i) => [i * 9, i * 9, i * 9, 255 - i], channels: 2 },
      { name: "opaque colour → RGB", pixel: (i) => [i * 9, 255 - i * 9, i % 7, 255], channels: 3 },
      { name: "translucent colour stays RGBA", pixel: (i) => [i * 9, 3, 5, i === 20 ? 254 : 255], channels: 4 },
    ];
    it.each(cases)("$name, the same pixels once decoded", ({ pixel, channels }) => {
      const data = Uint8Array.from({ length: 24 }, (_, i) => i).reduce<number[]>((acc, i) => [...acc, ...pixel(i)], []);
      const image = { width: 6, height: 4, data: Uint8Array.from(data), channels: 4 as const };
      const back = decode(encodePng(image, { compact: true }));
      expect(back.channels).toBe(channels);
      expect(asRgba(back)).toEqual(data);
      // Without the option the channels are kept.
      expect(decode(encodePng(image)).channels).toBe(4);
    });
  });

  it("rejects data whose length does not match the size", () => {
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(15), channels: 4 })).toThrow(DlError);
    expect(() => encodePng({ width: 0, height: 2, data: new Uint8Array(0), channels: 4 })).toThrow(/positive integers/);
  });
});

describe("bytesToBase64", () => {
  it("matches Node's Buffer encoding, across the chunk boundary", () => {
    for (const n of [0, 1, 2, 3, 0x8000 + 7]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131) % 256);
      expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    }
  });

  it("builds a data URI whose payload decodes back to the PNG", () => {
    const png = encodePng({ width: 1, height: 1, data: new Uint8Array([1, 2, 3, 255]), channels: 4 });
    const uri = pngDataUri(png);
    expect(uri.startsWith("data:image/png;base64,")).toBe(true);
    expect([...Buffer.from(uri.slice("data:image/png;base64,".length), "base64")]).toEqual([...png]);
  });
});
