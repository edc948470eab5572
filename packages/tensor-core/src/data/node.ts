// Node-only part of the data module (fs, paths); never reached from the browser entry.
import type { ImageDataset } from "./dataset.js";
import type { ImageFolder, LoadImageFolderOptions } from "./imageFolder.js";
import type { ReadImageFolderOptions } from "./images.js";

export { loadDataset } from "./builtin.js";
export { assertCacheWritable, readChecksummedRecord, recordChecksum, sha256, withCacheLock } from "./cacheGuard.js";
export type { CacheLockOptions, LockHolder } from "./cacheGuard.js";
export type { DatasetSplit, LoadDatasetOptions } from "./builtin.js";
export { defaultCacheDir, writeFileAtomic, writeFilesAtomically } from "./files.js";
export type { OutputFile } from "./files.js";
export type { ReadImageFolderOptions } from "./images.js";
export { readCsv, readNpy, writeNpy } from "./userFiles.js";

// The image-folder readers and their JPEG decoder (jpeg-js) load on first use, so a command that reads no
// image folder (`dl tsne`) starts without them; papaparse likewise waits for `readCsv` (userFiles.ts).
/** The PNG and JPEG images of a folder, one class per sub-folder (images.ts `loadImageFolder`). */
export async function loadImageFolder(dir: string, options?: LoadImageFolderOptions): Promise<ImageFolder> {
  return (await import("./images.js")).loadImageFolder(dir, options);
}

/** `loadImageFolder` as a float ImageDataset, grey by default (images.ts `readImageFolder`). */
export async function readImageFolder(dir: string, options?: ReadImageFolderOptions): Promise<ImageDataset> {
  return (await import("./images.js")).readImageFolder(dir, options);
}
