import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as tf from "@tensorflow/tfjs-core";
import { encode } from "fast-png";
import { encode as encodeJpeg } from "jpeg-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "../backend/registry.js";
import "../backend/candidates.js";
import { proportionalCounts } from "./dataset.js";
import { createImageFolder, resizeBilinear } from "./imageFolder.js";
import { loadImageFolder, readImageFolder } from "./images.js";

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: "cpu" });
  dir = await mkdtemp(join(tmpdir(), "dl-img-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function folder(...parts: string[]): Promise<string> {
  const path = join(dir, ...parts);
  await mkdir(path, { recursive: true });
  return path;
}

function pixels(width: number, height: number, channels: number, value: (x: number, y: number, c: number) => number): Uint8Array {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = value(x, y, c);
  return data;
}

function png(width: number, height: number, channels: 1 | 2 | 3 | 4, value: (x: number, y: number, c: number) => number): Uint8Array {
  return encode({ width, height, data: pixels(width, height, channels, value), channels, depth: 8 });
}

function gray(width: number, height: number, value: (x: number, y: number) => number): Uint8Array {
  return png(width, height, 1, value);
}

/** A baseline YCbCr JPEG of RGB pixels. */
function jpeg(width: number, height: number, rgb: Uint8Array, quality = 95): Uint8Array {
  const rgba = new Uint8Array(width * height * 4).fill(255);
  for (let p = 0; p < width * height; p++) rgba.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
  return new Uint8Array(encodeJpeg({ width, height, data: rgba }, quality).data);
}

/** A deterministic pseudo-random byte stream (LCG), so test images are reproducible. */
function noise(seed: number): (x: number, y: number, c: number) => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 24;
  };
}

const smooth = (x: number, y: number, c: number): number => 20 + 6 * x + 5 * y + 40 * c;

function bytesOf(values: Float32Array): number[] {
  return Array.from(values, (v) => Math.round(v * 255));
}

describe("readImageFolder (the CLI's wrapper: grey by default, float dataset)", () => {
  it("reads gray and RGBA PNGs of one folder as one class, alpha over black", async () => {
    const concept = await folder("stripes");
    await writeFile(join(concept, "a.png"), gray(3, 2, (x) => x * 100));
    // RGBA red at half opacity: luma 0.299 · 255 · (128/255) = 38.27, stored as the byte 38.
    await writeFile(join(concept, "b.png"), png(3, 2, 4, (_x, _y, c) => [255, 0, 0, 128][c] as number));
    const ds = await readImageFolder(concept);
    expect(ds.count).toBe(2);
    expect([ds.height, ds.width, ds.channels]).toEqual([2, 3, 1]);
    expect(ds.classNames).toEqual(["stripes"]);
    expect(Array.from(ds.images.subarray(0, 3))).toEqual([0, 100 / 255, 200 / 255].map(Math.fround));
    expect(ds.images[6]).toBe(Math.fround(38 / 255));
    expect(Math.abs((ds.images[6] as number) - 0.299 * (128 / 255))).toBeLessThanOrEqual(0.5 / 255);
  });
  it("treats sub-folders as classes and resizes bilinearly", async () => {
    const root = await folder("classes");
    await mkdir(join(root, "dark"));
    await mkdir(join(root, "light"));
    await writeFile(join(root, "dark", "1.png"), gray(4, 4, () => 0));
    await writeFile(join(root, "light", "1.png"), gray(2, 2, () => 255));
    // A horizontal 0→255 ramp 2 px wide, upsampled to 4: half-pixel centres give 0, ¼, ¾, 1 → bytes 0, 64, 191, 255.
    await writeFile(join(root, "light", "2.png"), gray(2, 1, (x) => x * 255));
    const ds = await readImageFolder(root, { size: [1, 4] });
    expect(ds.classNames).toEqual(["dark", "light"]);
    expect(Array.from(ds.labels)).toEqual([0, 1, 1]);
    expect(bytesOf(ds.images.subarray(8, 12))).toEqual([0, 64, 191, 255]);
    await expect(readImageFolder(root)).rejects.toThrow(/pass size: \[height, width\]/);
  });
});

