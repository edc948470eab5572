import { Option, type Command } from "commander";

import {
  DlError,
  backendInfo,
  barChartRaster,
  barChartSvg,
  encodePng,
  heatmapSvg,
  imageGrid,
  initBackend,
  lineChartRaster,
  lineChartSvg,
  loadDataset,
  parseDatasetName,
  renderReportHtml,
  sampleDataset,
  type Bar,
  type ImageDataset,
  type LineSeries,
} from "@dl/tensor-core";
import {
  EMBEDDING_TRAININGS,
  EVALUATED_CLASSIFIERS,
  FEATURE_CENTRINGS,
  FEW_SHOT_METHODS,
  parseEmbeddingTraining,
  assertTemperature,
  runFewShotExperiment,
  runFineTuneExperiment,
  runSinusoidExperiment,
  runTemperatureSweep,
  type FeatureCentring,
  type FewShotMethod,
} from "@dl/metalearn";

import { assertWritableDir, interruptSignal, log, printJson, progressReporter, writeOutputs, type OutputFile } from "../io.js";
import { InvalidOptionError, backendOption, parseInteger, parseNumber, parsePositiveNumber, seedOption, type CommonOptions } from "../options.js";

const json = (value: unknown): string => `${JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v), 2)}\n`;
const pct = (a: { mean: number; ci95: number }): string => `${(a.mean * 100).toFixed(1)}% ± ${(a.ci95 * 100).toFixed(1)}`;

interface DataOptions extends CommonOptions {
  data: string;
  limit?: number;
}

async function loadSplits(opts: DataOptions & { testData?: string }): Promise<{ train: ImageDataset; test: ImageDataset }> {
  const name = parseDatasetName(opts.data);
  const testName = parseDatasetName(opts.testData ?? opts.data);
  const seed = opts.seed ?? 42;
  const limit = (ds: ImageDataset, s: number): ImageDataset => (opts.limit === undefined || opts.limit >= ds.count ? ds : sampleDataset(ds, opts.limit, s, { stratified: true }));
  return { train: limit(await loadDataset(name, { split: "train" }), seed), test: limit(await loadDataset(testName, { split: "test" }), seed + 1) };
}

