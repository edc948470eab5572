import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type * as tfl from "@tensorflow/tfjs-layers";

import { DlError, loadLayersModel, saveModel, writeFilesAtomically, type OutputFile } from "@dl/tensor-core";

import { ganCheckpointState, restoreGan, type Gan, type GanCheckpointState } from "../train/gan.js";

/**
 * A GAN checkpoint on disk, inside the folder it belongs to (`dl gan train`'s `--out`):
 * `checkpoint/state.json` (format `dl-gan-checkpoint@1`: config, seed, epoch, history, both Adam states
 * with their moments as JSON arrays) beside `checkpoint/generator/`, `checkpoint/discriminator/` and,
 * when training keeps one, `checkpoint/generator-ema/`, each a tfjs layers model (model.json + weights.bin).
 */
export const GAN_CHECKPOINT_STATE_FILE = "checkpoint/state.json";

const MODEL_FOLDERS = { generator: "checkpoint/generator", discriminator: "checkpoint/discriminator", generatorEma: "checkpoint/generator-ema" } as const;

/** The files of a model as `saveModel` writes them, read back from a scratch folder. */
async function modelFiles(model: tfl.LayersModel, prefix: string): Promise<OutputFile[]> {
  const scratch = await mkdtemp(join(tmpdir(), "dl-gan-model-"));
  try {
    await saveModel(model, scratch);
    const names = (await readdir(scratch)).filter((n) => !n.startsWith("."));
    // Awaited here: the finally must not remove the scratch folder while its files are still being read.
    return await Promise.all(names.map(async (n): Promise<OutputFile> => ({ path: join(prefix, n), contents: new Uint8Array(await readFile(join(scratch, n))) })));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function typedArraysAsArrays(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value;
}

/**
 * The files of a checkpoint of `gan` (paths relative to the folder that holds `checkpoint/`), for a
 * caller that writes them together with other outputs in one atomic step.
 */
export async function ganCheckpointFiles(gan: Gan): Promise<OutputFile[]> {
  return [
    ...(await modelFiles(gan.generator, MODEL_FOLDERS.generator)),
    ...(await modelFiles(gan.discriminator, MODEL_FOLDERS.discriminator)),
    ...(gan.generatorEma ? await modelFiles(gan.generatorEma, MODEL_FOLDERS.generatorEma) : []),
    { path: GAN_CHECKPOINT_STATE_FILE, contents: JSON.stringify(ganCheckpointState(gan), typedArraysAsArrays) },
  ];
}

/** Writes a checkpoint of `gan` under `dir/checkpoint/`: all of its files or, when a write fails, none of them. */
export async function saveGanCheckpoint(gan: Gan, dir: string): Promise<void> {
  await writeFilesAtomically(dir, await ganCheckpointFiles(gan));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Reads the checkpoint under `dir/checkpoint/` back into a GAN that generates and trains on exactly as the saved one would. */
export async function loadGanCheckpoint(dir: string): Promise<Gan> {
  const statePath = join(dir, GAN_CHECKPOINT_STATE_FILE);
  if (!(await exists(statePath))) {
    throw new DlError("MODEL_NOT_FOUND", `No GAN checkpoint in ${dir}: ${GAN_CHECKPOINT_STATE_FILE} is missing. Point --model at the --out folder of dl gan train.`);
  }
  let state: GanCheckpointState;
  try {
    state = JSON.parse(await readFile(statePath, "utf8")) as GanCheckpointState;
  } catch (error) {
    throw new DlError("MALFORMED_FILE", `${statePath} is not valid JSON.`, { cause: error });
  }
  const fix = (s: { step: number; m: unknown[]; v: unknown[] }): { step: number; m: Float32Array[]; v: Float32Array[] } => ({
    step: s.step,
    m: s.m.map((a) => Float32Array.from(a as number[])),
    v: s.v.map((a) => Float32Array.from(a as number[])),
  });
  state = { ...state, gOptimizer: fix(state.gOptimizer), dOptimizer: fix(state.dOptimizer) };
  const generator = await loadLayersModel(join(dir, MODEL_FOLDERS.generator));
  const discriminator = await loadLayersModel(join(dir, MODEL_FOLDERS.discriminator));
  const emaDir = join(dir, MODEL_FOLDERS.generatorEma);
  const generatorEma = (await exists(join(emaDir, "model.json"))) ? await loadLayersModel(emaDir) : undefined;
  return restoreGan(state, generator, discriminator, generatorEma);
}
