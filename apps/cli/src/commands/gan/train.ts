import { Option, type Command } from "commander";

import {
  GAN_ARCHS,
  assertResumableOn,
  fixedLatentGrid,
  ganLossSeries,
  generateImages,
  ganQualitySeries,
  imageGanConfig,
  interpolationGrid,
  labelAccuracyBars,
  parseGanArch,
  parseImageGanRecipe,
  trainImageGan,
  type Gan,
  type GanArch,
  type GanEpochRecord,
  type ImageGanEpoch,
  type ImageGanResult,
} from "@dl/gan";
import { ganCheckpointFiles, loadGanCheckpoint } from "@dl/gan/checkpoint";
import { DlError, backendInfo, barChartRaster, barChartSvg, encodePng, imageGrid, loadDataset, parseDatasetName, sampleDataset, type ImageDataset, type ImageGridOptions } from "@dl/tensor-core";

import { runAction, type ActionOutcome } from "../../action.js";
import { lineChartFiles } from "../../figures.js";
import { log, writeOutputs, type OutputFile } from "../../io.js";
import { backendOption, parseInteger, parsePositiveNumber, parseTruncation, seedOption, type CommonOptions } from "../../options.js";
import { DEFAULT_EVAL_DRAWS, drawScoresJson, drawScoresSummary, evalDrawsOption } from "./drawScores.js";
import { drawnTruncation, latentTitle, sampleLayout } from "./sampleFigure.js";
import { loadScoringClassifier } from "./scoringClassifier.js";

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
  evalDraws?: number;
  recipe: string;
  truncation?: number | "auto";
  learningRate?: number;
  dLearningRate?: number;
  dSteps?: number;
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
    .addOption(evalDrawsOption(`draws of z the final scores are taken over (default ${DEFAULT_EVAL_DRAWS}: seeds 99–104); the top-level figures stay the first draw's, overDraws holds their mean, sd and values`))
    .option("--recipe <name>", "projection (labels kept, each label collapses to few images), packed (PacGAN4: more diverse, labels less faithful), augmented (DiffAugment: translation and cutout before D), cbn-r1 (conditional batch norm in G + R1 penalty + learning rate 5e-4: diverse digits, recall ≈ 0.75 and ≥ 97 % label accuracy at 6,400 steps with --truncation auto) or cbn-r1-conv (cbn-r1 with a conv G of 32/16 channels beside the MLP D: finer texture on Fashion-MNIST, ≈ 2 × the CPU per step; --arch mlp only) or cbn-r1-conv-lazy (cbn-r1-conv with G at 1e-3, D at 2e-3, the R1 penalty on every 16th D update only, an EMA of G with decay 0.95, and the final samples drawn with standing batch-norm statistics; --arch mlp only)", "projection")
    .addOption(new Option("--steps-per-epoch <n>", "batches per epoch (default: one pass; at most 1,000,000)").argParser(parseInteger("--steps-per-epoch", 1, 1_000_000)))
    .addOption(
      new Option(
        "--truncation <t|auto>",
        "draw the scored samples and the grids from latent codes kept within ±t (the truncation trick: more faithful, less diverse; default: untruncated); auto: after training, the largest t whose samples the classifier labels right ≥ 97.5 % of the time, or as often as it labels real test images where that is less (G's own samples; untruncated if none does)",
      ).argParser(parseTruncation),
    )
    .addOption(new Option("--learning-rate <x>", "Adam learning rate of G (and of D unless --d-learning-rate), in (0, 0.1] (default: the recipe's: 5e-4 for cbn-r1, else 2e-4); a new GAN only").argParser(parsePositiveNumber("--learning-rate", 0.1)))
    .addOption(new Option("--d-learning-rate <x>", "Adam learning rate of D where it differs from G's (two time-scale updates), in (0, 0.1]; a new GAN only").argParser(parsePositiveNumber("--d-learning-rate", 0.1)))
    .addOption(new Option("--d-steps <k>", "updates of D per update of G, each on a fresh real batch (1 … 10; default 1: alternate); a new GAN only").argParser(parseInteger("--d-steps", 1, 10)))
    .addOption(new Option("--limit <n>", "use at most N training images").argParser(parseInteger("--limit", 64)).hideHelp())
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action((opts: TrainGanCliOptions) =>
      runAction("gan", opts, async ({ seed, signal, onProgress }) => {
        const data = parseDatasetName(opts.data);
        const arch = parseGanArch(opts.arch);
        const recipe = parseImageGanRecipe(opts.recipe);
        const conditional = opts.conditional === true;
        // A recipe that does not fit --arch is refused before any data or classifier is loaded.
        if (opts.resume !== true) imageGanConfig(arch, conditional, recipe);
        const settings = {
          ...(opts.learningRate === undefined ? {} : { learningRate: opts.learningRate }),
          ...(opts.dLearningRate === undefined ? {} : { dLearningRate: opts.dLearningRate }),
          ...(opts.dSteps === undefined ? {} : { dSteps: opts.dSteps }),
        };
        if (opts.resume === true && Object.keys(settings).length > 0) {
          throw new DlError("INVALID_ARGUMENT", "--learning-rate, --d-learning-rate and --d-steps set up a new GAN; a resumed one keeps its checkpoint's settings. Drop them, or train into a new --out.");
        }
        if (opts.evalDraws !== undefined && !opts.evaluate) throw new DlError("INVALID_ARGUMENT", "--eval-draws sets how many draws of z the classifier scores, which --no-evaluate turns off; drop one of them.");
        if (opts.truncation === "auto" && !opts.evaluate) throw new DlError("INVALID_ARGUMENT", "--truncation auto picks t with the classifier, which --no-evaluate turns off; drop one of them.");
        const resume = opts.resume === true ? await openCheckpoint(opts.out, arch, conditional) : undefined;
        let train = await loadDataset(data, { split: "train" });
        if (opts.limit !== undefined && opts.limit < train.count) train = sampleDataset(train, opts.limit, seed, { stratified: true });
        if (resume) assertResumable(resume, opts.out, train, seed);
        const test = await loadDataset(data, { split: "test" });
        const scoring = opts.evaluate ? await loadScoringClassifier(data) : undefined;
        const classifier = scoring?.model;
        // A reference of training images apart from the test split: the final samples are scored against it too.
        const validationSet = classifier && train.count >= 2 * VALIDATION_COUNT ? sampleDataset(train, 2 * VALIDATION_COUNT, VALIDATION_SEED, { stratified: true }) : undefined;
        const cpuStart = process.cpuUsage();
        const cpuBefore = resume?.history.at(-1)?.metrics?.["cpuSeconds"] ?? 0;
        log(`dl gan train: ${conditional ? "conditional " : ""}${arch} GAN (${recipe}) on ${data} (${train.count} images), backend ${backendInfo().name}`);
        try {
          const result = await trainImageGan({
            train,
            evaluationSet: test,
            ...(classifier ? { classifier } : {}),
            ...(validationSet ? { validationSet } : {}),
            ...(Object.keys(settings).length > 0 ? { config: settings } : {}),
            arch,
            conditional,
            recipe,
            epochs: opts.epochs,
            seed,
            ...(opts.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: opts.stepsPerEpoch }),
            evaluationDraws: opts.evalDraws ?? DEFAULT_EVAL_DRAWS,
            ...(opts.truncation === undefined ? {} : { truncation: opts.truncation }),
            ...(opts.truncation === "auto" && scoring ? { truncationRule: { realAccuracy: scoring.testAccuracy } } : {}),
            ...(resume ? { resume } : {}),
            onProgress,
            signal,
            onEpoch: (epoch, g) => {
              // CPU time is the fair clock on a shared machine; it includes the per-epoch scoring.
              const cpu = process.cpuUsage(cpuStart);
              epoch.record.metrics = { ...epoch.record.metrics, cpuSeconds: cpuBefore + (cpu.user + cpu.system) / 1e6 };
              return writeEpoch(opts.out, epoch, g);
            },
          });
          const outcome = trainOutcome(result, { data, arch, conditional, seed, trainCount: train.count, classNames: train.classNames, truncation: opts.truncation ?? null });
          result.gan.dispose();
          return outcome;
        } finally {
          classifier?.dispose();
        }
      }),
    );
}

