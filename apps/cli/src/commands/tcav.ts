import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";

import { Option, type Command } from "commander";

import {
  BUILTIN_CONCEPTS,
  CORRECTIONS,
  ALTERNATIVES,
  concatImageSets,
  concatImageSources,
  imageSetFromNdArray,
  isBuiltinConcept,
  MIN_CONCEPT_IMAGES,
  nullDrawsForSignificance,
  prepareTcavInputs,
  tcavReportSections,
  type Alternative,
  type ConceptSet,
  type ConceptSource,
  type Correction,
  type ImageSet,
  type ImageSource,
  type TcavResult,
} from "@dl/interpretability";
import {
  DlError,
  backendInfo,
  describePreprocessing,
  imageModel,
  initBackend,
  listNames,
  loadDataset,
  loadDefaultModel,
  parseArch,
  parseDatasetName,
  predictionsSection,
  readImageFolder,
  readNpy,
  reportFiles,
  resolveLayerNames,
  suggestLayers,
  topPredictions,
  type DatasetName,
  type ImageModel,
} from "@dl/tensor-core";

import { assertWritableDir, interruptSignal, log, printJson, progressReporter, writeOutputs, type OutputFile } from "../io.js";
import { addRunnerOptions, jobArgv, rawArgs, tcavRunner, type RunnerCliOptions } from "../jobs/runnerOptions.js";
import { runTcavJob } from "../jobs/tcavJob.js";
import { backendOption, parseInteger, parseNumber, seedOption, type CommonOptions } from "../options.js";
import { CLI_VERSION } from "../program.js";
import { addUserModelOptions, layerListing, openImageFolder, openUserModel, type UserModelCliOptions } from "../userModel.js";

interface TcavCliOptions extends CommonOptions, UserModelCliOptions, RunnerCliOptions {
  model: string;
  data: string;
  images?: string;
  arch: string;
  target: string;
  concept: string[];
  randomSet: string[];
  layers?: string;
  random?: number;
  runs: number;
  setSize?: number;
  targetCount: number;
  alpha: number;
  correction: Correction;
  alternative: Alternative;
  out?: string;
}

/** Layers studied by default for the built-in architectures. */
export const DEFAULT_TCAV_LAYERS: Readonly<Record<string, readonly string[]>> = { cnn: ["pool2", "dense1"], mlp: ["dense1", "dense2"] };

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A class index or a class name of the dataset. */
export function parseTarget(value: string, classNames: readonly string[]): number {
  const asIndex = Number(value);
  if (value.trim() !== "" && Number.isInteger(asIndex)) {
    if (asIndex < 0 || asIndex >= classNames.length) {
      throw new DlError("INVALID_ARGUMENT", `--target ${value} is out of range; use a class index 0..${classNames.length - 1} or a name: ${listNames(classNames)}.`);
    }
    return asIndex;
  }
  const byName = classNames.findIndex((n) => n.toLowerCase() === value.toLowerCase());
  if (byName < 0) throw new DlError("INVALID_ARGUMENT", `--target "${value}" is not a class; use an index 0..${classNames.length - 1} or a name: ${listNames(classNames)}.`);
  return byName;
}

/** A concept or random set from a folder of PNGs or a `.npy` file. */
async function readImageSet(path: string, what: string): Promise<ImageSet> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new DlError("FILE_NOT_FOUND", `${what} "${path}" is neither a built-in concept (${listNames(BUILTIN_CONCEPTS)}) nor an existing folder of PNGs or .npy file.`);
  }
  if (info.isDirectory()) {
    const ds = await readImageFolder(path);
    return { images: ds.images, count: ds.count, height: ds.height, width: ds.width, channels: ds.channels };
  }
  if (extname(path).toLowerCase() === ".npy") return imageSetFromNdArray(await readNpy(path), `${what} ${path}`);
  throw new DlError("UNSUPPORTED_FORMAT", `${what} "${path}" is a file but not .npy; give a folder of PNGs or a .npy array [N, H, W(, C)].`);
}

/** The JSON rows: one per concept × layer. */
export function tcavJson(result: TcavResult, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...extra,
    target: result.target,
    layers: result.layers,
    concepts: result.concepts,
    settings: result.settings,
    warnings: result.warnings,
    seconds: result.seconds,
    rows: result.rows.map((r) => ({
      concept: r.concept,
      layer: r.layer,
      score: r.score,
      scores: r.scores,
      magnitudeScore: r.magnitudeScore,
      nullMean: r.nullMean,
      nullStd: r.nullStd,
      pValues: r.pValues,
      adjusted: r.adjusted,
      significant: r.significant,
      cavAccuracy: r.cavAccuracy,
      effect: r.effect,
      ci: r.ci,
    })),
  };
}

