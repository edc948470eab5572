// Node-only part of the data module (fs, paths); never reached from the browser entry.
export { loadDataset } from "./builtin.js";
export { assertCacheWritable, readChecksummedRecord, recordChecksum, sha256, withCacheLock } from "./cacheGuard.js";
export type { CacheLockOptions, LockHolder } from "./cacheGuard.js";
export type { DatasetSplit, LoadDatasetOptions } from "./builtin.js";
export { defaultCacheDir, writeFileAtomic, writeFilesAtomically } from "./files.js";
export type { OutputFile } from "./files.js";
export { loadImageFolder, readImageFolder } from "./images.js";
export type { ReadImageFolderOptions } from "./images.js";
export { readCsv, readNpy, writeNpy } from "./userFiles.js";