describe("loadImageFolder: decoding", () => {
  it("keeps 8-bit PNG samples exactly, repeats grey into RGB and composites RGBA over black", async () => {
    const root = await folder("kinds");
    const rgb = pixels(5, 3, 3, noise(1));
    const rgba = pixels(5, 3, 4, noise(2));
    const grey = pixels(5, 3, 1, noise(3));
    const greyAlpha = pixels(5, 3, 2, noise(4));
    await writeFile(join(root, "1-rgb.png"), encode({ width: 5, height: 3, data: rgb, channels: 3, depth: 8 }));
    await writeFile(join(root, "2-rgba.png"), encode({ width: 5, height: 3, data: rgba, channels: 4, depth: 8 }));
    await writeFile(join(root, "3-grey.png"), encode({ width: 5, height: 3, data: grey, channels: 1, depth: 8 }));
    await writeFile(join(root, "4-grey-alpha.png"), encode({ width: 5, height: 3, data: greyAlpha, channels: 2, depth: 8 }));
    const f = await loadImageFolder(root);
    expect([f.count, f.height, f.width, f.channels]).toEqual([4, 3, 5, 3]);
    expect(f.classNames).toEqual(["kinds"]);
    expect(Array.from(f.labels)).toEqual([0, 0, 0, 0]);
    expect(bytesOf(f.read(0, 1))).toEqual(Array.from(rgb));
    const over = (v: number, a: number): number => Math.round((v * a) / 255);
    expect(bytesOf(f.read(1, 1))).toEqual(Array.from({ length: 45 }, (_, i) => over(rgba[Math.floor(i / 3) * 4 + (i % 3)] as number, rgba[Math.floor(i / 3) * 4 + 3] as number)));
    expect(bytesOf(f.read(2, 1))).toEqual(Array.from({ length: 45 }, (_, i) => grey[Math.floor(i / 3)] as number));
    expect(bytesOf(f.read(3, 1))).toEqual(Array.from({ length: 45 }, (_, i) => over(greyAlpha[Math.floor(i / 3) * 2] as number, greyAlpha[Math.floor(i / 3) * 2 + 1] as number)));
    expect(f.notes).toEqual([
      "2 images with transparent pixels (alpha channel) composited over black.",
      "2 grey images repeated into 3 identical RGB channels.",
    ]);
  });
  it("reads palette, 1-bit and 16-bit PNGs", async () => {
    const root = await folder("depths");
    const palette: [number, number, number][] = [
      [255, 0, 0],
      [0, 128, 255],
      [10, 20, 30],
    ];
    await writeFile(join(root, "a-palette.png"), encode({ width: 3, height: 2, data: new Uint8Array([2, 0, 1, 1, 2, 0]), channels: 1, depth: 8, palette }));
    // 1-bit grey, 3 px wide (rows padded to a byte): 1 0 1 / 0 1 1.
    await writeFile(join(root, "b-1bit.png"), encode({ width: 3, height: 2, data: new Uint8Array([0b10100000, 0b01100000]), channels: 1, depth: 1 }));
    const deep = Array.from({ length: 18 }, (_, i) => [0, 32896, 65535, 257, 1000, 65000, 1, 2, 3][i % 9] as number);
    await writeFile(join(root, "c-16bit.png"), encode({ width: 3, height: 2, data: new Uint16Array(deep), channels: 3, depth: 16 }));
    const f = await loadImageFolder(root);
    expect(f.files.map((p) => p.slice(root.length + 1))).toEqual(["a-palette.png", "b-1bit.png", "c-16bit.png"]);
    expect(bytesOf(f.read(0, 1))).toEqual([10, 20, 30, 255, 0, 0, 0, 128, 255, 0, 128, 255, 10, 20, 30, 255, 0, 0]);
    // 16-bit → 8-bit is v · 255 / 65535 rounded.
    expect(bytesOf(f.read(2, 1))).toEqual(deep.map((v) => Math.round((v * 255) / 65535)));
    const grey = await loadImageFolder(root, { channels: 1 });
    expect(bytesOf(grey.read(1, 1))).toEqual([255, 0, 255, 0, 255, 255]);
    expect(grey.notes).toContain("1 16-bit PNG rounded to 8 bits per sample.");
  });
  it("decodes JPEGs within the codec's error of the source pixels, alongside PNGs", async () => {
    const root = await folder("photos");
    const source = pixels(16, 8, 3, smooth);
    await writeFile(join(root, "a.JPG"), jpeg(16, 8, source));
    await writeFile(join(root, "b.jpeg"), jpeg(16, 8, source, 50));
    await writeFile(join(root, "c.png"), encode({ width: 16, height: 8, data: source, channels: 3, depth: 8 }));
    const f = await loadImageFolder(root);
    expect(f.count).toBe(3);
    const maxError = (i: number): number => Math.max(...bytesOf(f.read(i, 1)).map((v, j) => Math.abs(v - (source[j] as number))));
    expect(maxError(0)).toBeLessThanOrEqual(3);
    expect(maxError(1)).toBeLessThanOrEqual(10);
    expect(maxError(2)).toBe(0);
  });
});

