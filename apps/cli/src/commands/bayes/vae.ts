import type { Command } from "commander";

import { VAE_FAMILIES, gapReport, measureGaps, parseVaeFamily, sampleImages, vaeGapRow, type VaeExperimentOptions } from "@dl/bayes";
import { DATASET_NAMES, backendInfo, encodePng, imageGrid, loadDataset, parseDatasetName, type DatasetName, type ImageDataset } from "@dl/tensor-core";

import { runAction } from "../../action.js";
import { jsonFileText } from "../../io.js";
import { InvalidOptionError, backendOption, parseInteger, seedOption, type CommonOptions } from "../../options.js";

// dl bayes vae and dl bayes gaps: one VAE's bounds and gaps, and the gap table over the encoder families.

interface VaeCliOptions extends CommonOptions {
  data: string;
  out: string;
  epochs: number;
  trainCount?: number;
  latentDim: number;
  iwaeK: number;
  localSteps: number;
  testCount: number;
}

function vaeCommand(cmd: Command): Command {
  return cmd
    .option("--data <name>", `dataset: ${DATASET_NAMES.join(" or ")}`, "mnist")
    .requiredOption("--out <dir>", "output folder")
    .option("--epochs <n>", "training epochs (at most 1000)", parseInteger("--epochs", 1, 1000), 5)
    .option("--train-count <n>", "train on this many images of the train split (default: 10,000, or all of it if smaller; at most its size: mnist 8,000, fashion-mnist 60,000)", parseInteger("--train-count", 100, 60_000))
    .option("--latent-dim <n>", "latent dimension (at most 512)", parseInteger("--latent-dim", 1, 512), 8)
    .option("--iwae-k <n>", "importance samples for log p(x) (at most 100,000)", parseInteger("--iwae-k", 1, 100_000), 1000)
    .option("--local-steps <n>", "per-datapoint optimisation steps for q* (at most 100,000)", parseInteger("--local-steps", 1, 100_000), 300)
    .option("--test-count <n>", "size of the fixed test subset (at most 10,000)", parseInteger("--test-count", 1, 10_000), 200)
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout");
}

/**
 * The train and test splits, and the experiment's options: train on the default 10,000 images, or the
 * whole split if smaller; more than the split has is refused, not silently capped.
 */
async function vaeSetup(opts: VaeCliOptions, data: DatasetName, seed: number): Promise<{ train: ImageDataset; test: ImageDataset; options: Required<Pick<VaeExperimentOptions, "epochs" | "trainCount" | "latentDim" | "iwaeK" | "localSteps" | "testCount" | "seed">> }> {
  const train = await loadDataset(data, { split: "train" });
  if (opts.trainCount !== undefined && opts.trainCount > train.count) {
    throw new InvalidOptionError(`--train-count ${opts.trainCount} exceeds the ${train.count} images of the ${opts.data} train split; use at most ${train.count}.`);
  }
  const test = await loadDataset(data, { split: "test" });
  const { epochs, latentDim, iwaeK, localSteps, testCount } = opts;
  return { train, test, options: { epochs, trainCount: opts.trainCount ?? Math.min(10_000, train.count), latentDim, iwaeK, localSteps, testCount, seed } };
}

export function registerVae(bayes: Command): void {
  vaeCommand(
    bayes
      .command("vae")
      .description("train a VAE with one encoder family on dynamically binarized images; ELBO, IWAE log p(x) and its gaps")
      .requiredOption("--family <name>", `encoder family: ${VAE_FAMILIES.join(", ")}`),
  ).action((opts: VaeCliOptions & { family: string }) => {
    const family = parseVaeFamily(opts.family);
    const data = parseDatasetName(opts.data);
    return runAction("vae", opts, async ({ seed, signal, onProgress }) => {
      const { train, test, options } = await vaeSetup(opts, data, seed);
      const { vae, testImages, ...row } = await vaeGapRow(family, train, test, { ...options, onProgress, signal });
      const images = sampleImages(vae, 64, seed);
      vae.dispose();
      testImages.dispose();
      const json = { data, backend: backendInfo().name, ...options, ...row };
      const grid = imageGrid(images, 64, train.height, train.width, { columns: 8, padding: 2 });
      return {
        files: [
          ["result.json", jsonFileText(json)],
          ["samples.png", encodePng(grid)],
        ],
        json,
        text: `${family}: L[q] = ${row.elbo.toFixed(2)}, L[q*] = ${row.elboOptimal.toFixed(2)}, log p̂(x) = ${row.logLikelihood.toFixed(2)} nats; approximation gap ${row.approximationGap.toFixed(2)}, amortization gap ${row.amortizationGap.toFixed(2)}\n`,
      };
    });
  });
}

export function registerGaps(bayes: Command): void {
  vaeCommand(
    bayes.command("gaps").description("approximation vs amortization gap per encoder family (Cremer, Li & Duvenaud 2018), plus a larger encoder and SVI refinement"),
  ).action((opts: VaeCliOptions) => {
    const data = parseDatasetName(opts.data);
    return runAction("gaps", opts, async ({ seed, signal, onProgress }) => {
      const { train, test, options } = await vaeSetup(opts, data, seed);
      const result = await measureGaps(train, test, { ...options, onProgress, signal });
      const json = { data, backend: backendInfo().name, seconds: result.seconds, config: result.config, rows: result.rows };
      const report = gapReport(result.rows);
      return {
        files: [
          ["gaps.json", jsonFileText(json)],
          ["gaps.md", report.markdown],
          ["gaps.png", report.png],
          ["gaps.svg", report.svg],
        ],
        json,
        text: report.markdown,
      };
    });
  });
}
