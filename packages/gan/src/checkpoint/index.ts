// @dl/gan/checkpoint — saving and loading GAN checkpoints on the file system (Node only; the main
// entry stays free of node: imports so the playground can bundle it).
export { GAN_CHECKPOINT_STATE_FILE, ganCheckpointFiles, loadGanCheckpoint, saveGanCheckpoint } from "./checkpoint.js";
export { defaultGanDir, loadDefaultGan } from "./defaultGan.js";
export type { DefaultGan, DefaultGanRecord, LoadDefaultGanOptions } from "./defaultGan.js";
