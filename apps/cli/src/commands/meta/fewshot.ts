import { Option, type Command } from "commander";

import {
  EMBEDDING_ARCHS,
  EMBEDDING_TRAININGS,
  EVALUATED_CLASSIFIERS,
  FEATURE_CENTRINGS,
  FEW_SHOT_METHODS,
  PRETRAIN_HEADS,
  assertTemperature,
  fewShotFigures,
  fewShotReportSection,
  parseEmbeddingArch,
  parseEmbeddingTraining,
  parseFewShotMethod,
  parseImageWarps,
  runFewShotExperiment,
  type EmbeddingTraining,
  type FeatureCentring,
  type FewShotExperimentResult,
  type ImageWarp,
  type PretrainHead,
} from "@dl/metalearn";
import { backendInfo, listNames, parseDatasetName, renderReportHtml, type ImageDataset } from "@dl/tensor-core";

import { runAction, type ActionOutcome } from "../../action.js";
import { jsonFileText, log } from "../../io.js";
import { InvalidOptionError, parseInteger, parseNumber, parsePositiveNumber } from "../../options.js";
import { loadSplits, metaCommand, pct, type DataOptions } from "./shared.js";

interface FewShotCliOptions extends DataOptions {
  testData?: string;
  extraData?: string;
  extraClasses?: number[];
  out: string;
  ways: number;
  shots: number;
  queries: number;
  method: string;
  training: string;
  filters: number[];
  generations: number;
  ensemble: number;
  pixelWeight: number;
  power: number;
  labelSmoothing: number;
  mixup: number;
  head: string;
  cosineScale: number;
  shiftRadius: number;
  warps: ImageWarp[];
  logistic: boolean;
  centre: string;
  episodes: number;
  steps: number;
  timeBudget: number;
  temperature: string;
  symmetries: number;
  k: number;
  arch: string;
}

function parseFilters(value: string): number[] {
  const filters = value.split(",").map((v) => Number(v.trim()));
  if (filters.length === 0 || filters.length > 5 || !filters.every((f) => Number.isInteger(f) && f >= 1 && f <= 256)) {
    throw new InvalidOptionError(`--filters needs 1 to 5 comma-separated integers in 1..256 (one per conv block, e.g. 16,32,64), got "${value}".`);
  }
  return filters;
}

function parseClassList(value: string): number[] {
  const classes = value.split(",").map((v) => Number(v.trim()));
  if (classes.length === 0 || !classes.every((c) => Number.isInteger(c) && c >= 0 && c <= 9) || new Set(classes).size !== classes.length) {
    throw new InvalidOptionError(`--extra-classes needs distinct comma-separated labels in 0..9 (e.g. 0,1,2,3,4), got "${value}".`);
  }
  return classes;
}

function parseWarpList(value: string): ImageWarp[] {
  try {
    return parseImageWarps(value);
  } catch (error) {
    throw new InvalidOptionError(`--warps: ${(error as Error).message}`);
  }
}

function parseTemperature(value: string): number | "learned" {
  if (value === "learned") return value;
  const t = Number(value);
  assertTemperature(t);
  return t;
}

