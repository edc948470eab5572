import type * as tfl from "@tensorflow/tfjs-layers";
import { Option, type Command } from "commander";

import { GAN_ARCHS, assertResumableOn, ganLossSeries, labelAccuracyBars, parseGanArch, trainImageGan, type Gan, type GanArch, type ImageGanEpoch, type ImageGanResult } from "@dl/gan";
import { ganCheckpointFiles, loadGanCheckpoint } from "@dl/gan/checkpoint";
import { DlError, backendInfo, barChartRaster, barChartSvg, encodePng, imageGrid, loadDataset, loadDefaultModel, parseDatasetName, sampleDataset, type DatasetName, type ImageDataset } from "@dl/tensor-core";

import { runAction, type ActionOutcome } from "../../action.js";
import { lineChartFiles } from "../../figures.js";
import { log, progressReporter, writeOutputs, type OutputFile } from "../../io.js";
import { backendOption, parseInteger, seedOption, type CommonOptions } from "../../options.js";

interface TrainGanCliOptions extends CommonOptions {
  out: string;
  conditional?: boolean;
  arch: string;
  data: string;
  epochs: number;
  stepsPerEpoch?: number;
  limit?: number;
  resume?: boolean;
  evaluate: boolean;
}

export function registerTrain(gan: Command): void {
  gan
    .command("train")
    .description("train a GAN or conditional GAN on MNIST/Fashion-MNIST; sample grid per epoch, checkpoints, resume, metrics")
    .option("--conditional", "conditional GAN: the label is embedded and concatenated into the first layers of G and D")
    .addOption(new Option("--arch <name>", "network family").choices([...GAN_ARCHS]).default("mlp"))
    .requiredOption("--data <name>", "dataset: mnist or fashion-mnist")
    .requiredOption("--epochs <n>", "train until this many epochs are complete (at most 10,000)", parseInteger("--epochs", 1, 10_000))
    .requiredOption("--out <dir>", "folder: samples/epoch-NNN.png, checkpoint/, metrics.json, losses.png/.svg")
    .option("--resume", "continue from the checkpoint in --out")
    .option("--no-evaluate", "skip the classifier-based scores")
    .addOption(new Option("--steps-per-epoch <n>", "batches per epoch (default: one pass; at most 1,000,000)").argParser(parseInteger("--steps-per-epoch", 1, 1_000_000)))
    .addOption(new Option("--limit <n>", "use at most N training images").argParser(parseInteger("--limit", 64)).hideHelp())
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action((opts: TrainGanCliOptions) =>
      runAction("gan", opts, async ({ seed, signal, onProgress }) => {
        const data = parseDatasetName(opts.data);
        const arch = parseGanArch(opts.arch);
        const conditional = opts.conditional === true;
        const resume = opts.resume === true ? await openCheckpoint(opts.out, arch, conditional) : undefined;
        let train = await loadDataset(data, { split: "train" });
        if (opts.limit !== undefined && opts.limit < train.count) train = sampleDataset(train, opts.limit, seed, { stratified: true });
        if (resume) assertResumable(resume, opts.out, train, seed);
        const test = await loadDataset(data, { split: "test" });
        const classifier = opts.evaluate ? await loadClassifier(data) : undefined;
        log(`dl gan train: ${conditional ? "conditional " : ""}${arch} GAN on ${data} (${train.count} images), backend ${backendInfo().name}`);
        try {
          const result = await trainImageGan({
            train,
            evaluationSet: test,
            ...(classifier ? { classifier } : {}),
            arch,
            conditional,
            epochs: opts.epochs,
            seed,
            ...(opts.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: opts.stepsPerEpoch }),
            ...(resume ? { resume } : {}),
            onProgress,
            signal,
            onEpoch: (epoch, g) => writeEpoch(opts.out, epoch, g),
          });
          const outcome = trainOutcome(result, { data, arch, conditional, seed, trainCount: train.count });
          result.gan.dispose();
          return outcome;
        } finally {
          classifier?.dispose();
        }
      }),
    );
}