/** A user's concept or random folder read at the model's input size, or a `.npy` array. */
async function readUserSet(path: string, what: string, model: ImageModel, opts: TcavCliOptions): Promise<ConceptSource> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new DlError("FILE_NOT_FOUND", `${what} "${path}" does not exist; give a folder of PNG/JPEG images or a .npy array [N, H, W(, C)].`);
  if (info.isDirectory()) return openImageFolder(path, model, opts, what);
  if (extname(path).toLowerCase() === ".npy") return { name: basename(path, extname(path)), ...imageSetFromNdArray(await readNpy(path), `${what} ${path}`) };
  throw new DlError("UNSUPPORTED_FORMAT", `${what} "${path}" is a file but not .npy; give a folder of PNG/JPEG images or a .npy array [N, H, W(, C)].`);
}

/** The target images of a user model: the `--images` folder, or its sub-folder named after the target class. */
async function readTargetImages(dir: string, model: ImageModel, opts: TcavCliOptions, targetName: string): Promise<ImageSource> {
  const folder = await openImageFolder(dir, model, opts, "--images");
  const k = folder.classNames.findIndex((c) => c.toLowerCase() === targetName.toLowerCase());
  if (folder.classNames.length <= 1 || k < 0) return folder;
  const rows = Array.from(folder.labels.keys()).filter((i) => folder.labels[i] === k);
  log(`--images ${dir}: using sub-folder "${folder.classNames[k] ?? ""}" (${rows.length} images) as the target class`);
  return folder.toDataset({ rows });
}

