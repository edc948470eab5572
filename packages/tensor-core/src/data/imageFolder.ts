// Browser-safe image decoding, resizing and the in-memory ImageFolder; the Node loader in images.ts
// lists and reads the files, the playground can hand dropped files to `createImageFolder` itself.
import { convertIndexedToRgb, decode as decodePng, hasPngSignature } from "fast-png";
import { decode as decodeJpegData } from "jpeg-js";

import { DlError, assertArgument, throwIfAborted } from "../errors.js";
import type { ProgressCallback } from "../progress.js";
import { DEFAULT_SEED, createRng } from "../random/rng.js";
import type { ImageDataset } from "./dataset.js";
import { proportionalCounts } from "./dataset.js";

/** File name endings read as images (compared case-insensitively). */
export const IMAGE_EXTENSIONS = Object.freeze([".png", ".jpg", ".jpeg"] as const);

/** True when `name` ends in one of IMAGE_EXTENSIONS (any case). */
export function isImageFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** A decoded file: `samples` per pixel (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), row-major. */
export interface DecodedImage {
  format: "png" | "jpeg";
  width: number;
  height: number;
  samples: 1 | 2 | 3 | 4;
  /** The largest sample value: 255, or 65535 for 16-bit PNGs. */
  max: number;
  data: Uint8Array | Uint16Array;
  /**
   * A JPEG whose colour planes are stored at reduced resolution (4:2:0 and the like): jpeg-js repeats
   * them, where libjpeg (TensorFlow, PIL) interpolates, so colour edges differ by up to ~20 levels.
   */
  chromaSubsampled?: boolean;
  /** EXIF orientation of a JPEG (1 = as stored); the pixels are left as stored, as TensorFlow does. */
  orientation?: number;
}

const ACCEPTED = "PNG or JPEG";

function unreadable(file: string, format: string, cause: unknown): DlError {
  return new DlError("MALFORMED_FILE", `${file} is not a readable ${format} (damaged, cut short or another format); open and re-save it as PNG or baseline JPEG, or remove it.`, {
    cause,
  });
}

/** Unpacks 1-, 2- or 4-bit grey rows (each padded to a whole byte) to 0…255. */
function unpackLowDepthGrey(packed: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const stride = Math.ceil((width * depth) / 8);
  const scale = 255 / ((1 << depth) - 1);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * stride + (bit >> 3)] as number;
      out[y * width + x] = Math.round(((byte >> (8 - depth - (bit & 7))) & mask) * scale);
    }
  }
  return out;
}

function decodePngFile(file: string, bytes: Uint8Array): DecodedImage {
  let png;
  try {
    png = decodePng(bytes);
  } catch (error) {
    throw unreadable(file, "PNG", error);
  }
  const { width, height } = png;
  let data: Uint8Array | Uint16Array;
  let max = 255;
  if (png.palette !== undefined) {
    try {
      data = convertIndexedToRgb(png);
    } catch (error) {
      throw unreadable(file, "PNG", error);
    }
  } else if (png.depth < 8) {
    if (png.channels !== 1) throw unreadable(file, "PNG", `${png.depth}-bit samples with ${png.channels} channels`);
    data = unpackLowDepthGrey(png.data, width, height, png.depth);
  } else if (png.data instanceof Uint16Array) {
    data = png.data;
    max = 65535;
  } else if (png.data instanceof Uint8Array) {
    data = png.data;
  } else {
    throw new DlError("UNSUPPORTED_FORMAT", `${file} holds floating-point samples; save it as an 8- or 16-bit PNG.`);
  }
  const samples = data.length / (width * height);
  if (samples !== 1 && samples !== 2 && samples !== 3 && samples !== 4) throw unreadable(file, "PNG", `${data.length} samples for ${width}×${height} pixels`);
  return { format: "png", width, height, samples, max, data };
}