/** Made with libjpeg-turbo's cjpeg: a 6×4 grey JPEG and an 8×8 progressive 4:2:0 colour JPEG. */
const GREY_JPEG =
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggLDAsKDAkKCgr/wAALCAAEAAYBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APp7/g3E+G3hL/hQL/8AEv8A+YXH3H95Pav/2Q==";
const PROGRESSIVE_JPEG =
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wgARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAH/xAAUAQEAAAAAAAAAAAAAAAAAAAAF/9oADAMBAAIQAxAAAAGAlr//xAAWEAEBAQAAAAAAAAAAAAAAAAAFABL/2gAIAQEAAQUCLQ1f/8QAGREAAgMBAAAAAAAAAAAAAAAAAQQAAwUh/9oACAEDAQE/AclesKjk/8QAGhEAAgIDAAAAAAAAAAAAAAAAAgMABAEFIf/aAAgBAgEBPwGno6L1YMx7P//EABYQAAMAAAAAAAAAAAAAAAAAAAABIf/aAAgBAQAGPwJU/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPyFr/9oADAMBAAIAAwAAABAP/8QAFREBAQAAAAAAAAAAAAAAAAAAAQD/2gAIAQMBAT8QMSf/xAAYEQACAwAAAAAAAAAAAAAAAAAAARFR8P/aAAgBAgEBPxCVG2o//8QAFxAAAwEAAAAAAAAAAAAAAAAAABFBcf/aAAgBAQABPxDaqn//2Q==";
/** djpeg's output for GREY_JPEG. */
const GREY_LIBJPEG = [20, 60, 100, 140, 179, 220, 30, 71, 110, 151, 190, 231, 39, 80, 119, 160, 199, 240, 51, 91, 131, 171, 210, 251];
/** `djpeg -nosmooth` (chroma repeated, not interpolated) for PROGRESSIVE_JPEG's first two rows. */
const PROGRESSIVE_LIBJPEG_NOSMOOTH = [
  46, 192, 0, 54, 200, 3, 91, 193, 5, 98, 200, 12, 145, 193, 13, 152, 200, 20, 189, 193, 18, 197, 201, 26, 37, 183, 0, 46, 192, 0, 83, 185, 0, 90, 192, 4, 137, 185, 5, 144, 192, 12, 182, 186, 11, 190, 194,
  19,
];