export function registerTcavCommand(program: Command): void {
  const command = program
    .command("tcav")
    .description("TCAV: which concepts drive a class, with a calibrated randomization test, on the default model or your own; writes bars (PNG/SVG), index.html and tcav.json")
    .option("--model <dir|default>", "a tfjs model folder (LayersModel or GraphModel, or its model.json), or default (the cached default classifier of --data)", "default")
    .option("--data <name>", "dataset of the default model, built-in concepts, target inputs and random images: mnist or fashion-mnist", "mnist")
    .option("--images <dir>", "images of the target class (PNG/JPEG; or a folder of label sub-folders, one named like --target); concepts and --random-set are then folders too")
    .option("--arch <name>", "architecture of the default model: cnn or mlp", "cnn")
    .requiredOption("--target <class>", "class index or name (names: the dataset's, or --class-names) whose logit is explained")
    .option("--concept <name|dir|file.npy>", `concept: built-in (${BUILTIN_CONCEPTS.join(", ")}), a folder of PNG/JPEG images or a .npy [N,H,W(,C)]; repeat for more`, collect, [])
    .option("--random-set <dir|file.npy>", "random images for counterexamples and the null (repeatable); default: dataset images (required with your own model)", collect, [])
    .option("--layers <l1,l2>", "comma-separated layers or globs (default: pool2,dense1 for cnn, dense1,dense2 for mlp; a spread over depth for your model)")
    .option("--random <n>", "random concepts in the null distribution, no cap (default: enough for significance to survive the correction, at least 50)", parseInteger("--random", 2))
    .option("--runs <n>", "CAVs per concept, each against another random counterexample set", parseInteger("--runs", 2), 5)
    .option("--set-size <n>", "images per concept and random set (default: min(concept sizes, 50))", parseInteger("--set-size", 10))
    .option("--target-count <n>", "target-class images scored", parseInteger("--target-count", 1), 100)
    .option("--alpha <p>", "significance level", parseNumber("--alpha"), 0.05)
    .addOption(new Option("--correction <method>", "multiple-testing correction across concepts × layers").choices([...CORRECTIONS]).default("holm"))
    .addOption(new Option("--alternative <tail>", "greater: the concept raises the logit more than random concepts").choices([...ALTERNATIVES]).default("greater"))
    .option("--out <dir>", "folder that receives index.html, figures and tcav.json")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout");
  addRunnerOptions(command);
  addUserModelOptions(command).action(async (opts: TcavCliOptions, cmd: Command) => {
    const seed = opts.seed ?? 42;
    const userModel = opts.model !== "default";
    // Folder mode: target, concept and random images all come from the user's folders.
    const folderMode = opts.images !== undefined;
    if (opts.listLayers !== true) {
      if (opts.out === undefined) throw new DlError("INVALID_ARGUMENT", "Give --out DIR for the report (or --list-layers to only list the model's layers).");
      if (opts.concept.length === 0) {
        throw new DlError("INVALID_ARGUMENT", `Give at least one --concept: a built-in (${listNames(BUILTIN_CONCEPTS)}), a folder of PNG/JPEG images or a .npy file.`);
      }
      if (!(opts.alpha > 0 && opts.alpha < 1)) throw new DlError("INVALID_ARGUMENT", `--alpha must lie in (0, 1), got ${opts.alpha}.`);
      if (opts.spatial === "max") throw new DlError("INVALID_ARGUMENT", "--spatial max has no gradient counterpart; TCAV takes --spatial auto, flatten or mean.");
      if (folderMode && opts.randomSet.length === 0) throw new DlError("INVALID_ARGUMENT", "With --images, give --random-set DIR (repeatable): random images of the model's domain for counterexamples and the null.");
      if (folderMode) {
        const builtin = opts.concept.find((c) => isBuiltinConcept(c));
        if (builtin !== undefined) throw new DlError("INVALID_ARGUMENT", `Built-in concept "${builtin}" is drawn from --data ${opts.data} digits; with --images give a folder of concept images.`);
      }
      await assertWritableDir(opts.out);
    }
    const data: DatasetName = parseDatasetName(opts.data);
    await initBackend(opts.backend === undefined ? {} : { backend: opts.backend });
    const interrupt = interruptSignal();
    let model: ImageModel | undefined;
    try {
      let layers: string[];
      let target: number;
      let targetName: string;
      let inputs: { targetImages: ImageSource; concepts: ConceptSource[]; randomPool: ImageSource };
      if (!folderMode) {
        const train = await loadDataset(data, { split: "train" });
        const test = await loadDataset(data, { split: "test" });
        target = parseTarget(opts.target, test.classNames);
        const concepts: (string | ConceptSet)[] = [];
        for (const c of opts.concept) {
          if (isBuiltinConcept(c)) concepts.push(c);
          else concepts.push({ name: basename(c, extname(c)), ...(await readImageSet(c, "Concept")) });
        }
        // Checked before any model is loaded or trained, so bad input fails fast.
        for (const c of concepts) {
          if (typeof c === "string") continue;
          if (c.count < MIN_CONCEPT_IMAGES) {
            throw new DlError("INVALID_ARGUMENT", `Concept "${c.name}" has ${c.count} images; TCAV needs at least ${MIN_CONCEPT_IMAGES} per concept (30 or more recommended).`);
          }
        }
        const randomPool = opts.randomSet.length === 0 ? undefined : concatImageSets(await Promise.all(opts.randomSet.map((r) => readImageSet(r, "Random set"))), "--random-set");
        const arch = parseArch(opts.arch);
        if (userModel) {
          model = await openUserModel(opts.model, opts);
        } else {
          const progress = progressReporter("default model");
          try {
            model = imageModel((await loadDefaultModel({ data, arch, onProgress: progress.onProgress, signal: interrupt.signal })).model);
          } finally {
            progress.stop();
          }
        }
        if (opts.listLayers === true) {
          for (const line of layerListing(model)) console.log(line);
          return;
        }
        const handle = model;
        layers =
          opts.layers !== undefined
            ? resolveLayerNames(model, opts.layers.split(",").map((l) => l.trim()))
            : userModel
              ? suggestLayers(model).filter((l) => handle.gradientLayers.includes(l))
              : [...(DEFAULT_TCAV_LAYERS[arch] ?? [])];
        const nullDraws = opts.random ?? Math.max(50, nullDrawsForSignificance(concepts.length * layers.length, opts.alpha, opts.correction));
        const prepared = prepareTcavInputs(
          { train, test },
          {
            target,
            concepts,
            nullDraws,
            randomRuns: opts.runs,
            targetCount: opts.targetCount,
            seed,
            ...(randomPool === undefined ? {} : { randomPool }),
            ...(opts.setSize === undefined ? {} : { setSize: opts.setSize }),
          },
        );
        targetName = prepared.targetName;
        inputs = prepared;
      } else {
        model = userModel ? await openUserModel(opts.model, opts) : imageModel((await loadDefaultModel({ data, arch: parseArch(opts.arch), signal: interrupt.signal })).model);
        if (opts.listLayers === true) {
          for (const line of layerListing(model)) console.log(line);
          return;
        }
        const names = model.classNames ?? Array.from({ length: model.numClasses }, (_, i) => String(i));
        target = parseTarget(opts.target, names);
        targetName = names[target] ?? String(target);
        layers =
          opts.layers === undefined
            ? suggestLayers(model).filter((l) => model?.gradientLayers.includes(l))
            : resolveLayerNames(model, opts.layers.split(",").map((l) => l.trim()));
        const concepts: ConceptSource[] = [];
        for (const c of opts.concept) concepts.push(await readUserSet(c, "--concept", model, opts));
        for (const c of concepts) {
          if (c.count < MIN_CONCEPT_IMAGES) throw new DlError("INVALID_ARGUMENT", `Concept "${c.name}" has ${c.count} images; TCAV needs at least ${MIN_CONCEPT_IMAGES} per concept (30 or more recommended).`);
        }
        const randomSets = [];
        for (const r of opts.randomSet) randomSets.push(await readUserSet(r, "--random-set", model, opts));
        const targetImages = await readTargetImages(opts.images as string, model, opts, targetName);
        inputs = { targetImages, concepts, randomPool: concatImageSources(randomSets) };
      }
      const nullDraws = opts.random ?? Math.max(50, nullDrawsForSignificance(inputs.concepts.length * layers.length, opts.alpha, opts.correction));
      const preprocessing = model.preprocessing === undefined ? "none (pixels in [0, 1])" : describePreprocessing(model.preprocessing);
      const targetReader = concatImageSources([inputs.targetImages]);
      const shown = Math.min(8, targetReader.count);
      const predictions = await topPredictions(model, targetReader, { count: shown });
      const predictionImages = { name: "target", images: targetReader.read(0, shown), labels: new Int32Array(shown), count: shown, height: targetReader.height, width: targetReader.width, channels: targetReader.channels, classNames: [targetName] };
      log(`dl tcav: class ${targetName}, ${inputs.concepts.length} concept(s) × ${layers.length} layer(s) (${layers.join(", ")}), ${nullDraws} random concepts × ${opts.runs} runs, backend ${backendInfo().name}`);
      const progress = progressReporter("tcav");
      let result: TcavResult | undefined;
      const out = opts.out as string;
      try {
        result = await runTcavJob(
          model,
          {
          target,
          targetImages: inputs.targetImages,
          concepts: inputs.concepts,
          randomPool: inputs.randomPool,
          layers,
          nullDraws,
          randomRuns: opts.runs,
          alpha: opts.alpha,
          correction: opts.correction,
          alternative: opts.alternative,
          spatial: opts.spatial === "max" ? "auto" : opts.spatial,
          seed,
          onProgress: progress.onProgress,
          signal: interrupt.signal,
          ...(opts.setSize === undefined ? {} : { setSize: opts.setSize }),
          },
          { argv: jobArgv(rawArgs(cmd), "tcav"), version: CLI_VERSION },
          tcavRunner(opts, layers.length * (inputs.concepts.length + nullDraws) * opts.runs, out),
        );
      } finally {
        progress.stop();
      }
      if (result === undefined) return;
      const sections = tcavReportSections(result, { targetName });
      const targetFiles = "files" in inputs.targetImages ? (inputs.targetImages.files as readonly string[]).slice(0, shown) : undefined;
      sections.unshift(predictionsSection(predictionImages, predictions, { preprocessing, ...(targetFiles === undefined ? {} : { files: targetFiles }) }));
      const report = { title: `TCAV for class ${targetName}`, subtitle: `model ${opts.model}${folderMode ? `, images ${opts.images ?? ""}` : `, data ${data}`}, seed ${seed}`, sections };
      const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
      const summary = tcavJson(result, {
        model: opts.model,
        modelKind: model.kind,
        ...(folderMode ? { images: opts.images } : { data }),
        targetName,
        backend: backendInfo().name,
        preprocessing: model.preprocessing ?? null,
        preprocessingText: preprocessing,
        layerSpaces: result.layerSpaces,
        predictions,
        peakRssMB,
      });
      const files: OutputFile[] = [...reportFiles(report).map((f): OutputFile => [f.path, f.contents]), ["tcav.json", `${JSON.stringify(summary, null, 2)}\n`]];
      const written = await writeOutputs(out, files);
      for (const r of result.rows) {
        log(`${r.concept.padEnd(14)} ${r.layer.padEnd(8)} score ${r.score.toFixed(3)}  null ${r.nullMean.toFixed(3)}±${r.nullStd.toFixed(3)}  p ${r.pValues.randomization.toPrecision(3)} (adj ${r.adjusted.toPrecision(3)}) ${r.significant ? "significant" : "n.s."}  CAV acc ${r.cavAccuracy.toFixed(3)}`);
      }
      for (const w of result.warnings) log(`warning: ${w}`);
      log(`wrote ${out} in ${result.seconds.toFixed(1)} s`);
      if (opts.json === true) printJson({ ...summary, out, files: written });
    } finally {
      interrupt.dispose();
      model?.dispose();
    }
  });
}