/** Size of the validation reference's halves (as the final samples') and the seed that draws it from the training images. */
const VALIDATION_COUNT = 1000;
const VALIDATION_SEED = 5;

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

/** After each epoch: its sample grid, the checkpoint and the loss curves, written together. */
async function writeEpoch(out: string, epoch: ImageGanEpoch, g: Gan): Promise<void> {
  const { grid, record } = epoch;
  const files: OutputFile[] = [
    [`samples/epoch-${String(record.epoch).padStart(3, "0")}.png`, encodePng(imageGrid(grid.images, grid.count, grid.height, grid.width, { columns: grid.columns, padding: 2, scale: 2 }))],
    ...(await ganCheckpointFiles(g)).map((f): OutputFile => [f.path, f.contents]),
    ...lineChartFiles("losses", ganLossSeries(g.history), LOSS_CHART),
  ];
  await writeOutputs(out, files);
  const { accuracy, precision, recall, frechet, frechetRealBaseline } = epochFigures(record);
  const scores =
    (accuracy === undefined ? "" : `, label accuracy ${(accuracy * 100).toFixed(1)}%`) +
    (recall === undefined ? "" : `, precision ${precision?.toFixed(3)}, recall ${recall.toFixed(3)}, Fréchet ${frechet?.toFixed(2)} (real ${frechetRealBaseline?.toFixed(2)})`);
  log(`epoch ${record.epoch}: D ${record.dLoss.toFixed(3)}, G ${record.gLoss.toFixed(3)}${scores} (${record.seconds.toFixed(1)} s)`);
}