describe("loadImageFolder: JPEGs written by libjpeg", () => {
  it("reads a grey JPEG as libjpeg does, and a progressive 4:2:0 JPEG as libjpeg without smoothing", async () => {
    const root = await folder("libjpeg");
    await writeFile(join(root, "grey.jpg"), Buffer.from(GREY_JPEG, "base64"));
    const grey = await loadImageFolder(root, { channels: 1 });
    expect(bytesOf(grey.read(0, 1))).toEqual(GREY_LIBJPEG);
    expect(grey.notes).toEqual([]);
    const colour = await folder("libjpeg-colour");
    await writeFile(join(colour, "prog.jpg"), Buffer.from(PROGRESSIVE_JPEG, "base64"));
    const f = await loadImageFolder(colour);
    const got = bytesOf(f.read(0, 1)).slice(0, 48);
    expect(Math.max(...got.map((v, i) => Math.abs(v - (PROGRESSIVE_LIBJPEG_NOSMOOTH[i] as number))))).toBeLessThanOrEqual(1);
    expect(f.notes).toEqual([
      "1 JPEG stores colour at reduced resolution (e.g. 4:2:0); it is upsampled by repetition, where TensorFlow and PIL interpolate, so colours at sharp edges can differ from theirs by up to ~20 levels.",
    ]);
  });
});

/** `jpeg` bytes with an EXIF APP1 segment (orientation tag only) right after SOI. */
function withOrientation(bytes: Uint8Array, orientation: number, little: boolean): Uint8Array {
  const u16 = (v: number): number[] => (little ? [v & 255, v >> 8] : [v >> 8, v & 255]);
  const u32 = (v: number): number[] => (little ? [...u16(v & 0xffff), ...u16(v >>> 16)] : [...u16(v >>> 16), ...u16(v & 0xffff)]);
  const tiff = [...(little ? [0x49, 0x49] : [0x4d, 0x4d]), ...u16(42), ...u32(8), ...u16(1), ...u16(0x0112), ...u16(3), ...u32(1), ...u16(orientation), 0, 0, ...u32(0)];
  const body = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const app1 = [0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255, ...body];
  return new Uint8Array([...bytes.subarray(0, 2), ...app1, ...bytes.subarray(2)]);
}

describe("loadImageFolder: EXIF orientation and progress", () => {
  it("reads rotated JPEGs as stored, says so, and reports each decoded file", async () => {
    const root = await folder("exif");
    const source = pixels(4, 2, 3, smooth);
    await writeFile(join(root, "a.jpg"), withOrientation(jpeg(4, 2, source), 6, true));
    await writeFile(join(root, "b.jpg"), withOrientation(jpeg(4, 2, source), 8, false));
    await writeFile(join(root, "c.jpg"), withOrientation(jpeg(4, 2, source), 1, false));
    // An EXIF block whose IFD offset points past the segment is skipped, not an error.
    const broken = withOrientation(jpeg(4, 2, source), 6, true);
    broken[16] = 0xff;
    await writeFile(join(root, "d.jpg"), broken);
    const events: string[] = [];
    const f = await loadImageFolder(root, { onProgress: (e) => events.push(`${e.phase} ${e.step}/${e.total ?? "?"} ${e.message?.slice(root.length + 1) ?? ""}`) });
    expect([f.height, f.width]).toEqual([2, 4]);
    expect(Math.max(...bytesOf(f.read(0, 1)).map((v, i) => Math.abs(v - (source[i] as number))))).toBeLessThanOrEqual(3);
    expect(f.notes).toEqual([
      "2 JPEGs are marked to be shown rotated or mirrored (EXIF orientation); like TensorFlow, their pixels are read as stored — rotate the files themselves if the model should see them upright.",
    ]);
    expect(events).toEqual(["decode 1/4 a.jpg", "decode 2/4 b.jpg", "decode 3/4 c.jpg", "decode 4/4 d.jpg"]);
  });
});

