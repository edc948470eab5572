import type { Command } from "commander";

import { compareEncoder, grid25ModeCoverage, parseEncoderMethod, sampleGrid25, summariseModeCounts, type EncoderMethod, type ModeCoverageRun } from "@dl/gan";
import { createRng, encodePng, imageGrid, loadDataset, parseDatasetName, type RunOptions } from "@dl/tensor-core";

import { runAction, type ActionOutcome } from "../../action.js";
import { jsonFileText, type OutputFile } from "../../io.js";
import { backendOption, parseInteger, seedOption, type CommonOptions } from "../../options.js";

interface EncoderCliOptions extends CommonOptions {
  out: string;
  method: string;
  data: string;
  steps?: number;
  seeds: number;
}

type EncoderRun = RunOptions & { seed: number; steps?: number };

export function registerEncoder(gan: Command): void {
  gan
    .command("encoder")
    .description("which model gives z|x: a BiGAN/ALI encoder vs a VAE encoder, reconstruction error against a random-pair baseline")
    .requiredOption("--method <name>", "bigan or vae")
    .requiredOption("--data <name>", "mnist, fashion-mnist or grid25 (the 2-D grid of 25 Gaussians)")
    .requiredOption("--out <dir>", "folder for result.json (and samples.png for images)")
    .option("--steps <n>", "training steps (at most 1,000,000)", parseInteger("--steps", 10, 1_000_000))
    .option("--seeds <n>", "grid25: seeds for the mode count of GAN and BiGAN (0 to skip)", parseInteger("--seeds", 0), 5)
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action((opts: EncoderCliOptions) =>
      runAction("encoder", opts, async ({ seed, signal, onProgress }) => {
        const method = parseEncoderMethod(opts.method);
        const run: EncoderRun = { seed, onProgress, signal, ...(opts.steps === undefined ? {} : { steps: opts.steps }) };
        const { files, result } = opts.data === "grid25" ? await onGrid25(method, opts.seeds, run) : await onImages(method, opts.data, run);
        files.push(["result.json", jsonFileText(result)]);
        const summary = `${method}: reconstruction error ${Number(result["reconstructionError"]).toFixed(3)} vs random pair ${Number(result["randomPairError"]).toFixed(3)} (ratio ${Number(result["ratio"]).toFixed(3)})`;
        return { files, json: result, summary } satisfies ActionOutcome;
      }),
    );
}

interface EncoderResult {
  files: OutputFile[];
  result: Record<string, unknown>;
}

/** grid25: the comparison on 20,000 points, then GAN and BiGAN mode counts over `seeds` seeds. */
async function onGrid25(method: EncoderMethod, seeds: number, run: EncoderRun): Promise<EncoderResult> {
  const count = 20000;
  const { generated: _g, ...comparison } = await compareEncoder(method, { points: sampleGrid25(count, createRng(run.seed)), count, dim: 2, scale: "real" }, run);
  const modeRuns: ModeCoverageRun[] = [];
  for (let s = 0; s < seeds; s++) {
    for (const m of ["gan", "bigan"] as const) modeRuns.push(await grid25ModeCoverage(m, run.seed + s, run));
  }
  const modes = (m: "gan" | "bigan"): ReturnType<typeof summariseModeCounts> => summariseModeCounts(modeRuns.filter((r) => r.method === m).map((r) => r.coverage.modesCovered));
  return { files: [], result: { data: "grid25", ...comparison, ...(seeds > 0 ? { modesCovered: { gan: modes("gan"), bigan: modes("bigan"), of: 25 }, modeRuns } : {}) } };
}

/** MNIST or Fashion-MNIST: the comparison on the training split and a grid of 64 generated images. */
async function onImages(method: EncoderMethod, name: string, run: EncoderRun): Promise<EncoderResult> {
  const data = parseDatasetName(name);
  const train = await loadDataset(data, { split: "train" });
  const dim = train.height * train.width * train.channels;
  const { generated, ...comparison } = await compareEncoder(method, { points: train.images, count: train.count, dim, scale: "unit" }, run);
  const files: OutputFile[] = generated ? [["samples.png", encodePng(imageGrid(generated.subarray(0, 64 * dim), 64, train.height, train.width, { columns: 8, padding: 2, scale: 2 }))]] : [];
  return { files, result: { data, ...comparison } };
}
