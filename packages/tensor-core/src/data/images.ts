import { readdir, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";

import { convertIndexedToRgb, decode } from "fast-png";

import { DlError } from "../errors.js";
import type { ImageDataset } from "./dataset.js";
import { readFileOrThrow } from "./files.js";

export interface ReadImageFolderOptions {
  /** Resize every image to this `[height, width]` (bilinear); default: all images must share one size. */
  size?: readonly [number, number];
  /** 1 (grayscale, default: MNIST-like models) or 3 (RGB). Alpha is composited over black. */
  channels?: 1 | 3;
}

interface DecodedImage {
  file: string;
  width: number;
  height: number;
  /** RGB in [0, 1], alpha already applied. */
  rgb: Float32Array;
}

function decodeImage(file: string, bytes: Uint8Array): DecodedImage {
  let png;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new DlError("MALFORMED_FILE", `${file} is not a readable PNG: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
  const { width, height } = png;
  let data: ArrayLike<number> = png.data;
  let channels = png.channels;
  let max = png.depth === 16 ? 65535 : 255;
  if (png.palette !== undefined) {
    data = convertIndexedToRgb(png);
    channels = data.length / (width * height);
    max = 255;
  } else if (png.depth < 8) {
    throw new DlError("UNSUPPORTED_FORMAT", `${file} uses ${png.depth}-bit samples; save it as an 8- or 16-bit PNG.`);
  }
  if (data.length !== width * height * channels) throw new DlError("MALFORMED_FILE", `${file}: decoded ${data.length} samples for ${width}×${height}×${channels}.`);
  const rgb = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const at = p * channels;
    const hasAlpha = channels === 2 || channels === 4;
    const alpha = hasAlpha ? (data[at + channels - 1] as number) / max : 1;
    for (let c = 0; c < 3; c++) {
      const source = channels >= 3 ? at + c : at;
      rgb[p * 3 + c] = ((data[source] as number) / max) * alpha;
    }
  }
  return { file, width, height, rgb };
}

/** Bilinear resampling with pixel centres aligned (as in `tf.image.resizeBilinear(…, alignCorners=false, halfPixelCenters=true)`). */
function resizeRgb(image: DecodedImage, height: number, width: number): Float32Array {
  if (image.height === height && image.width === width) return image.rgb;
  const out = new Float32Array(height * width * 3);
  const sy = image.height / height;
  const sx = image.width / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), image.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, image.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), image.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, image.width - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number): number => image.rgb[(yy * image.width + xx) * 3 + c] as number;
        const top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx;
        const bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx;
        out[(y * width + x) * 3 + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

async function listPngs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && extname(e.name).toLowerCase() === ".png")
    .map((e) => e.name)
    .sort();
}

/**
 * PNG images of a folder as a dataset (e.g. TCAV concept examples). PNGs directly in `dir` form one
 * class named after the folder; otherwise each sub-folder holding PNGs is a class (sorted by name).
 */
export async function readImageFolder(dir: string, options: ReadImageFolderOptions = {}): Promise<ImageDataset> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    throw new DlError("FILE_NOT_FOUND", `Image folder ${dir} does not exist; give a folder of .png files.`, { cause: error });
  }
  if (!info.isDirectory()) throw new DlError("INVALID_ARGUMENT", `${dir} is not a folder; give a folder of .png files (or of class sub-folders).`);
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 3) throw new DlError("INVALID_ARGUMENT", `channels must be 1 or 3, got ${String(channels)}.`);

  const groups: { className: string; files: string[] }[] = [];
  const direct = await listPngs(dir);
  if (direct.length > 0) {
    groups.push({ className: basename(dir), files: direct.map((f) => join(dir, f)) });
  } else {
    const subdirs = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    for (const sub of subdirs) {
      const files = await listPngs(join(dir, sub));
      if (files.length > 0) groups.push({ className: sub, files: files.map((f) => join(dir, sub, f)) });
    }
  }
  if (groups.length === 0) throw new DlError("FILE_NOT_FOUND", `${dir} contains no .png files (directly or in sub-folders); expected PNG images.`);

  const decoded: { image: DecodedImage; label: number }[] = [];
  for (const [label, group] of groups.entries()) {
    for (const file of group.files) decoded.push({ image: decodeImage(file, new Uint8Array(await readFileOrThrow(file, "Image"))), label });
  }
  const first = (decoded[0] as { image: DecodedImage }).image;
  const [height, width] = options.size ?? [first.height, first.width];
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new DlError("INVALID_ARGUMENT", `size must be two positive integers [height, width], got [${height}, ${width}].`);
  }
  if (options.size === undefined) {
    const odd = decoded.find((d) => d.image.height !== height || d.image.width !== width);
    if (odd !== undefined) {
      throw new DlError("SHAPE_MISMATCH", `${odd.image.file} is ${odd.image.width}×${odd.image.height} but ${first.file} is ${width}×${height}; pass size: [height, width] to resize them all.`);
    }
  }
  const perImage = height * width * channels;
  const images = new Float32Array(decoded.length * perImage);
  const labels = new Int32Array(decoded.length);
  decoded.forEach(({ image, label }, i) => {
    const rgb = resizeRgb(image, height, width);
    labels[i] = label;
    for (let p = 0; p < height * width; p++) {
      const r = rgb[p * 3] as number;
      const g = rgb[p * 3 + 1] as number;
      const b = rgb[p * 3 + 2] as number;
      // ITU-R BT.601 luma, the weights PIL's convert("L") uses.
      if (channels === 1) images[i * perImage + p] = 0.299 * r + 0.587 * g + 0.114 * b;
      else images.set([r, g, b], i * perImage + p * 3);
    }
  });
  return { name: basename(dir), images, labels, count: decoded.length, height, width, channels, classNames: groups.map((g) => g.className) };
}
