// `@dl/tensor-core/host`: the part of tensor-core that loads no TensorFlow.js — typed errors, seeded
// randomness, cancellation and progress, datasets as plain arrays, .npy/.csv, PNG, charts and reports.
// Code that works on typed arrays (t-SNE, the CLI's start-up) imports it to skip tfjs's ~0.2 s start-up.
// Browser-safe; the browser entry (index.host.ts) and the Node entry (index.host.node.ts, which adds the file-system
// helpers) share it. Every name here is also in the main entry.
export { YIELD_INTERVAL_MS, cancelPoint, nextMacrotask } from "./cancel.js";
export { DlError, assertArgument, isDlError, listNames, throwIfAborted } from "./errors.js";
export type { DlErrorCode, DlErrorOptions } from "./errors.js";
export type { ProgressCallback, ProgressEvent, RunOptions } from "./progress.js";
export { unfinishedPhases } from "./progress.js";
export { DEFAULT_SEED, createRng } from "./random/rng.js";
export type { Rng } from "./random/rng.js";
export { sampleBeta, sampleStandardGamma } from "./random/gamma.js";
export { BACKEND_NAMES, loadedTfjs } from "./backend/names.js";
export type { BackendName } from "./backend/names.js";
export { CLASS_NAMES, DATASET_NAMES, assertDataset, filterClasses, indicesByLabel, parseDatasetName, sampleDataset, subsetDataset } from "./data/dataset.js";
export type { DatasetName, ImageDataset, LabelledImages, SampleOptions } from "./data/dataset.js";
export type { NdArray, NdData, NdDtype } from "./data/ndarray.js";
export { encodeNpy, parseNpy } from "./data/npy.js";
export type { ParseNpyOptions } from "./data/npy.js";
// Types of what the Node entry's file readers return (type-only: loads nothing).
export type { CsvTable, ParseCsvOptions } from "./data/csv.js";
export type { DecodedImage, ImageFolder, ImageFolderSource, LoadImageFolderOptions } from "./data/imageFolder.js";
export { safeFileName } from "./data/fileName.js";
export * from "./report/index.js";
