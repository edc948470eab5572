import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { encode } from "fast-png";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { readImageFolder } from "./images.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dl-img-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function gray(width: number, height: number, value: (x: number, y: number) => number): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
  return encode({ width, height, data, channels: 1, depth: 8 });
}

describe("readImageFolder", () => {
  it("reads gray and RGBA PNGs of one folder as one class, alpha over black", async () => {
    const concept = join(dir, "stripes");
    await mkdir(concept);
    await writeFile(join(concept, "a.png"), gray(3, 2, (x) => x * 100));
    // RGBA red at half opacity: luma 0.299 · 1 · (128/255).
    await writeFile(join(concept, "b.png"), encode({ width: 3, height: 2, data: new Uint8Array(24).map((_, i) => [255, 0, 0, 128][i % 4] as number), channels: 4, depth: 8 }));
    const ds = await readImageFolder(concept);
    expect(ds.count).toBe(2);
    expect([ds.height, ds.width, ds.channels]).toEqual([2, 3, 1]);
    expect(ds.classNames).toEqual(["stripes"]);
    expect(Array.from(ds.images.subarray(0, 3))).toEqual([0, 100 / 255, 200 / 255].map(Math.fround));
    expect(ds.images[6]).toBeCloseTo(0.299 * (128 / 255), 6);
  });
  it("treats sub-folders as classes and resizes bilinearly", async () => {
    const root = join(dir, "classes");
    await mkdir(join(root, "dark"), { recursive: true });
    await mkdir(join(root, "light"), { recursive: true });
    await writeFile(join(root, "dark", "1.png"), gray(4, 4, () => 0));
    await writeFile(join(root, "light", "1.png"), gray(2, 2, () => 255));
    // A horizontal 0→255 ramp 2 px wide, upsampled to 4: half-pixel centres give 0, 0.25, 0.75, 1.
    await writeFile(join(root, "light", "2.png"), gray(2, 1, (x) => x * 255));
    const ds = await readImageFolder(root, { size: [1, 4] });
    expect(ds.classNames).toEqual(["dark", "light"]);
    expect(Array.from(ds.labels)).toEqual([0, 1, 1]);
    expect(Array.from(ds.images.subarray(8, 12))).toEqual([0, 0.25, 0.75, 1]);
    await expect(readImageFolder(root)).rejects.toThrow(/pass size: \[height, width\]/);
  });
  it("rejects missing folders, folders without PNGs and broken PNGs", async () => {
    await expect(readImageFolder(join(dir, "nope"))).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
    const empty = join(dir, "empty");
    await mkdir(empty);
    await expect(readImageFolder(empty)).rejects.toThrow(/contains no \.png files/);
    const broken = join(dir, "broken");
    await mkdir(broken);
    await writeFile(join(broken, "x.png"), "not a png");
    await expect(readImageFolder(broken)).rejects.toMatchObject({ code: "MALFORMED_FILE" });
  });
});
