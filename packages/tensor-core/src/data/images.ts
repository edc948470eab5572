// Node part of the image loader: lists a folder and reads its files; decoding lives in imageFolder.ts.
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";

import { DlError, listNames } from "../errors.js";
import type { ImageDataset } from "./dataset.js";
import { readFileOrThrow } from "./files.js";
import { IMAGE_EXTENSIONS, createImageFolder, isImageFileName } from "./imageFolder.js";
import type { ImageFolder, LoadImageFolderOptions } from "./imageFolder.js";

const ACCEPTED = listNames([...IMAGE_EXTENSIONS]);

async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new DlError("IO_ERROR", `Cannot list the folder ${dir}; check that you may read it.`, { cause: error });
  }
}

/** Image files of `dir` (sorted) and how many other visible files it holds; dot-files are skipped. */
async function listImages(dir: string): Promise<{ images: string[]; others: number; subdirs: string[] }> {
  const images: string[] = [];
  const subdirs: string[] = [];
  let others = 0;
  for (const e of await entriesOf(dir)) {
    if (e.name.startsWith(".")) continue;
    if (e.isDirectory()) subdirs.push(e.name);
    else if (e.isFile() && isImageFileName(e.name)) images.push(e.name);
    else others++;
  }
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return { images: images.sort(byName), others, subdirs: subdirs.sort(byName) };
}

/**
 * The PNG and JPEG images of a folder. Images directly in `dir` form one class named after the
 * folder; otherwise each sub-folder holding images is a class (sorted by name). Every file is
 * decoded once into one byte per sample; `notes` says what was converted, resized or ignored.
 */
export async function loadImageFolder(dir: string, options: LoadImageFolderOptions = {}): Promise<ImageFolder> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    throw new DlError("FILE_NOT_FOUND", `Image folder ${dir} does not exist; give a folder of ${ACCEPTED} images or of label sub-folders holding them.`, {
      cause: error,
    });
  }
  if (!info.isDirectory()) {
    throw new DlError("INVALID_ARGUMENT", `${dir} is a file, not a folder; give the folder that holds the images (${ACCEPTED}) or their label sub-folders.`);
  }
  const name = basename(resolve(dir));
  const top = await listImages(dir);
  const notes: string[] = [];
  const classNames: string[] = [];
  const files: string[] = [];
  const labels: number[] = [];
  let others = top.others;
  if (top.images.length > 0) {
    classNames.push(name);
    for (const f of top.images) {
      files.push(join(dir, f));
      labels.push(0);
    }
    if (top.subdirs.length > 0) notes.push(`Sub-folders ignored because ${name} holds images itself: ${top.subdirs.join(", ")}.`);
  } else {
    const empty: string[] = [];
    for (const sub of top.subdirs) {
      const inner = await listImages(join(dir, sub));
      others += inner.others;
      if (inner.images.length === 0) {
        empty.push(sub);
        continue;
      }
      for (const f of inner.images) {
        files.push(join(dir, sub, f));
        labels.push(classNames.length);
      }
      classNames.push(sub);
    }
    if (classNames.length > 0 && empty.length > 0) notes.push(`Label folders without images ignored: ${empty.join(", ")}.`);
  }
  if (files.length === 0) {
    throw new DlError("FILE_NOT_FOUND", `${dir} contains no images (${ACCEPTED} files), neither directly nor in label sub-folders; add some or give another folder.`);
  }
  if (others > 0) notes.push(`${others.toLocaleString("en-US")} other ${others === 1 ? "file" : "files"} ignored (only ${ACCEPTED} are read).`);
  return createImageFolder({ name, classNames, files, labels, notes, readFile: async (file) => new Uint8Array(await readFileOrThrow(file, "Image")) }, options);
}

export interface ReadImageFolderOptions {
  /** Resize every image to this `[height, width]` (bilinear); default: all images must share one size. */
  size?: readonly [number, number];
  /** 1 (grayscale, default: MNIST-like models) or 3 (RGB). Alpha is composited over black. */
  channels?: 1 | 3;
}

/** `loadImageFolder` as a float ImageDataset, grey by default (e.g. TCAV concept examples). */
export async function readImageFolder(dir: string, options: ReadImageFolderOptions = {}): Promise<ImageDataset> {
  const folder = await loadImageFolder(dir, { channels: options.channels ?? 1, ...(options.size === undefined ? {} : { size: options.size }) });
  return folder.toDataset();
}