export function registerFewShot(meta: Command): void {
  metaCommand(meta, "fewshot")
    .description("meta-train an embedding on classes 0–4 and measure N-way K-shot accuracy on held-out classes 5–9 (mean ± 95% CI)")
    .requiredOption("--data <name>", "dataset: mnist or fashion-mnist")
    .option("--test-data <name>", "dataset of the meta-test episodes (default: --data); e.g. meta-train on mnist, meta-test on fashion-mnist")
    .option("--ways <n>", "classes per episode (2 or more: one class is no choice)", parseInteger("--ways", 2, 100), 5)
    .requiredOption("--shots <n>", "labelled examples per class (at most 1000)", parseInteger("--shots", 1, 1000))
    .option("--queries <n>", "query examples per class (at most 1000)", parseInteger("--queries", 1, 1000), 15)
    .option("--method <name>", `classifier whose embedding is trained episodically: ${FEW_SHOT_METHODS.join(", ")} (all are reported, with a Mahalanobis and a transductive soft k-means classifier beside them)`, "matching")
    .option("--training <how>", `how the embedding is learned: ${EMBEDDING_TRAININGS.join(", ")} (pretrain: one classifier over all meta-train classes, then nearest neighbours on its conv features)`, "pretrain")
    .option("--filters <list>", "pretrain: filters of each conv block of the CNN", parseFilters, [16, 32, 64])
    .option("--generations <n>", "pretrain: networks trained in turn, each distilling the one before (born-again); the features of all are concatenated (1 = one network; at most 5)", parseInteger("--generations", 1, 5), 1)
    .option("--ensemble <n>", "pretrain: independent networks (own random starts; each its own chain with --generations), features side by side (1 = one network; at most 5)", parseInteger("--ensemble", 1, 5), 1)
    .option("--pixel-weight <w>", "pretrain: weight of unit-norm raw pixels appended to the features (0 = none)", parseNumber("--pixel-weight"), 0)
    .option("--label-smoothing <e>", "pretrain: label smoothing of the cross-entropy, targets (1 − e)·onehot + e / classes (0 = none)", parseNumber("--label-smoothing"), 0)
    .option("--mixup <alpha>", "pretrain: mixup of images and targets with λ ~ Beta(alpha, alpha) per batch (0 = off)", parseNumber("--mixup"), 0)
    .option("--head <kind>", `pretrain: classifier head of each network, ${listNames(PRETRAIN_HEADS)} (cosine: logits s·cos(feature, class weight), Baseline++)`, "linear")
    .option("--cosine-scale <s>", "pretrain: the cosine head's logit scale s", parseNumber("--cosine-scale"), 10)
    .option("--power <b>", "pretrain: power transform x^b of the features before normalising (1 = none)", parseNumber("--power"), 0.5)
    .option("--shift-radius <r>", "pretrain: average each image's features over its 9 translations by ±r pixels (0 = off)", parseInteger("--shift-radius", 0), 1)
    .option("--warps <list>", "pretrain: also average each image's features over these zoomed (z<scale>) and rotated (r<degrees>) copies, e.g. z0.95,z1.05,r-5,r5 (the set chosen on validation episodes at 1 shot; default: none, shifts only)", parseWarpList, [])
    .option("--logistic", "pretrain: also fit a logistic regression on each shot's views (its shifts and --warps) in every episode, reported as learned.logistic (inductive)", false)
    .option("--centre <how>", `centre each episode's features before classifying: ${FEATURE_CENTRINGS.join(", ")} (support: subtract the support-set mean and renormalise)`, "none")
    .option("--extra-data <name>", "extra meta-train dataset whose classes are all used (e.g. mnist); must differ from the meta-test dataset")
    .option("--extra-classes <list>", "only these labels of --extra-data (e.g. 0,1,2,3,4: MNIST digits 0–4, keeping 5–9 for validation)", parseClassList)
    .option("--episodes <n>", "test episodes (at most 100,000)", parseInteger("--episodes", 1, 100_000), 600)
    .option("--steps <n>", "training steps: episodes (episodic) or batches of 64 (pretrain; at most 1,000,000)", parseInteger("--steps", 1, 1_000_000), 3000)
    .option("--time-budget <s>", "stop meta-training after this many seconds", parsePositiveNumber("--time-budget", 86_400), 300)
    .option("--temperature <t>", "soft-NN temperature: a number > 0 or 'learned'", "learned")
    .option("--symmetries <n>", "rotations/mirrors of each meta-train class used as new classes (1–8)", parseInteger("--symmetries", 1), 8)
    .option("--k <n>", "neighbours of the kNN baseline (at most 1000)", parseInteger("--k", 1, 1000), 1)
    .option("--arch <name>", `episodic: embedding network, ${listNames(EMBEDDING_ARCHS)}`, "mlp")
    .requiredOption("--out <dir>", "folder for fewshot.json and PNG/SVG figures")
    .addOption(new Option("--limit <n>", "use at most N train and N test images").argParser(parseInteger("--limit", 50)).hideHelp())
    .action((opts: FewShotCliOptions) => {
      const method = parseFewShotMethod(opts.method);
      const training = parseEmbeddingTraining(opts.training);
      const temperature = parseTemperature(opts.temperature);
      const arch = parseEmbeddingArch(opts.arch);
      // The package checks these only once training has run; the CLI refuses them before any work.
      if (!(opts.power > 0)) throw new InvalidOptionError(`--power must be > 0 (0.5 = square root, 1 = none), got ${opts.power}.`);
      if (!(opts.labelSmoothing >= 0 && opts.labelSmoothing < 1)) throw new InvalidOptionError(`--label-smoothing must be in [0, 1) (0 = none), got ${opts.labelSmoothing}.`);
      if (!(opts.mixup >= 0)) throw new InvalidOptionError(`--mixup must be ≥ 0 (0 = off, 0.2–1 typical), got ${opts.mixup}.`);
      if (!(PRETRAIN_HEADS as readonly string[]).includes(opts.head)) throw new InvalidOptionError(`--head must be one of ${listNames(PRETRAIN_HEADS)}, got "${opts.head}".`);
      if (!(opts.cosineScale > 0 && Number.isFinite(opts.cosineScale))) throw new InvalidOptionError(`--cosine-scale must be a number > 0 (10 typical), got ${opts.cosineScale}.`);
      if (opts.shiftRadius > 13) throw new InvalidOptionError(`--shift-radius must be in 0..13 pixels, got ${opts.shiftRadius}.`);
      if (!(FEATURE_CENTRINGS as readonly string[]).includes(opts.centre)) throw new InvalidOptionError(`--centre must be one of ${FEATURE_CENTRINGS.join(", ")}, got "${opts.centre}".`);
      if (!(opts.pixelWeight >= 0)) throw new InvalidOptionError(`--pixel-weight must be ≥ 0 (0 = features only), got ${opts.pixelWeight}.`);
      if (opts.symmetries > 8) throw new InvalidOptionError(`--symmetries must be in 1..8 (the symmetries of the square), got ${opts.symmetries}.`);
      const testName = parseDatasetName(opts.testData ?? opts.data);
      const extraName = opts.extraData === undefined ? undefined : parseDatasetName(opts.extraData);
      if (extraName !== undefined && extraName === testName) {
        throw new InvalidOptionError(`--extra-data ${extraName} would train on the meta-test classes of ${testName}; pick another dataset (e.g. ${testName === "mnist" ? "fashion-mnist" : "mnist"}).`);
      }
      return runAction("fewshot", opts, async ({ seed, signal, onProgress }) => {
        const { train, test } = await loadSplits(opts, seed);
        const extraTrain = extraName === undefined ? undefined : (await loadSplits({ ...opts, data: extraName, testData: extraName }, seed)).train;
        log(`dl meta fewshot: ${opts.ways}-way ${opts.shots}-shot, meta-train ${opts.data} 0–4${extraName === undefined ? "" : ` + ${opts.extraClasses === undefined ? "all" : opts.extraClasses.join(",")} of ${extraName}`}, meta-test ${opts.testData ?? opts.data} 5–9, ${training} embedding, backend ${backendInfo().name}`);
        const { ways, shots, queries, episodes, filters, generations, ensemble, pixelWeight, power, labelSmoothing, shiftRadius, steps, symmetries, k } = opts;
        const centre = opts.centre as FeatureCentring;
        if (opts.extraClasses !== undefined && extraTrain === undefined) throw new InvalidOptionError("--extra-classes needs --extra-data (the dataset the classes come from).");
        const extra = extraTrain === undefined ? {} : { extraTrain, ...(opts.extraClasses === undefined ? {} : { extraTrainClasses: opts.extraClasses }) };
        const options = { ways, shots, queries, episodes, method, training, filters, generations, ensemble, pixelWeight, power, labelSmoothing, mixupAlpha: opts.mixup, head: opts.head as PretrainHead, cosineScale: opts.cosineScale, shiftRadius, warps: opts.warps, logistic: opts.logistic, centre, ...extra, temperature, steps, timeBudgetSeconds: opts.timeBudget, symmetries, k, arch, seed, onProgress, signal };
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const result = await runFewShotExperiment(train, test, options);
        const cpu = process.cpuUsage(cpuBefore);
        // Wall time is inflated on a shared machine; CPU time (user + system, all threads) is the cost that travels.
        const cost = { wallSeconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
        return fewShotOutcome(opts, { training, extraName, seed, test, cost }, result);
      });
    });
}

/** fewshot.json, the report page and its figures, and the accuracies on stderr. */
function fewShotOutcome(opts: FewShotCliOptions, run: { training: EmbeddingTraining; extraName: string | undefined; seed: number; test: ImageDataset; cost: { wallSeconds: number; cpuSeconds: number } }, result: FewShotExperimentResult): ActionOutcome {
  const { training, seed, test } = run;
  const backend = backendInfo().name;
  const { example, ...rest } = result;
  const summary = { command: "meta fewshot", data: opts.data, testData: opts.testData ?? opts.data, extraData: run.extraName ?? null, extraClasses: opts.extraClasses ?? null, backend, seed, run: run.cost, ...rest, learned: { ...rest.learned, episodeAccuracies: undefined }, pixels: { ...rest.pixels, episodeAccuracies: undefined } };
  const context = { training, classNames: test.classNames, height: test.height, width: test.width };
  const figures = fewShotFigures(result, context);
  // One page that says what each picture shows (the files beside it are the same figures).
  const page = renderReportHtml({
    title: `dl meta fewshot: ${opts.ways}-way ${opts.shots}-shot`,
    subtitle: `meta-train ${opts.data} classes 0–4, meta-test ${opts.testData ?? opts.data} classes 5–9 · ${training} embedding · backend ${backend} · seed ${seed}`,
    sections: [fewShotReportSection(result, context, figures)],
  });
  const { generations: g, ensemble: n } = result.training;
  const generations = `${n > 1 ? ` (${n} independent networks${g > 1 ? `, each a chain of ${g} generations` : ""})` : g > 1 ? ` (${g} generations, each distilled from the one before)` : ""}`;
  const trained = training === "pretrain" ? `pretrained on ${result.training.trainClasses} classes for ${result.training.steps} batches${generations}` : `meta-trained ${result.training.steps} episodes`;
  log(`${trained} in ${result.training.seconds.toFixed(0)} s (T = ${result.training.temperature.toPrecision(3)}); whole run ${run.cost.wallSeconds.toFixed(0)} s wall, ${run.cost.cpuSeconds.toFixed(0)} s CPU`);
  for (const m of EVALUATED_CLASSIFIERS) log(`  ${m.padEnd(12)} learned ${pct(result.learned[m])}   pixels ${pct(result.pixels[m])}`);
  if (result.learned.logistic !== undefined) log(`  ${"logistic".padEnd(12)} learned ${pct(result.learned.logistic)}   (fitted on each shot's ${result.training.warps.length + (opts.shiftRadius > 0 ? 9 : 1)} views, λ = ${result.training.logisticPenalty})`);
  if (opts.shots === 1) log("  (1-shot: one support image per class, so matching, prototypes and 1-NN pick the same class and score the same)");
  return {
    files: [
      ["fewshot.json", jsonFileText({ ...summary, example: { attention: example.attention, queryLabels: example.queryLabels, classes: example.classes } })],
      ["index.html", page],
      ["accuracy.png", figures.accuracyPng],
      ["accuracy.svg", figures.accuracySvg],
      ["episode.png", figures.episodePng],
      ["attention.svg", figures.attentionSvg],
      ["training-curve.png", figures.curvePng],
      ["training-curve.svg", figures.curveSvg],
    ],
    json: summary,
  };
}