/** A JPEG's frame header (SOFn): colour components and whether any is stored at reduced resolution. */
function jpegFrame(bytes: Uint8Array): { components: number; subsampled: boolean } | undefined {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] as number;
    if (marker === 0xff) {
      at++;
      continue;
    }
    // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC): Nf at +9, then 3 bytes per component (id, H<<4|V, table).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const components = bytes[at + 9] as number;
      const factors = Array.from({ length: components }, (_, k) => bytes[at + 11 + 3 * k] ?? 0x11);
      return { components, subsampled: factors.some((f) => f !== factors[0]) };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xda) return undefined;
    at += 2 + (((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number));
  }
  return undefined;
}

/** The EXIF orientation (1…8) of a JPEG's APP1 segment; 1 when there is none or it cannot be read (it only feeds a note). */
function exifOrientation(bytes: Uint8Array): number {
  try {
    return readExifOrientation(bytes);
  } catch {
    return 1;
  }
}

function readExifOrientation(bytes: Uint8Array): number {
  let at = 2;
  while (at + 4 < bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1] as number;
    const length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
    if (marker === 0xda || marker === 0xd9) return 1;
    // "Exif\0\0", then a TIFF header: byte order, 42, offset of IFD0; entries are 12 bytes (tag, type, count, value).
    if (marker === 0xe1 && length >= 16 && String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === "Exif") {
      const tiff = at + 10;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const little = bytes[tiff] === 0x49;
      const end = at + 2 + length;
      if (tiff + 8 > end) return 1;
      const ifd = tiff + view.getUint32(tiff + 4, little);
      if (ifd + 2 > end) return 1;
      const entries = view.getUint16(ifd, little);
      for (let e = 0; e < entries && ifd + 2 + 12 * (e + 1) <= end; e++) {
        const entry = ifd + 2 + 12 * e;
        if (view.getUint16(entry, little) === 0x0112) return view.getUint16(entry + 8, little);
      }
      return 1;
    }
    at += 2 + length;
  }
  return 1;
}

function decodeJpegFile(file: string, bytes: Uint8Array): DecodedImage {
  const frame = jpegFrame(bytes);
  const components = frame?.components;
  if (components === 4) {
    throw new DlError("UNSUPPORTED_FORMAT", `${file} is a CMYK JPEG, whose colours cannot be read faithfully; convert it to RGB (e.g. export as sRGB JPEG or PNG).`);
  }
  if (components !== undefined && components !== 1 && components !== 3) {
    throw new DlError("UNSUPPORTED_FORMAT", `${file} is a JPEG with ${components} colour components; save it as an RGB or greyscale JPEG or as PNG.`);
  }
  let jpeg;
  try {
    jpeg = decodeJpegData(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxMemoryUsageInMB: 1024 });
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    if (message.includes("maxResolutionInMP")) {
      throw new DlError("UNSUPPORTED_FORMAT", `${file} has more than 100 megapixels; scale it down before loading it.`, { cause: error });
    }
    throw unreadable(file, "JPEG", error);
  }
  const { width, height } = jpeg;
  if (components === 1) {
    // jpeg-js repeats grey into R, G and B; keep one.
    const grey = new Uint8Array(width * height);
    for (let p = 0; p < grey.length; p++) grey[p] = jpeg.data[p * 3] as number;
    return { format: "jpeg", width, height, samples: 1, max: 255, data: grey, orientation: exifOrientation(bytes) };
  }
  return { format: "jpeg", width, height, samples: 3, max: 255, data: jpeg.data, chromaSubsampled: frame?.subsampled ?? false, orientation: exifOrientation(bytes) };
}

/** Decodes PNG (grey, grey+alpha, RGB, RGBA, palette; 1–16 bit) or JPEG (grey, RGB) bytes, told apart by content. */
export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  if (hasPngSignature(bytes)) return decodePngFile(file, bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return decodeJpegFile(file, bytes);
  const named = /\.jpe?g$/i.test(file) ? "JPEG" : /\.png$/i.test(file) ? "PNG" : ACCEPTED;
  throw unreadable(file, named, "no PNG or JPEG signature");
}

/**
 * Bilinear resampling with half-pixel centres and no antialiasing, as `tf.image.resize` (TF 2,
 * `antialias=False`) and `tf.image.resizeBilinear(x, size, false, true)`: output pixel centre
 * (y + ½)·in/out − ½ in input coordinates, clamped to the edges.
 */
