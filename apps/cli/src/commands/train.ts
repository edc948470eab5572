import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Option, type Command } from "commander";

import {
  defaultTrainingRecipe,
  backendInfo,
  createDefaultModel,
  loadDataset,
  parseArch,
  parseDatasetName,
  sampleDataset,
  saveModel,
  trainClassifier,
  trainingCurveFigures,
  type ImageDataset,
} from "@dl/tensor-core";

import { runAction } from "../action.js";
import { log, type OutputFile } from "../io.js";
import { InvalidOptionError, backendOption, parseInteger, parseNumber, seedOption, type CommonOptions } from "../options.js";

interface TrainOptions extends CommonOptions {
  data: string;
  arch: string;
  out: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  limit?: number;
}

function parsePositive(flag: string): (value: string) => number {
  const parse = parseNumber(flag);
  return (value) => {
    const x = parse(value);
    if (x <= 0) throw new InvalidOptionError(`${flag} needs a number > 0, got "${value}".`);
    return x;
  };
}

/** At most `limit` images of `ds`, class proportions kept (for quick runs and tests). */
export function limitDataset(ds: ImageDataset, limit: number | undefined, seed: number): ImageDataset {
  return limit === undefined || limit >= ds.count ? ds : sampleDataset(ds, limit, seed, { stratified: true });
}

/** Every file a saved model consists of, read back from a scratch folder so the output stays atomic. */
async function modelFiles(save: (dir: string) => Promise<unknown>): Promise<OutputFile[]> {
  const scratch = await mkdtemp(join(tmpdir(), "dl-model-"));
  try {
    await save(scratch);
    const names = (await readdir(scratch, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    // Awaited here: the finally must not remove the scratch folder while its files are still being read.
    return await Promise.all(
      names.map(async (e): Promise<OutputFile> => {
        const rel = join(e.parentPath, e.name).slice(scratch.length + 1);
        return [rel, new Uint8Array(await readFile(join(scratch, rel)))];
      }),
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export function registerTrainCommand(program: Command): void {
  program
    .command("train")
    .description("train the default classifier on an embedded dataset; writes the model, metrics.json and training curves")
    .requiredOption("--data <name>", "dataset: mnist or fashion-mnist")
    .option("--arch <name>", "architecture: cnn or mlp", "cnn")
    .requiredOption("--out <dir>", "folder that receives model.json, weights, metrics.json and training-curve.png/svg")
    .option("--epochs <n>", "training epochs (default: the default model's recipe for the dataset: MNIST cnn 8, mlp 20; Fashion-MNIST cnn 5, mlp 3; at most 1000)", parseInteger("--epochs", 1, 1000))
    .option("--batch-size <n>", "minibatch size (default: the recipe's; at most 8192)", parseInteger("--batch-size", 1, 8192))
    .option("--learning-rate <x>", "initial Adam learning rate, cosine-annealed (default: the recipe's)", parsePositive("--learning-rate"))
    .addOption(seedOption())
    .addOption(backendOption())
    .addOption(new Option("--limit <n>", "use at most N train and N test images (quick runs)").argParser(parseInteger("--limit", 10)).hideHelp())
    .option("--json", "print one JSON document on stdout")
    .action((opts: TrainOptions) => {
      const data = parseDatasetName(opts.data);
      const arch = parseArch(opts.arch);
      return runAction("train", opts, async ({ seed, signal, onProgress }) => {
        log(`dl train: ${arch} on ${data}, backend ${backendInfo().name}`);
        const train = limitDataset(await loadDataset(data, { split: "train" }), opts.limit, seed);
        const test = limitDataset(await loadDataset(data, { split: "test" }), opts.limit, seed + 1);
        const model = createDefaultModel(arch, { seed, numClasses: train.classNames.length });
        try {
          const recipe = {
            ...defaultTrainingRecipe(data, arch),
            ...(opts.epochs === undefined ? {} : { epochs: opts.epochs }),
            ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
            ...(opts.learningRate === undefined ? {} : { learningRate: opts.learningRate }),
          };
          const result = await trainClassifier(model, train, test, { ...recipe, seed, onProgress, signal });
          const json = { data, arch, backend: backendInfo().name, seed, trainCount: train.count, testCount: test.count, options: recipe, epochs: result.history.length, history: result.history, testAccuracy: result.testAccuracy, seconds: result.seconds };
          const curves = trainingCurveFigures(result.history, `${arch} on ${data}`);
          const files: OutputFile[] = [
            ...(await modelFiles((dir) => saveModel(model, dir))),
            ["metrics.json", `${JSON.stringify(json, null, 2)}\n`],
            ["training-curve.png", curves.png],
            ["training-curve.svg", curves.svg],
          ];
          return { files, json, summary: `test accuracy ${(result.testAccuracy * 100).toFixed(2)}% after ${result.history.length} epochs in ${result.seconds.toFixed(1)} s` };
        } finally {
          model.dispose();
        }
      });
    });
}
