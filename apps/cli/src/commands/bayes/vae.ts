import type { Command } from "commander";

import { VAE_FAMILIES, encoderCapacityReport, gapReport, measureEncoderCapacity, measureGaps, parseVaeFamily, sampleImages, vaeGapRow, type VaeExperimentOptions } from "@dl/bayes";
import { DATASET_NAMES, backendInfo, encodePng, imageGrid, loadDataset, parseDatasetName, type DatasetName, type ImageDataset } from "@dl/tensor-core";

import { runAction } from "../../action.js";
import { jsonFileText } from "../../io.js";
import { InvalidOptionError, backendOption, parseInteger, parsePositiveNumber, seedOption, type CommonOptions } from "../../options.js";

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

interface GapsCliOptions extends VaeCliOptions {
  encoderWidths?: number[];
  encoderDepth: number;
  encoderDepths?: number[];
  depthWidth: number;
  learningRates?: number[];
  patience?: number;
  validationCount?: number;
  encoderEpochs?: number;
  seeds: number;
}

function parseIncreasing(flag: string, max: number): (value: string) => number[] {
  return (value: string) => {
    const list = value.split(",").map((v) => parseInteger(flag, 1, max)(v.trim()));
    if (list.some((w, i) => i > 0 && w <= (list[i - 1] ?? 0))) throw new InvalidOptionError(`${flag} must increase (smallest first), got ${value}.`);
    return list;
  };
}

function parseRates(value: string): number[] {
  return value.split(",").map((v) => parsePositiveNumber("--learning-rates", 1)(v.trim()));
}

/** Seconds of CPU this process has used (user + system): the cost the SVI-vs-encoder comparison is in. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

export function registerGaps(bayes: Command): void {
  vaeCommand(
    bayes.command("gaps").description("approximation vs amortization gap per encoder family (Cremer, Li & Duvenaud 2018), plus a larger encoder and SVI refinement; with --encoder-widths, the gaps vs the encoder's size at one frozen decoder"),
  )
    .option("--encoder-widths <list>", "instead: fit fresh encoders of these hidden widths (e.g. 64,256,1024) to one trained decoder and compare their amortization gaps with SVI refinement", parseIncreasing("--encoder-widths", 8192))
    .option("--encoder-depth <n>", "hidden layers of each fresh encoder of the width sweep", parseInteger("--encoder-depth", 1, 8), 2)
    .option("--encoder-depths <list>", "also (or instead) a depth sweep: fresh encoders with these numbers of hidden layers (e.g. 1,2,3) at --depth-width", parseIncreasing("--encoder-depths", 8))
    .option("--depth-width <n>", "hidden width of the depth sweep's encoders", parseInteger("--depth-width", 1, 8192), 256)
    .option("--encoder-epochs <n>", "epochs of fitting each fresh encoder; with --patience, the cap (default: --epochs)", parseInteger("--encoder-epochs", 1, 1000))
    .option("--learning-rates <list>", "each encoder picks its learning rate from these (e.g. 3e-4,1e-3,3e-3) by validation ELBO on the first seed (default 1e-3)", parseRates)
    .option("--patience <n>", "fit each encoder until its validation ELBO rose < 0.05 nats for n epochs (keeps the best epoch; --encoder-epochs caps it)", parseInteger("--patience", 1, 100))
    .option("--validation-count <n>", "training images held out for --learning-rates and --patience (default 500 when either is set)", parseInteger("--validation-count", 1, 10_000))
    .option("--seeds <n>", "encoder seeds per width, for the 95 % intervals (with --encoder-widths)", parseInteger("--seeds", 1, 100), 3)
    .action((opts: GapsCliOptions) => {
      const data = parseDatasetName(opts.data);
      return runAction("gaps", opts, async ({ seed, signal, onProgress }) => {
        const { train, test, options } = await vaeSetup(opts, data, seed);
        if (opts.encoderWidths !== undefined || opts.encoderDepths !== undefined) {
          const cpuStart = cpuSeconds();
          const r = await measureEncoderCapacity(train, test, {
            ...options,
            widths: opts.encoderWidths ?? [opts.depthWidth],
            encoderDepth: opts.encoderDepth,
            ...(opts.encoderDepths === undefined ? {} : { depths: opts.encoderDepths }),
            depthWidth: opts.depthWidth,
            seeds: opts.seeds,
            ...(opts.encoderEpochs === undefined ? {} : { encoderEpochs: opts.encoderEpochs }),
            ...(opts.learningRates === undefined ? {} : { learningRates: opts.learningRates }),
            ...(opts.patience === undefined ? {} : { patience: opts.patience }),
            ...(opts.validationCount === undefined ? {} : { validationCount: opts.validationCount }),
            clock: cpuSeconds,
            onProgress,
            signal,
          });
          const json = { data, backend: backendInfo().name, clock: "process CPU seconds", cpuSeconds: cpuSeconds() - cpuStart, ...r };
          const report = encoderCapacityReport(r);
          return {
            files: [
              ["encoders.json", jsonFileText(json)],
              ["encoders.md", report.markdown],
              ["encoders.png", report.png],
              ["encoders.svg", report.svg],
            ],
            json,
            text: report.markdown,
          };
        }
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