const LOSS_CHART = { title: "GAN losses", xLabel: "epoch", yLabel: "loss / accuracy" };

/** The top-level figures of an epoch's record: the goal's four and the real-vs-real baseline. */
function epochFigures(record: GanEpochRecord): Record<string, number> {
  const m = record.metrics ?? {};
  const pick = (key: string, as = key): Record<string, number> => (m[key] === undefined ? {} : { [as]: m[key] });
  return { ...pick("labelAccuracy", "accuracy"), ...pick("precision"), ...pick("recall"), ...pick("frechet"), ...pick("frechetRealBaseline"), ...pick("cpuSeconds") };
}

function trainOutcome(
  result: ImageGanResult,
  run: { data: string; arch: GanArch; conditional: boolean; seed: number; trainCount: number; classNames: readonly string[]; truncation: number | "auto" | null },
): ActionOutcome {
  const { final, finalDraws, gan, validation } = result;
  const chosen = result.truncation;
  // The t the final scores drew z with (given, or chosen by the rule); the final figures use it too.
  const truncation = drawnTruncation(run.truncation, chosen);
  const json = {
    data: run.data,
    arch: run.arch,
    conditional: run.conditional,
    seed: run.seed,
    truncation: truncation ?? null,
    ...(chosen ? { truncationRule: chosen } : {}),
    backend: backendInfo().name,
    trainCount: run.trainCount,
    epochs: gan.epoch,
    seconds: result.seconds,
    ...(final ? { accuracy: final.labelAccuracy, precision: final.precision, recall: final.recall, frechet: final.frechet, frechetRealBaseline: final.frechetRealBaseline, realReference: final.realReference } : {}),
    ...(finalDraws ? { overDraws: drawScoresJson(finalDraws) } : {}),
    ...(validation ? { validation: { reference: "training images", accuracy: validation.labelAccuracy, precision: validation.precision, recall: validation.recall, frechet: validation.frechet, frechetRealBaseline: validation.frechetRealBaseline } } : {}),
    config: gan.config,
    history: result.history.map((h) => ({ ...h, ...epochFigures(h) })),
    allHistory: gan.history.map((h) => ({ ...h, ...epochFigures(h) })),
    ...(final ? { final } : {}),
  };
  const files: OutputFile[] = [["metrics.json", `${JSON.stringify(json, null, 2)}\n`]];
  const latent = latentTitle(truncation, chosen);
  if (final) {
    const bars = labelAccuracyBars(final);
    const chart = { title: `classifier accuracy on conditional samples (${latent})`, xLabel: "label", yLabel: "accuracy" };
    files.push(["label-accuracy.png", encodePng(barChartRaster(bars, { ...chart, width: 560, height: 280 }))], ["label-accuracy.svg", barChartSvg(bars, chart)]);
  }
  const quality = ganQualitySeries(gan.history);
  if (quality.shares.length > 0) {
    files.push(
      ...lineChartFiles("quality", quality.shares, { title: `sample quality per epoch (500 samples, ${quality.latent})`, xLabel: quality.xLabel, yLabel: "share", yDomain: [0, 1] }),
      ...lineChartFiles("frechet", quality.frechet, { title: `Fréchet distance per epoch, goal below the grey line (${quality.latent})`, xLabel: quality.xLabel, yLabel: "Fréchet distance" }),
    );
  }
  // z-walks (a row per label from z₀ to z₁) and, when conditional, fixed z across the labels.
  const grid = (g: ImageGanEpoch["grid"], text: Pick<ImageGridOptions, "title" | "rowLabels" | "columnLabels">): Uint8Array =>
    encodePng(imageGrid(g.images, g.count, g.height, g.width, { columns: g.columns, padding: 2, scale: 2, ...text }));
  const drawn = truncation === undefined ? {} : { truncation };
  const walk = interpolationGrid(gan, drawn);
  const steps = Array.from({ length: walk.columns }, (_, c) => (c === 0 ? "z₀" : c === walk.columns - 1 ? "z₁" : (c / (walk.columns - 1)).toFixed(2)));
  const walkRows = Array.from({ length: walk.count / walk.columns }, (_, r) => (run.conditional ? (run.classNames[r] ?? String(r)) : `walk ${r + 1}`));
  const ends = truncation === undefined ? latent : `ends ${latent}`;
  files.push(["interpolation.png", grid(walk, { title: `z-walks z₀ → z₁ along the great circle${run.conditional ? ", one row per label" : ""} (${run.data}, epoch ${gan.epoch}; ${ends})`, rowLabels: walkRows, columnLabels: steps })]);
  if (run.conditional) {
    const fixed = fixedLatentGrid(gan, drawn);
    const codes = Array.from({ length: fixed.count / fixed.columns }, (_, r) => `z${"₁₂₃₄₅₆₇₈₉"[r] ?? String(r + 1)}`);
    files.push(["fixed-z.png", grid(fixed, { title: `one z per row, the label changes along it (${run.data}, epoch ${gan.epoch}; ${latent})`, rowLabels: codes, columnLabels: run.classNames.slice(0, fixed.columns) })]);
  }
  // The final samples, at the t the final scores drew z with (10 per label), titled as dl gan sample titles them.
  const n = run.conditional ? 10 * gan.config.numClasses : 64;
  const layout = sampleLayout(gan, n, undefined, run.seed, latent);
  files.push(["samples.png", encodePng(imageGrid(generateImages(gan, n, run.seed, undefined, truncation).images, n, walk.height, walk.width, { padding: 2, scale: 2, ...layout }))]);
  const summary = final
    ? `final: label accuracy ${(final.labelAccuracy * 100).toFixed(1)}%, Fréchet ${final.frechet.toFixed(2)} (real vs real ${final.frechetRealBaseline.toFixed(2)}), precision ${final.precision.toFixed(3)}, recall ${final.recall.toFixed(3)}; real test images score ${(final.realReference.labelAccuracy * 100).toFixed(1)}%, precision ${final.realReference.precision.toFixed(3)}, recall ${final.realReference.recall.toFixed(3)}` +
      (finalDraws && finalDraws.seeds.length > 1 ? `; ${drawScoresSummary(finalDraws)}` : "") +
      (chosen ? `; truncation ${chosen.truncation ?? "none"} chosen by the rule (accuracy ≥ ${chosen.target} on G's own samples${chosen.reached ? "" : ": no t reached it, so untruncated"})` : "") +
      (validation ? `; against training images: precision ${validation.precision.toFixed(3)}, recall ${validation.recall.toFixed(3)}, Fréchet ${validation.frechet.toFixed(2)} (real vs real ${validation.frechetRealBaseline.toFixed(2)})` : "")
    : `${run.conditional ? "conditional " : ""}${run.arch} GAN trained to epoch ${gan.epoch} in ${result.seconds.toFixed(1)} s`;
  return { files, json, summary };
}