export function resizeBilinear(pixels: ArrayLike<number>, height: number, width: number, channels: number, outHeight: number, outWidth: number): Float32Array {
  const out = new Float32Array(outHeight * outWidth * channels);
  if (height === outHeight && width === outWidth) {
    for (let i = 0; i < out.length; i++) out[i] = pixels[i] as number;
    return out;
  }
  const sy = height / outHeight;
  const sx = width / outWidth;
  const x0s = new Int32Array(outWidth);
  const x1s = new Int32Array(outWidth);
  const wxs = new Float64Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min((x0s[x] as number) + 1, width - 1);
    wxs[x] = fx - (x0s[x] as number);
  }
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, height - 1);
    const wy = fy - y0;
    for (let x = 0; x < outWidth; x++) {
      const wx = wxs[x] as number;
      const a = (y0 * width + (x0s[x] as number)) * channels;
      const b = (y0 * width + (x1s[x] as number)) * channels;
      const c = (y1 * width + (x0s[x] as number)) * channels;
      const d = (y1 * width + (x1s[x] as number)) * channels;
      for (let k = 0; k < channels; k++) {
        const top = (pixels[a + k] as number) * (1 - wx) + (pixels[b + k] as number) * wx;
        const bottom = (pixels[c + k] as number) * (1 - wx) + (pixels[d + k] as number) * wx;
        out[(y * outWidth + x) * channels + k] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

/** What `toPixels` did to one image, for the folder's notes. */
interface ConversionFlags {
  transparent: boolean;
  colourToGrey: boolean;
  greyToColour: boolean;
  sixteenBit: boolean;
}

/**
 * The image as `channels` float samples on the 0…255 scale: alpha composited over black, colour
 * reduced to ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B, as PIL's convert("L")) or grey repeated.
 */
function toPixels(image: DecodedImage, channels: 1 | 3): { pixels: Float32Array; flags: ConversionFlags } {
  const { data, samples, max } = image;
  const n = image.width * image.height;
  const pixels = new Float32Array(n * channels);
  const hasAlpha = samples === 2 || samples === 4;
  const colour = samples >= 3;
  const unit = 255 / max;
  let transparent = false;
  for (let p = 0; p < n; p++) {
    const at = p * samples;
    let alpha = 1;
    if (hasAlpha) {
      const a = data[at + samples - 1] as number;
      if (a !== max) transparent = true;
      alpha = a / max;
    }
    const f = unit * alpha;
    if (colour) {
      const r = (data[at] as number) * f;
      const g = (data[at + 1] as number) * f;
      const b = (data[at + 2] as number) * f;
      if (channels === 3) {
        pixels[p * 3] = r;
        pixels[p * 3 + 1] = g;
        pixels[p * 3 + 2] = b;
      } else {
        pixels[p] = 0.299 * r + 0.587 * g + 0.114 * b;
      }
    } else {
      const v = (data[at] as number) * f;
      if (channels === 3) pixels.fill(v, p * 3, p * 3 + 3);
      else pixels[p] = v;
    }
  }
  return {
    pixels,
    flags: { transparent, colourToGrey: colour && channels === 1, greyToColour: !colour && channels === 3, sixteenBit: max === 65535 },
  };
}

export interface LoadImageFolderOptions {
  /** `[height, width]` every image is resized to (bilinear, see notes); default: all images must share one size. */
  size?: readonly [number, number];
  /** 3 (RGB, default) or 1 (grey, BT.601 luma). */
  channels?: 1 | 3;
  /** Keep at most this many images, sampled per label in proportion to its size (largest remainder), with `seed`. */
  maxImages?: number;
  /** Seed of the `maxImages` sample; default DEFAULT_SEED. */
  seed?: number;
  signal?: AbortSignal;
  /** Called after each decoded image (phase "decode", message = the file). */
  onProgress?: ProgressCallback;
}

export interface ImageFolder {
  name: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  labels: Int32Array;
  classNames: readonly string[];
  /** The file of each image, in image order. */
  files: readonly string[];
  /** One line per thing the loader did that the user should know (resizing, alpha, grey, ignored files…). */
  notes: string[];
  /** Pixels of images [start, start + size) as float32 NHWC in [0, 1]. */
  read(start: number, size: number): Float32Array;
  /** The whole folder (or the listed rows) as an ImageDataset, optionally resampled to `size`. */
  toDataset(options?: { size?: readonly [number, number]; rows?: ArrayLike<number> }): ImageDataset;
}

/** What `createImageFolder` reads: one entry per image file, labels indexing `classNames`. */
export interface ImageFolderSource {
  name: string;
  classNames: readonly string[];
  files: readonly string[];
  labels: ArrayLike<number>;
  /** The bytes of one of `files` (fs.readFile in Node, File.arrayBuffer in the browser). */
  readFile(file: string): Promise<Uint8Array>;
  /** Notes the caller already has (ignored files, empty label folders…), kept first. */
  notes?: readonly string[];
}

function assertSize(size: readonly [number, number] | undefined, what: string): void {
  if (size === undefined) return;
  const [h, w] = size;
  assertArgument(
    Array.isArray(size) && size.length === 2 && Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0,
    () => `${what} must be two positive integers [height, width], got ${JSON.stringify(size)}.`,
  );
}

/** The rows kept by a stratified, seeded sample of `maxImages`, in their original order. */
function stratifiedRows(labels: ArrayLike<number>, classes: number, maxImages: number, seed: number): number[] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) (byClass[labels[i] as number] as number[]).push(i);
  const counts = proportionalCounts(
    byClass.map((rows) => rows.length),
    maxImages,
  );
  const rng = createRng(seed);
  const kept: number[] = [];
  byClass.forEach((rows, k) => {
    for (const t of rng.sample(rows.length, counts[k] as number)) kept.push(rows[t] as number);
  });
  return kept.sort((a, b) => a - b);
}