describe("loadImageFolder: resizing and channels", () => {
  it("resizes like tf.image.resizeBilinear with half-pixel centres, down and up", async () => {
    const root = await folder("resize");
    const big = pixels(17, 13, 3, noise(7));
    await writeFile(join(root, "a.png"), encode({ width: 17, height: 13, data: big, channels: 3, depth: 8 }));
    for (const size of [
      [7, 5],
      [30, 41],
    ] as const) {
      const f = await loadImageFolder(root, { size });
      const expected = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(big, [13, 17, 3], "float32"), [size[0], size[1]], false, true).dataSync());
      const got = bytesOf(f.read(0, 1));
      // Stored as bytes: within rounding of TensorFlow's float result.
      expect(Math.max(...got.map((v, i) => Math.abs(v - (expected[i] as number))))).toBeLessThanOrEqual(0.5 + 1e-3);
      expect(f.notes[0]).toBe(`1 image of other sizes resized to ${size[0]}×${size[1]} (bilinear, half-pixel centres, no antialiasing — as Keras/tf.image.resize).`);
      const direct = resizeBilinear(big, 13, 17, 3, size[0], size[1]);
      expect(Math.max(...Array.from(direct, (v, i) => Math.abs(v - (expected[i] as number))))).toBeLessThan(1e-3);
    }
  });
  it("converts RGB to grey with BT.601 luma weights", async () => {
    const root = await folder("luma");
    const rgb = pixels(4, 4, 3, noise(11));
    await writeFile(join(root, "a.png"), encode({ width: 4, height: 4, data: rgb, channels: 3, depth: 8 }));
    const f = await loadImageFolder(root, { channels: 1 });
    const luma = Array.from({ length: 16 }, (_, p) => Math.round(0.299 * (rgb[p * 3] as number) + 0.587 * (rgb[p * 3 + 1] as number) + 0.114 * (rgb[p * 3 + 2] as number)));
    expect(bytesOf(f.read(0, 1))).toEqual(luma);
    expect(f.notes).toEqual(["1 colour image converted to grey (ITU-R BT.601 luma: 0.299 R + 0.587 G + 0.114 B)."]);
  });
  it("toDataset returns listed rows as floats, resampled on request", async () => {
    const root = await folder("todataset");
    await writeFile(join(root, "a.png"), gray(4, 2, (x, y) => 30 * x + 100 * y));
    await writeFile(join(root, "b.png"), gray(4, 2, () => 7));
    const f = await loadImageFolder(root, { channels: 1 });
    const ds = f.toDataset({ rows: [1, 0], size: [1, 2] });
    expect([ds.count, ds.height, ds.width, ds.channels]).toEqual([2, 1, 2, 1]);
    expect(Array.from(ds.images.subarray(0, 2))).toEqual([7 / 255, 7 / 255].map(Math.fround));
    // 4×2 → 2×1: centres at x = 0.5, 2.5 and y = 0.5 average four pixels each.
    expect(ds.images[2]).toBeCloseTo((0 + 30 + 100 + 130) / 4 / 255, 6);
    expect(ds.images[3]).toBeCloseTo((60 + 90 + 160 + 190) / 4 / 255, 6);
    expect(() => f.read(1, 2)).toThrow(/outside "todataset" of 2 images/);
  });
});

