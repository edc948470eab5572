// Browser-safe part of the data module; re-exported by the package entries.
export { CLASS_NAMES, DATASET_NAMES, filterClasses, indicesByLabel, parseDatasetName, sampleDataset, subsetDataset, assertDataset } from "./dataset.js";
export { datasetToTensors } from "./datasetTensors.js";
export type { DatasetName, ImageDataset, LabelledImages, SampleOptions } from "./dataset.js";
export type { NdArray, NdData, NdDtype } from "./ndarray.js";
export { encodeNpy, parseNpy } from "./npy.js";
export type { ParseNpyOptions } from "./npy.js";
export { parseCsv } from "./csv.js";
export type { CsvTable, ParseCsvOptions } from "./csv.js";
export { createImageFolder, imageFolderFromFiles } from "./imageFolder.js";
export type { DecodedImage, ImageFolder, ImageFolderSource, LoadImageFolderOptions } from "./imageFolder.js";
export { PREPROCESS_PRESETS, describePreprocessing, parsePreprocessing, preprocessTensor } from "./preprocess.js";
export type { PreprocessPreset, Preprocessing, PreprocessingSpec } from "./preprocess.js";
// A safe file name from user or model text (browser-safe; the node writers use it too).
export { safeFileName } from "./fileName.js";