function formatCount(n: number, one: string, many: string): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/**
 * Decodes every listed file once into one Uint8Array (count × height × width × channels, one byte
 * per sample) and returns it as an ImageFolder with notes on what was converted.
 */
export async function createImageFolder(source: ImageFolderSource, options: LoadImageFolderOptions = {}): Promise<ImageFolder> {
  const channels = options.channels ?? 3;
  assertArgument(channels === 1 || channels === 3, () => `channels must be 1 or 3, got ${String(channels)}.`);
  assertSize(options.size, "size");
  assertArgument(source.files.length === source.labels.length, () => `Got ${source.files.length} files but ${source.labels.length} labels; give one label per file.`);
  const notes = [...(source.notes ?? [])];

  const { maxImages } = options;
  assertArgument(maxImages === undefined || (Number.isInteger(maxImages) && maxImages > 0), () => `maxImages must be a positive integer, got ${String(maxImages)}.`);
  const perClass = new Array<number>(source.classNames.length).fill(0);
  for (let i = 0; i < source.labels.length; i++) {
    const label = source.labels[i] as number;
    assertArgument(Number.isInteger(label) && label >= 0 && label < perClass.length, () => `Label ${label} of ${source.files[i] ?? ""} is not a class index; use 0…${perClass.length - 1}.`);
    perClass[label] = (perClass[label] as number) + 1;
  }
  const single = source.classNames.filter((_, k) => perClass[k] === 1);
  if (single.length > 0 && source.classNames.length > 1) notes.push(`${formatCount(single.length, "label has", "labels have")} only one image: ${single.join(", ")}.`);

  let rows = Array.from({ length: source.files.length }, (_, i) => i);
  if (maxImages !== undefined && maxImages < source.files.length) {
    const seed = options.seed ?? DEFAULT_SEED;
    rows = stratifiedRows(source.labels, source.classNames.length, maxImages, seed);
    const stratified = source.classNames.length > 1 ? ", stratified by label" : "";
    notes.push(`Sampled ${maxImages.toLocaleString("en-US")} of ${source.files.length.toLocaleString("en-US")} images${stratified} (seed ${seed}).`);
    const kept = new Set(rows.map((r) => source.labels[r] as number));
    const missing = source.classNames.filter((_, k) => !kept.has(k) && (perClass[k] as number) > 0);
    if (missing.length > 0) notes.push(`Labels left without images by the sample: ${missing.join(", ")}; raise maxImages to keep them.`);
  }
  assertArgument(rows.length > 0, `${source.name} holds no images; give at least one .png, .jpg or .jpeg file.`);

  const count = rows.length;
  const files = rows.map((r) => source.files[r] as string);
  const labels = Int32Array.from(rows, (r) => source.labels[r] as number);
  let height = options.size?.[0] ?? 0;
  let width = options.size?.[1] ?? 0;
  let firstFile = "";
  let data: Uint8Array | undefined;
  const tally = { resized: 0, transparent: 0, colourToGrey: 0, greyToColour: 0, sixteenBit: 0, subsampled: 0, rotated: 0 };

  for (let i = 0; i < count; i++) {
    throwIfAborted(options.signal);
    const file = files[i] as string;
    const image = decodeImage(await source.readFile(file), file);
    if (i === 0 && options.size === undefined) {
      height = image.height;
      width = image.width;
      firstFile = file;
    } else if (options.size === undefined && (image.height !== height || image.width !== width)) {
      throw new DlError(
        "SHAPE_MISMATCH",
        `${file} is ${image.width}×${image.height} but ${firstFile} is ${width}×${height}; pass size: [height, width] to resize them all to one size.`,
        { details: { file, width: image.width, height: image.height } },
      );
    }
    if (data === undefined) {
      const bytes = count * height * width * channels;
      try {
        data = new Uint8Array(bytes);
      } catch (error) {
        throw new DlError(
          "INVALID_ARGUMENT",
          `${count} images at ${height}×${width}×${channels} need ${Math.ceil(bytes / 2 ** 20)} MB, more than this machine can hold at once; pass maxImages or a smaller size.`,
          { cause: error },
        );
      }
    }
    const { pixels, flags } = toPixels(image, channels);
    const sized = image.height === height && image.width === width ? pixels : resizeBilinear(pixels, image.height, image.width, channels, height, width);
    if (sized !== pixels) tally.resized++;
    const offset = i * height * width * channels;
    for (let j = 0; j < sized.length; j++) data[offset + j] = Math.round(Math.min(Math.max(sized[j] as number, 0), 255));
    if (flags.transparent) tally.transparent++;
    if (flags.colourToGrey) tally.colourToGrey++;
    if (flags.greyToColour) tally.greyToColour++;
    if (flags.sixteenBit) tally.sixteenBit++;
    if (image.chromaSubsampled === true) tally.subsampled++;
    if (image.orientation !== undefined && image.orientation !== 1) tally.rotated++;
    options.onProgress?.({ phase: "decode", step: i + 1, total: count, message: file });
  }
  const pixelsData = data ?? new Uint8Array(0);

  if (tally.resized > 0) {
    notes.push(`${formatCount(tally.resized, "image", "images")} of other sizes resized to ${height}×${width} (bilinear, half-pixel centres, no antialiasing — as Keras/tf.image.resize).`);
  }
  if (tally.transparent > 0) notes.push(`${formatCount(tally.transparent, "image", "images")} with transparent pixels (alpha channel) composited over black.`);
  if (tally.colourToGrey > 0) notes.push(`${formatCount(tally.colourToGrey, "colour image", "colour images")} converted to grey (ITU-R BT.601 luma: 0.299 R + 0.587 G + 0.114 B).`);
  if (tally.greyToColour > 0) notes.push(`${formatCount(tally.greyToColour, "grey image", "grey images")} repeated into 3 identical RGB channels.`);
  if (tally.subsampled > 0) {
    notes.push(
      `${formatCount(tally.subsampled, "JPEG stores", "JPEGs store")} colour at reduced resolution (e.g. 4:2:0); it is upsampled by repetition, where TensorFlow and PIL interpolate, so colours at sharp edges can differ from theirs by up to ~20 levels.`,
    );
  }
  if (tally.rotated > 0) {
    notes.push(
      `${formatCount(tally.rotated, "JPEG is", "JPEGs are")} marked to be shown rotated or mirrored (EXIF orientation); like TensorFlow, their pixels are read as stored — rotate the files themselves if the model should see them upright.`,
    );
  }
  if (tally.sixteenBit > 0) notes.push(`${formatCount(tally.sixteenBit, "16-bit PNG", "16-bit PNGs")} rounded to 8 bits per sample.`);

  const perImage = height * width * channels;
  const folder: ImageFolder = {
    name: source.name,
    count,
    height,
    width,
    channels,
    labels,
    classNames: Object.freeze([...source.classNames]),
    files: Object.freeze(files),
    notes,
    read(start: number, size: number): Float32Array {
      assertArgument(
        Number.isInteger(start) && Number.isInteger(size) && start >= 0 && size >= 0 && start + size <= count,
        () => `read(${start}, ${size}) is outside "${source.name}" of ${count} images; ask for start ≥ 0 and start + size ≤ ${count}.`,
      );
      const bytes = pixelsData.subarray(start * perImage, (start + size) * perImage);
      const out = new Float32Array(bytes.length);
      for (let j = 0; j < bytes.length; j++) out[j] = (bytes[j] as number) / 255;
      return out;
    },
    toDataset(opts: { size?: readonly [number, number]; rows?: ArrayLike<number> } = {}): ImageDataset {
      assertSize(opts.size, "toDataset size");
      const [outHeight, outWidth] = opts.size ?? [height, width];
      const picked = opts.rows ?? Array.from({ length: count }, (_, i) => i);
      const outPer = outHeight * outWidth * channels;
      const images = new Float32Array(picked.length * outPer);
      const outLabels = new Int32Array(picked.length);
      for (let i = 0; i < picked.length; i++) {
        const row = picked[i] as number;
        assertArgument(Number.isInteger(row) && row >= 0 && row < count, () => `Row ${row} (position ${i}) is outside "${source.name}" of ${count} images; use 0…${count - 1}.`);
        const one = folder.read(row, 1);
        images.set(outHeight === height && outWidth === width ? one : resizeBilinear(one, height, width, channels, outHeight, outWidth), i * outPer);
        outLabels[i] = labels[row] as number;
      }
      return { name: source.name, images, labels: outLabels, count: picked.length, height: outHeight, width: outWidth, channels, classNames: folder.classNames };
    },
  };
  return folder;
}