describe("loadImageFolder: layout and notes", () => {
  it("orders classes and files by name and says what it ignored", async () => {
    const root = await folder("zoo");
    await mkdir(join(root, "b_cats"));
    await mkdir(join(root, "a_dogs"));
    await mkdir(join(root, "c_empty"));
    await writeFile(join(root, "README.txt"), "not an image");
    await writeFile(join(root, "b_cats", "2.png"), gray(2, 2, () => 2));
    await writeFile(join(root, "b_cats", "10.PNG"), gray(2, 2, () => 10));
    await writeFile(join(root, "b_cats", "._2.png"), "macOS resource fork");
    await writeFile(join(root, "b_cats", "list.csv"), "a,b");
    await writeFile(join(root, "a_dogs", "x.jpg"), jpeg(2, 2, pixels(2, 2, 3, () => 128)));
    await writeFile(join(root, "c_empty", "notes.md"), "#");
    const f = await loadImageFolder(root, { channels: 1 });
    expect(f.name).toBe("zoo");
    expect(f.classNames).toEqual(["a_dogs", "b_cats"]);
    expect(Array.from(f.labels)).toEqual([0, 1, 1]);
    expect(f.files).toEqual([join(root, "a_dogs", "x.jpg"), join(root, "b_cats", "10.PNG"), join(root, "b_cats", "2.png")]);
    expect(bytesOf(f.read(1, 2))).toEqual([10, 10, 10, 10, 2, 2, 2, 2]);
    expect(f.notes).toEqual([
      "Label folders without images ignored: c_empty.",
      "3 other files ignored (only .png, .jpg or .jpeg are read).",
      "1 label has only one image: a_dogs.",
      "1 colour image converted to grey (ITU-R BT.601 luma: 0.299 R + 0.587 G + 0.114 B).",
    ]);
  });
  it("reads images beside sub-folders as one class and says the sub-folders were skipped", async () => {
    const root = await folder("both");
    await mkdir(join(root, "extra"));
    await writeFile(join(root, "a.png"), gray(1, 1, () => 9));
    await writeFile(join(root, "extra", "b.png"), gray(1, 1, () => 0));
    const f = await loadImageFolder(root, { channels: 1 });
    expect([f.count, ...f.classNames]).toEqual([1, "both"]);
    expect(f.notes).toEqual(["Sub-folders ignored because both holds images itself: extra."]);
  });
  it("builds the same folder from in-memory files (the browser path for dropped files)", async () => {
    const bytes = new Map([
      ["x/1.png", gray(2, 1, () => 40)],
      ["y/1.png", gray(2, 1, (x) => 200 + x)],
    ]);
    const f = await createImageFolder(
      { name: "dropped", classNames: ["x", "y"], files: ["x/1.png", "y/1.png"], labels: [0, 1], readFile: (file) => Promise.resolve(bytes.get(file) as Uint8Array) },
      { channels: 1 },
    );
    expect(bytesOf(f.read(0, 2))).toEqual([40, 40, 200, 201]);
    expect(f.notes).toEqual(["2 labels have only one image: x, y."]);
  });
  it("samples maxImages per label in proportion, seeded, keeping file order", async () => {
    const root = await folder("strata");
    const sizes = { a: 6, b: 3, c: 1 };
    for (const [label, n] of Object.entries(sizes)) {
      await mkdir(join(root, label));
      for (let i = 0; i < n; i++) await writeFile(join(root, label, `${i}.png`), gray(1, 1, () => i));
    }
    const f = await loadImageFolder(root, { maxImages: 5, seed: 3 });
    // Largest remainder of 5 · (6, 3, 1) / 10 = (3, 1.5, 0.5): the tie goes to the earlier label.
    const expected = proportionalCounts([6, 3, 1], 5);
    expect(expected).toEqual([3, 2, 0]);
    expect([0, 1, 2].map((k) => Array.from(f.labels).filter((l) => l === k).length)).toEqual(expected);
    expect([...f.files]).toEqual([...f.files].sort());
    expect(f.classNames).toEqual(["a", "b", "c"]);
    expect(f.notes).toContain("Sampled 5 of 10 images, stratified by label (seed 3).");
    expect(f.notes).toContain("Labels left without images by the sample: c; raise maxImages to keep them.");
    expect((await loadImageFolder(root, { maxImages: 5, seed: 3 })).files).toEqual(f.files);
    const draws = new Set<string>();
    for (let seed = 0; seed < 6; seed++) draws.add((await loadImageFolder(root, { maxImages: 5, seed })).files.join());
    expect(draws.size).toBeGreaterThan(1);
  });
});