/** Runs `work` with a progress bar and Ctrl-C as an AbortSignal. */
async function withProgress<T>(label: string, work: (onProgress: ReturnType<typeof progressReporter>["onProgress"], signal: AbortSignal) => Promise<T>): Promise<T> {
  const progress = progressReporter(label);
  const interrupt = interruptSignal();
  try {
    return await work(progress.onProgress, interrupt.signal);
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

async function start(opts: CommonOptions & { out: string }): Promise<string> {
  await assertWritableDir(opts.out);
  await initBackend(opts.backend === undefined ? {} : { backend: opts.backend });
  return backendInfo().name;
}

function parseMethod(value: string): FewShotMethod {
  if ((FEW_SHOT_METHODS as readonly string[]).includes(value)) return value as FewShotMethod;
  throw new InvalidOptionError(`--method must be one of ${FEW_SHOT_METHODS.join(", ")}, got "${value}".`);
}

function parseFilters(value: string): number[] {
  const filters = value.split(",").map((v) => Number(v.trim()));
  if (filters.length === 0 || filters.length > 5 || !filters.every((f) => Number.isInteger(f) && f >= 1 && f <= 256)) {
    throw new InvalidOptionError(`--filters needs 1 to 5 comma-separated integers in 1..256 (one per conv block, e.g. 16,32,64), got "${value}".`);
  }
  return filters;
}

function parseTemperature(value: string): number | "learned" {
  if (value === "learned") return value;
  const t = Number(value);
  assertTemperature(t);
  return t;
}

function parseList(flag: string): (value: string) => number[] {
  return (value: string) => value.split(",").map((v) => parseNumber(flag)(v.trim()));
}

function register(meta: Command, name: string): Command {
  return meta
    .command(name)
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout");
}

export function registerMetaCommands(program: Command): void {
  const meta = program.command("meta").description("metalearning: few-shot episodes, soft nearest neighbours and their temperature, sinusoid regression, layer-wise fine-tuning");

  register(meta, "fewshot")
    .description("meta-train an embedding on classes 0–4 and measure N-way K-shot accuracy on held-out classes 5–9 (mean ± 95% CI)")
    .requiredOption("--data <name>", "dataset: mnist or fashion-mnist")
    .option("--test-data <name>", "dataset of the meta-test episodes (default: --data); e.g. meta-train on mnist, meta-test on fashion-mnist")
    .option("--ways <n>", "classes per episode (2 or more: one class is no choice)", parseInteger("--ways", 2, 100), 5)
    .requiredOption("--shots <n>", "labelled examples per class (at most 1000)", parseInteger("--shots", 1, 1000))
    .option("--queries <n>", "query examples per class (at most 1000)", parseInteger("--queries", 1, 1000), 15)
    .option("--method <name>", `classifier whose embedding is trained episodically: ${FEW_SHOT_METHODS.join(", ")} (all are reported, with a Mahalanobis and a transductive soft k-means classifier beside them)`, "matching")
    .option("--training <how>", `how the embedding is learned: ${EMBEDDING_TRAININGS.join(", ")} (pretrain: one classifier over all meta-train classes, then nearest neighbours on its conv features)`, "pretrain")
    .option("--filters <list>", "pretrain: filters of each conv block of the CNN", parseFilters, [16, 32, 64])
    .option("--pixel-weight <w>", "pretrain: weight of unit-norm raw pixels appended to the features (0 = none)", parseNumber("--pixel-weight"), 0)
    .option("--power <b>", "pretrain: power transform x^b of the features before normalising (1 = none)", parseNumber("--power"), 0.5)
    .option("--shift-radius <r>", "pretrain: average each image's features over its 9 translations by ±r pixels (0 = off)", parseInteger("--shift-radius", 0), 1)
    .option("--centre <how>", `centre each episode's features before classifying: ${FEATURE_CENTRINGS.join(", ")} (support: subtract the support-set mean and renormalise)`, "none")
    .option("--extra-data <name>", "extra meta-train dataset whose classes are all used (e.g. mnist); must differ from the meta-test dataset")
    .option("--episodes <n>", "test episodes (at most 100,000)", parseInteger("--episodes", 1, 100_000), 600)
    .option("--steps <n>", "training steps: episodes (episodic) or batches of 64 (pretrain; at most 1,000,000)", parseInteger("--steps", 1, 1_000_000), 3000)
    .option("--time-budget <s>", "stop meta-training after this many seconds", parsePositiveNumber("--time-budget", 86_400), 300)
    .option("--temperature <t>", "soft-NN temperature: a number > 0 or 'learned'", "learned")
    .option("--symmetries <n>", "rotations/mirrors of each meta-train class used as new classes (1–8)", parseInteger("--symmetries", 1), 8)
    .option("--k <n>", "neighbours of the kNN baseline (at most 1000)", parseInteger("--k", 1, 1000), 1)
    .option("--arch <name>", "episodic: embedding network, mlp, cnn or residual", "mlp")
    .requiredOption("--out <dir>", "folder for fewshot.json and PNG/SVG figures")
    .addOption(new Option("--limit <n>", "use at most N train and N test images").argParser(parseInteger("--limit", 50)).hideHelp())
    .action(async (opts: DataOptions & { testData?: string; extraData?: string; out: string; ways: number; shots: number; queries: number; method: string; training: string; filters: number[]; pixelWeight: number; power: number; shiftRadius: number; centre: string; episodes: number; steps: number; timeBudget: number; temperature: string; symmetries: number; k: number; arch: string }) => {
      const method = parseMethod(opts.method);
      const training = parseEmbeddingTraining(opts.training);
      const temperature = parseTemperature(opts.temperature);
      if (!["mlp", "cnn", "residual"].includes(opts.arch)) throw new InvalidOptionError(`--arch must be mlp, cnn or residual, got "${opts.arch}".`);
      if (!(opts.power > 0)) throw new InvalidOptionError(`--power must be > 0 (0.5 = square root, 1 = none), got ${opts.power}.`);
      if (opts.shiftRadius > 13) throw new InvalidOptionError(`--shift-radius must be in 0..13 pixels, got ${opts.shiftRadius}.`);
      if (!(FEATURE_CENTRINGS as readonly string[]).includes(opts.centre)) throw new InvalidOptionError(`--centre must be one of ${FEATURE_CENTRINGS.join(", ")}, got "${opts.centre}".`);
      if (!(opts.pixelWeight >= 0)) throw new InvalidOptionError(`--pixel-weight must be ≥ 0 (0 = features only), got ${opts.pixelWeight}.`);
      if (opts.symmetries > 8) throw new InvalidOptionError(`--symmetries must be in 1..8 (the symmetries of the square), got ${opts.symmetries}.`);
      const testName = parseDatasetName(opts.testData ?? opts.data);
      const extraName = opts.extraData === undefined ? undefined : parseDatasetName(opts.extraData);
      if (extraName !== undefined && extraName === testName) {
        throw new InvalidOptionError(`--extra-data ${extraName} would train on the meta-test classes of ${testName}; pick another dataset (e.g. ${testName === "mnist" ? "fashion-mnist" : "mnist"}).`);
      }
      const backend = await start(opts);
      const { train, test } = await loadSplits(opts);
      const extraTrain = extraName === undefined ? undefined : (await loadSplits({ ...opts, data: extraName, testData: extraName })).train;
      log(`dl meta fewshot: ${opts.ways}-way ${opts.shots}-shot, meta-train ${opts.data} 0–4${extraName === undefined ? "" : ` + all of ${extraName}`}, meta-test ${opts.testData ?? opts.data} 5–9, ${training} embedding, backend ${backend}`);
      const result = await withProgress("fewshot", (onProgress, signal) =>
        runFewShotExperiment(train, test, {
          ways: opts.ways,
          shots: opts.shots,
          queries: opts.queries,
          episodes: opts.episodes,
          method,
          training,
          filters: opts.filters,
          pixelWeight: opts.pixelWeight,
          power: opts.power,
          shiftRadius: opts.shiftRadius,
          centre: opts.centre as FeatureCentring,
          ...(extraTrain === undefined ? {} : { extraTrain }),
          temperature,
          steps: opts.steps,
          timeBudgetSeconds: opts.timeBudget,
          symmetries: opts.symmetries,
          k: opts.k,
          arch: opts.arch as "mlp",
          seed: opts.seed ?? 42,
          onProgress,
          signal,
        }),
      );
      const { example, ...rest } = result;
      const summary = { command: "meta fewshot", data: opts.data, testData: opts.testData ?? opts.data, extraData: extraName ?? null, backend, seed: opts.seed ?? 42, ...rest, learned: { ...rest.learned, episodeAccuracies: undefined }, pixels: { ...rest.pixels, episodeAccuracies: undefined } };
      const bars: Bar[] = EVALUATED_CLASSIFIERS.flatMap((m) => [
        { label: `${m} (learned)`, value: result.learned[m].mean, error: result.learned[m].ci95, color: "#1f77b4" },
        { label: `${m} (pixels)`, value: result.pixels[m].mean, error: result.pixels[m].ci95, color: "#999999" },
      ]);
      const size = test.height * test.width;
      const shown = new Float32Array((example.supportImages.length + example.queryImages.length));
      shown.set(example.supportImages);
      shown.set(example.queryImages, example.supportImages.length);
      const curve: LineSeries[] = [
        { name: "train loss", x: result.training.history.map((h) => h.step), y: result.training.history.map((h) => h.loss), color: "#d62728" },
        { name: "train accuracy", x: result.training.history.map((h) => h.step), y: result.training.history.map((h) => h.accuracy), color: "#1f77b4" },
      ];
      const accuracyChart = { title: `${opts.ways}-way ${opts.shots}-shot accuracy ± 95% CI (blue: learned embedding, grey: raw pixels)`, yLabel: "query accuracy", yDomain: [0, 1] as const };
      const trainedWhat = training === "pretrain" ? `Supervised pretraining on the meta-train classes (${result.training.steps} batches)` : `Episodic meta-training (${result.training.steps} episodes)`;
      const curveChart = training === "pretrain" ? { title: "supervised pretraining on the meta-train classes", xLabel: "batch", yLabel: "loss / accuracy" } : { title: "episodic meta-training", xLabel: "episode", yLabel: "loss / accuracy" };
      // Rows and columns by their real class names (the episode's ways are classes 5–9, not 0–4).
      const wayNames = Array.from(example.classes, (c) => test.classNames[c] ?? String(c));
      const accuracySvg = barChartSvg(bars, { ...accuracyChart, width: 640 });
      const episodePng = encodePng(imageGrid(shown, shown.length / size, test.height, test.width, { columns: opts.shots * opts.ways, scale: 2 }));
      const attentionSvg = heatmapSvg(example.attention, example.ways, example.ways * example.shots, {
        title: "attention of one query per class (row) over the support set (columns)",
        xLabel: "support image (its class)",
        yLabel: "query (its class)",
        rowLabels: wayNames,
        colLabels: wayNames.flatMap((name) => Array.from({ length: example.shots }, () => name)),
      });
      const curveSvg = lineChartSvg(curve, curveChart);
      // One page that says what each picture shows (the files beside it are the same figures).
      const page = renderReportHtml({
        title: `dl meta fewshot: ${opts.ways}-way ${opts.shots}-shot`,
        subtitle: `meta-train ${opts.data} classes 0–4, meta-test ${opts.testData ?? opts.data} classes 5–9 · ${training} embedding · backend ${backend} · seed ${opts.seed ?? 42}`,
        sections: [
          {
            id: "fewshot",
            title: "Few-shot accuracy on classes never trained on",
            text:
              `Each of ${result.learned.matching.n} test episodes shows ${opts.shots} labelled image(s) of ${opts.ways} unseen classes and asks for the class of ${opts.queries} new images per class. Chance is ${(100 / opts.ways).toFixed(0)}%.` +
              (opts.shots === 1 ? " With one image per class, matching, prototypes and 1-NN pick the same class, so their accuracies agree." : ""),
            figures: [
              { id: "accuracy", caption: "Query accuracy per classifier, mean ± 95% CI over episodes; blue: on the learned embedding, grey: on raw pixels (accuracy.svg, accuracy.png).", svg: accuracySvg },
              { id: "episode", caption: `One episode: the support images (top row) and one query per class (bottom row), classes ${wayNames.join(", ")} (episode.png).`, png: episodePng, pixelated: true },
              { id: "attention", caption: "Soft nearest-neighbour attention of each query (row) over the support images (columns); rows sum to 1 (attention.svg).", svg: attentionSvg },
              { id: "training", caption: `${trainedWhat}: loss and accuracy (training-curve.svg, training-curve.png).`, svg: curveSvg },
            ],
          },
        ],
      });
      const files: OutputFile[] = [
        ["fewshot.json", json({ ...summary, example: { attention: example.attention, queryLabels: example.queryLabels, classes: example.classes } })],
        ["index.html", page],
        ["accuracy.png", encodePng(barChartRaster(bars, { ...accuracyChart, width: 640, height: 300 }))],
        ["accuracy.svg", accuracySvg],
        ["episode.png", episodePng],
        ["attention.svg", attentionSvg],
        ["training-curve.png", encodePng(lineChartRaster(curve, { ...curveChart, width: 560, height: 280 }))],
        ["training-curve.svg", curveSvg],
      ];
      const written = await writeOutputs(opts.out, files);
      const trained = training === "pretrain" ? `pretrained on ${result.training.trainClasses} classes for ${result.training.steps} batches` : `meta-trained ${result.training.steps} episodes`;
      log(`${trained} in ${result.training.seconds.toFixed(0)} s (T = ${result.training.temperature.toPrecision(3)})`);
      for (const m of EVALUATED_CLASSIFIERS) log(`  ${m.padEnd(12)} learned ${pct(result.learned[m])}   pixels ${pct(result.pixels[m])}`);
      if (opts.shots === 1) log("  (1-shot: one support image per class, so matching, prototypes and 1-NN pick the same class and score the same)");
      if (opts.json === true) printJson({ ...summary, out: opts.out, files: written });
    });

  register(meta, "temperature")
    .description("temperature sweep: meta-train vs meta-test accuracy of the soft nearest neighbour against T, beside kNN's k")
    .requiredOption("--data <name>", "dataset: mnist or fashion-mnist")
    .option("--ways <n>", "classes per episode (2 or more)", parseInteger("--ways", 2, 100), 5)
    .option("--shots <n>", "labelled examples per class (at most 1000)", parseInteger("--shots", 1, 1000), 5)
    .option("--temperatures <list>", "comma-separated temperatures > 0", parseList("--temperatures"))
    .option("--steps <n>", "meta-training episodes per temperature (at most 1,000,000)", parseInteger("--steps", 1, 1_000_000), 300)
    .option("--episodes <n>", "evaluation episodes per point (at most 100,000)", parseInteger("--episodes", 1, 100_000), 200)
    .requiredOption("--out <dir>", "folder for temperature.json and figures")
    .addOption(new Option("--limit <n>", "use at most N train and N test images").argParser(parseInteger("--limit", 50)).hideHelp())
    .action(async (opts: DataOptions & { out: string; ways: number; shots: number; temperatures?: number[]; steps: number; episodes: number }) => {
      for (const t of opts.temperatures ?? []) assertTemperature(t);
      const backend = await start(opts);
      const { train, test } = await loadSplits(opts);
      log(`dl meta temperature: ${opts.ways}-way ${opts.shots}-shot on ${opts.data}, backend ${backend}`);
      const result = await withProgress("temperature", (onProgress, signal) =>
        runTemperatureSweep(train, test, {
          ways: opts.ways,
          shots: opts.shots,
          stepsPerTemperature: opts.steps,
          episodes: opts.episodes,
          seed: opts.seed ?? 42,
          onProgress,
          signal,
          ...(opts.temperatures === undefined ? {} : { temperatures: opts.temperatures }),
        }),
      );
      const logT = result.temperatures.map((p) => Math.log10(p.temperature));
      const tSeries: LineSeries[] = [
        { name: "meta-train accuracy", x: logT, y: result.temperatures.map((p) => p.metaTrain.mean), color: "#1f77b4" },
        { name: "meta-test accuracy", x: logT, y: result.temperatures.map((p) => p.metaTest.mean), color: "#d62728" },
      ];
      const ks = result.knn.map((p) => p.k);
      const kSeries: LineSeries[] = [
        { name: "meta-train accuracy", x: ks, y: result.knn.map((p) => p.metaTrain.mean), color: "#1f77b4" },
        { name: "meta-test accuracy", x: ks, y: result.knn.map((p) => p.metaTest.mean), color: "#d62728" },
      ];
      const temperatureChart = { title: "soft nearest neighbour: accuracy against temperature", xLabel: "log10 T", yLabel: "accuracy", yDomain: [0, 1] as const };
      const knnChart = { title: "kNN: accuracy against k", xLabel: "k", yLabel: "accuracy", yDomain: [0, 1] as const };
      const summary = { command: "meta temperature", data: opts.data, backend, seed: opts.seed ?? 42, ...result };
      const written = await writeOutputs(opts.out, [
        ["temperature.json", json(summary)],
        ["temperature.png", encodePng(lineChartRaster(tSeries, { ...temperatureChart, width: 560, height: 280 }))],
        ["temperature.svg", lineChartSvg(tSeries, temperatureChart)],
        ["knn.png", encodePng(lineChartRaster(kSeries, { ...knnChart, width: 560, height: 280 }))],
        ["knn.svg", lineChartSvg(kSeries, knnChart)],
      ]);
      for (const p of result.temperatures) log(`  T=${p.temperature}: meta-train ${pct(p.metaTrain)}  meta-test ${pct(p.metaTest)}`);
      for (const p of result.knn) log(`  k=${p.k}: meta-train ${pct(p.metaTrain)}  meta-test ${pct(p.metaTest)}`);
      if (opts.json === true) printJson({ ...summary, out: opts.out, files: written });
    });

  register(meta, "regress")
    .description("soft-NN (Nadaraya–Watson) regression on the MAML sinusoids against a pretrained, fine-tuned regressor")
    .requiredOption("--shots <n>", "support points per task (5 or 10 in MAML; at most 1000)", parseInteger("--shots", 1, 1000))
    .option("--steps <n>", "meta-training batches (at most 1,000,000)", parseInteger("--steps", 1, 1_000_000), 2000)
    .option("--tasks <n>", "held-out test tasks (at most 100,000)", parseInteger("--tasks", 1, 100_000), 600)
    .requiredOption("--out <dir>", "folder for regress.json and figures")
    .action(async (opts: CommonOptions & { out: string; shots: number; steps: number; tasks: number }) => {
      const backend = await start(opts);
      log(`dl meta regress: K=${opts.shots} sinusoids, backend ${backend}`);
      const result = await withProgress("regress", (onProgress, signal) =>
        runSinusoidExperiment({ shots: opts.shots, trainSteps: opts.steps, testTasks: opts.tasks, seed: opts.seed ?? 42, onProgress, signal }),
      );
      const first = result.curves[0];
      const figures: OutputFile[] = [];
      if (first !== undefined) {
        const series: LineSeries[] = [
          { name: "truth", x: first.x, y: first.truth, color: "#000000" },
          { name: "soft-NN (Nadaraya–Watson)", x: first.x, y: first.softNearestNeighbour, color: "#d62728" },
          { name: "pretrained + fine-tuned", x: first.x, y: first.pretrainedFineTuned, color: "#1f77b4" },
          { name: "shots", x: first.supportX, y: first.supportY, color: "#2ca02c" },
        ];
        const taskChart = { title: `one test sinusoid, K = ${opts.shots}`, xLabel: "x", yLabel: "y" };
        figures.push(["example-task.png", encodePng(lineChartRaster(series, { ...taskChart, width: 640, height: 300 }))], ["example-task.svg", lineChartSvg(series, taskChart)]);
      }
      const bars: Bar[] = [
        { label: "soft-NN", value: result.softNearestNeighbour.mean, error: result.softNearestNeighbour.ci95 },
        { label: "NW on x", value: result.nadarayaWatsonOnX.mean, error: result.nadarayaWatsonOnX.ci95 },
        { label: "pretrained", value: result.pretrained.mean, error: result.pretrained.ci95 },
        { label: "pretrained+FT", value: result.pretrainedFineTuned.mean, error: result.pretrainedFineTuned.ci95 },
        { label: "predict 0", value: result.zero.mean, error: result.zero.ci95 },
        { label: "MAML (reported)", value: result.maml.mean, error: result.maml.ci95, color: "#999999" },
      ].filter((b) => Number.isFinite(b.value));
      const summary = { command: "meta regress", backend, seed: opts.seed ?? 42, ...result };
      const written = await writeOutputs(opts.out, [
        ["regress.json", json(summary)],
        ["mse.png", encodePng(barChartRaster(bars, { title: `sinusoid MSE, K = ${opts.shots} (lower is better)`, yLabel: "MSE", width: 560, height: 280 }))],
        ["mse.svg", barChartSvg(bars, { title: `sinusoid MSE, K = ${opts.shots} (lower is better)`, yLabel: "MSE" })],
        ...figures,
      ]);
      for (const b of bars) log(`  ${b.label.padEnd(16)} MSE ${b.value.toFixed(3)} ± ${(b.error ?? 0).toFixed(3)}`);
      if (opts.json === true) printJson({ ...summary, out: opts.out, files: written });
    });

  register(meta, "finetune")
    .description("pretrain on classes 0–4, fine-tune on K labels of classes 5–9: frozen vs uniform vs discriminative LR vs gradual unfreezing")
    .option("--data <name>", "dataset: mnist or fashion-mnist", "fashion-mnist")
    .option("--lr-decay <f>", "learning rate divided by this per layer downward (ULMFiT: 2.6)", parseNumber("--lr-decay"), 2.6)
    .requiredOption("--shots <n>", "labelled examples per target class (at most 1000)", parseInteger("--shots", 1, 1000))
    .option("--seeds <n>", "repetitions (different labelled samples and heads)", parseInteger("--seeds", 2), 5)
    .option("--steps <n>", "fine-tuning steps (at most 1,000,000)", parseInteger("--steps", 1, 1_000_000), 150)
    .option("--learning-rate <lr>", "top-layer learning rate (Adam), in (0, 10]", parsePositiveNumber("--learning-rate", 10), 1e-3)
    .requiredOption("--out <dir>", "folder for finetune.json and figures")
    .addOption(new Option("--limit <n>", "use at most N train and N test images").argParser(parseInteger("--limit", 50)).hideHelp())
    .action(async (opts: DataOptions & { out: string; lrDecay: number; shots: number; seeds: number; steps: number; learningRate: number }) => {
      if (!(opts.lrDecay >= 1)) throw new DlError("INVALID_ARGUMENT", `--lr-decay must be ≥ 1 (1 = one rate for every layer), got ${opts.lrDecay}.`);
      const backend = await start(opts);
      const { train, test } = await loadSplits(opts);
      log(`dl meta finetune: ${opts.shots} labels per class, decay ${opts.lrDecay}, backend ${backend}`);
      const result = await withProgress("finetune", (onProgress, signal) =>
        runFineTuneExperiment(train, test, { shots: opts.shots, lrDecay: opts.lrDecay, seeds: opts.seeds, steps: opts.steps, learningRate: opts.learningRate, seed: opts.seed ?? 42, onProgress, signal }),
      );
      const bars: Bar[] = result.strategies.map((s) => ({ label: s.strategy, value: s.accuracy.mean, error: s.accuracy.ci95 }));
      const finetuneChart = { title: `fine-tuning with ${opts.shots} labels per class (mean ± 95% CI over ${opts.seeds} seeds)`, yLabel: "test accuracy", yDomain: [0, 1] as const };
      const summary = { command: "meta finetune", data: opts.data, backend, seed: opts.seed ?? 42, ...result };
      const written = await writeOutputs(opts.out, [
        ["finetune.json", json(summary)],
        ["accuracy.png", encodePng(barChartRaster(bars, { ...finetuneChart, width: 560, height: 280 }))],
        ["accuracy.svg", barChartSvg(bars, finetuneChart)],
      ]);
      log(`  pretrained source accuracy ${(result.pretrainAccuracy * 100).toFixed(1)}%`);
      for (const s of result.strategies) log(`  ${s.strategy.padEnd(19)} ${pct(s.accuracy)}`);
      if (opts.json === true) printJson({ ...summary, out: opts.out, files: written });
    });
}