/**
 * An ImageFolder from `File`s picked in a browser (`<input type="file" webkitdirectory>` or a drop):
 * images directly in the picked folder form one class named after it; images in its sub-folders are
 * labelled by the sub-folder (as `loadImageFolder` does on disk). Other files are ignored and counted.
 */
export async function imageFolderFromFiles(files: readonly File[], options: LoadImageFolderOptions = {}): Promise<ImageFolder> {
  const images = files.filter((f) => isImageFileName(f.name));
  const paths = images.map((f) => (f.webkitRelativePath === "" ? f.name : f.webkitRelativePath).split("/"));
  const root = paths[0]?.length !== undefined && paths[0].length > 1 ? (paths[0][0] as string) : "images";
  const labelOf = (parts: readonly string[]): string => (parts.length > 2 ? (parts[parts.length - 2] as string) : root);
  const classNames = [...new Set(paths.map(labelOf))].sort();
  const byName = new Map(images.map((f, i) => [paths[i]?.join("/") ?? f.name, f]));
  const order = [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ignored = files.length - images.length;
  return createImageFolder(
    {
      name: root,
      classNames,
      files: order,
      labels: order.map((p) => classNames.indexOf(labelOf(p.split("/")))),
      readFile: async (file) => new Uint8Array(await (byName.get(file) as File).arrayBuffer()),
      notes: ignored > 0 ? [`${ignored} file(s) that are not ${[...IMAGE_EXTENSIONS].join(", ")} images ignored.`] : [],
    },
    options,
  );
}