describe("loadImageFolder: bad input, one clear line each", () => {
  const engineWords = /undefined|TypeError|RangeError|DataView|Offset|marker|Huffman|\n/;
  async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
    const error = (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: string; message: string } | undefined;
    expect(error).toBeDefined();
    expect(error?.message).not.toMatch(engineWords);
    return error as { code: string; message: string };
  }
  it("names missing folders, files given as folders and folders without images", async () => {
    const missing = await failure(loadImageFolder(join(dir, "nope")));
    expect(missing.code).toBe("FILE_NOT_FOUND");
    expect(missing.message).toContain(join(dir, "nope"));
    const file = join(await folder("afile"), "x.png");
    await writeFile(file, gray(1, 1, () => 0));
    expect(await failure(loadImageFolder(file))).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/is a file, not a folder/) as unknown });
    const empty = await folder("empty", "label");
    await writeFile(join(empty, "a.gif"), "GIF89a");
    const none = await failure(loadImageFolder(join(dir, "empty")));
    expect(none.code).toBe("FILE_NOT_FOUND");
    expect(none.message).toMatch(/contains no images \(\.png, \.jpg or \.jpeg files\)/);
  });
  it("names corrupt PNGs, corrupt JPEGs and CMYK JPEGs", async () => {
    const broken = await folder("broken");
    await writeFile(join(broken, "x.png"), "not a png");
    expect(await failure(loadImageFolder(broken))).toMatchObject({ code: "MALFORMED_FILE", message: expect.stringContaining(`${join(broken, "x.png")} is not a readable PNG`) as unknown });
    const cut = await folder("cut");
    const whole = png(8, 8, 3, smooth);
    await writeFile(join(cut, "x.png"), whole.subarray(0, 40));
    expect(await failure(loadImageFolder(cut))).toMatchObject({ code: "MALFORMED_FILE" });
    const cutJpeg = await folder("cutjpeg");
    const photo = jpeg(16, 8, pixels(16, 8, 3, noise(5)));
    await writeFile(join(cutJpeg, "x.jpg"), photo.subarray(0, Math.floor(photo.length * 0.6)));
    expect(await failure(loadImageFolder(cutJpeg))).toMatchObject({ code: "MALFORMED_FILE", message: expect.stringContaining("is not a readable JPEG") as unknown });
    // Rewrite the frame header's component count (Nf, 9 bytes after the SOF0 marker) to 4.
    const cmyk = await folder("cmyk");
    const bytes = new Uint8Array(photo);
    const sof = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
    bytes[sof + 9] = 4;
    await writeFile(join(cmyk, "x.jpg"), bytes);
    expect(await failure(loadImageFolder(cmyk))).toMatchObject({ code: "UNSUPPORTED_FORMAT", message: expect.stringMatching(/x\.jpg is a CMYK JPEG.*convert it to RGB/) as unknown });
  });
  it("rejects mixed sizes without size, bad options and an aborted signal", async () => {
    const mixed = await folder("mixed");
    await writeFile(join(mixed, "a.png"), gray(2, 2, () => 0));
    await writeFile(join(mixed, "b.png"), gray(3, 2, () => 0));
    expect(await failure(loadImageFolder(mixed))).toMatchObject({ code: "SHAPE_MISMATCH", message: expect.stringMatching(/b\.png is 3×2 but .*a\.png is 2×2; pass size/) as unknown });
    expect(await failure(loadImageFolder(mixed, { size: [0, 2] }))).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await failure(loadImageFolder(mixed, { maxImages: 0 }))).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await failure(loadImageFolder(mixed, { channels: 2 as 1 }))).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await failure(loadImageFolder(mixed, { size: [2, 2], signal: AbortSignal.abort() }))).toMatchObject({ code: "ABORTED" });
  });
});