/** The checkpoint in `out` to resume from, when it was trained with the same --arch and --conditional. */
async function openCheckpoint(out: string, arch: GanArch, conditional: boolean): Promise<Gan> {
  const resume = await loadGanCheckpoint(out);
  const { arch: was, numClasses } = resume.config;
  if (was !== arch || numClasses > 0 !== conditional) {
    resume.dispose();
    const cond = numClasses > 0 ? "conditional " : "";
    throw new DlError("INVALID_ARGUMENT", `The checkpoint in ${out} is a ${cond}${was} GAN; rerun with the same --arch${cond === "" ? "" : " and --conditional"}, or use a new --out.`);
  }
  return resume;
}

/** Checks the checkpoint fits this run's data (disposing it when not) and says what resuming means. */
function assertResumable(resume: Gan, out: string, train: ImageDataset, seed: number): void {
  try {
    assertResumableOn(resume, { name: train.name, classes: train.classNames.length }, `The checkpoint in ${out}`);
  } catch (error) {
    resume.dispose();
    throw error;
  }
  const was = resume.trainedOn;
  log(
    `dl gan train: resuming after epoch ${resume.epoch} (seed ${resume.seed} from the checkpoint${resume.seed === seed ? "" : `, not --seed ${seed}`})` +
      (was === undefined ? "; the checkpoint does not record its dataset (written by an older dl)" : was.count === train.count ? "" : `; it was trained on ${was.count} ${was.name} images, now ${train.count}`),
  );
}

async function loadClassifier(data: DatasetName): Promise<tfl.LayersModel> {
  const progress = progressReporter("classifier");
  try {
    return (await loadDefaultModel({ data, arch: "cnn", onProgress: progress.onProgress })).model;
  } finally {
    progress.stop();
  }
}

/** After each epoch: its sample grid, the checkpoint and the loss curves, written together. */
async function writeEpoch(out: string, epoch: ImageGanEpoch, g: Gan): Promise<void> {
  const { grid, record } = epoch;
  const files: OutputFile[] = [
    [`samples/epoch-${String(record.epoch).padStart(3, "0")}.png`, encodePng(imageGrid(grid.images, grid.count, grid.height, grid.width, { columns: grid.columns, padding: 2, scale: 2 }))],
    ...(await ganCheckpointFiles(g)).map((f): OutputFile => [f.path, f.contents]),
    ...lineChartFiles("losses", ganLossSeries(g.history), LOSS_CHART),
  ];
  await writeOutputs(out, files);
  const acc = record.metrics?.["labelAccuracy"];
  log(`epoch ${record.epoch}: D ${record.dLoss.toFixed(3)}, G ${record.gLoss.toFixed(3)}${acc === undefined ? "" : `, label accuracy ${(acc * 100).toFixed(1)}%`} (${record.seconds.toFixed(1)} s)`);
}

const LOSS_CHART = { title: "GAN losses", xLabel: "epoch", yLabel: "loss / accuracy" };

function trainOutcome(result: ImageGanResult, run: { data: string; arch: GanArch; conditional: boolean; seed: number; trainCount: number }): ActionOutcome {
  const { final } = result;
  const json = {
    data: run.data,
    arch: run.arch,
    conditional: run.conditional,
    seed: run.seed,
    backend: backendInfo().name,
    trainCount: run.trainCount,
    epochs: result.gan.epoch,
    seconds: result.seconds,
    history: result.history,
    allHistory: result.gan.history,
    ...(final ? { final } : {}),
  };
  const files: OutputFile[] = [["metrics.json", `${JSON.stringify(json, null, 2)}\n`]];
  if (final) {
    const bars = labelAccuracyBars(final);
    const chart = { title: "classifier accuracy on conditional samples", xLabel: "label", yLabel: "accuracy" };
    files.push(["label-accuracy.png", encodePng(barChartRaster(bars, { ...chart, width: 560, height: 280 }))], ["label-accuracy.svg", barChartSvg(bars, chart)]);
  }
  const summary = final
    ? `final: label accuracy ${(final.labelAccuracy * 100).toFixed(1)}%, Fréchet ${final.frechet.toFixed(2)} (real vs real ${final.frechetRealBaseline.toFixed(2)}), precision ${final.precision.toFixed(3)}, recall ${final.recall.toFixed(3)}`
    : `${run.conditional ? "conditional " : ""}${run.arch} GAN trained to epoch ${result.gan.epoch} in ${result.seconds.toFixed(1)} s`;
  return { files, json, summary };
}
