// The images `dl embed` embeds: a stratified sample of a bundled test split, or the user's folder
// read at the model's input size (with thumbnails for the pictures).
import { DlError, loadDataset, sampleDataset, subsetDataset, type DatasetName, type ImageDataset, type ImageModel, type ModelInput } from "@dl/tensor-core";

import type { CommonOptions } from "../../options.js";
import { openImageFolder, type UserModelCliOptions } from "../../userModel.js";

export interface EmbedCliOptions extends CommonOptions, UserModelCliOptions {
  model: string;
  data?: string;
  images?: string;
  arch: string;
  layers?: string;
  n: number;
  thumbnail: number;
  perplexity?: number;
  iterations: number;
  out?: string;
}

/** Side of the thumbnails drawn in the pictures (and read as the "pixels" row) for large images. */
export const THUMBNAIL = 32;

export interface EmbedImages {
  /** What is drawn and compared in pixel space (thumbnails of a folder's images). */
  images: ImageDataset;
  /** What the model reads (a folder's images at the model's input size). */
  modelInput: ModelInput;
  /** The model's input for a few listed rows (the images shown with their predictions). */
  rowsForModel: (rows: readonly number[]) => ModelInput;
  /** Where the images came from, for metrics.json. */
  source: Record<string, unknown>;
  /** A folder's file names, row by row. */
  imageFiles?: readonly string[];
}

export async function embedImages(opts: EmbedCliOptions, data: DatasetName, model: ImageModel, seed: number, signal: AbortSignal): Promise<EmbedImages> {
  if (opts.images === undefined) {
    const test = await loadDataset(data, { split: "test" });
    const images = opts.n < test.count ? sampleDataset(test, opts.n, seed, { stratified: true }) : test;
    return { images, modelInput: images, rowsForModel: (rows) => subsetDataset(images, rows), source: { data } };
  }
  const folder = await openImageFolder(opts.images, model, opts, "--images", { maxImages: opts.n, seed, signal });
  if (folder.count < 50) throw new DlError("INVALID_ARGUMENT", `--images ${opts.images} holds ${folder.count} images; a t-SNE of layers needs at least 50.`);
  const side = opts.thumbnail;
  const thumbnail: [number, number] = folder.height > side || folder.width > side ? [side, Math.max(1, Math.round((side * folder.width) / folder.height))] : [folder.height, folder.width];
  return {
    images: folder.toDataset({ size: thumbnail }),
    modelInput: folder,
    rowsForModel: (rows) => folder.toDataset({ rows }),
    source: { images: opts.images, count: folder.count, classes: folder.classNames, size: [folder.height, folder.width], channels: folder.channels, thumbnail, notes: folder.notes },
    imageFiles: folder.files,
  };
}
