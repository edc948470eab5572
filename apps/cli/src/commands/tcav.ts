import { Option, type Command } from "commander";

import { ALTERNATIVES, BUILTIN_CONCEPTS, CORRECTIONS, concatImageSources, isBuiltinConcept, tcavReportSections, tcavRowLine, tcavSummary } from "@dl/interpretability";
import { DlError, backendInfo, listNames, parseDatasetName, predictionsSection, reportFiles, topPredictions, type DatasetName, type ImageModel } from "@dl/tensor-core";

import { runAction, type ActionOutcome } from "../action.js";
import { log, type OutputFile } from "../io.js";
import { addRunnerOptions, jobArgv, rawArgs, tcavRunner } from "../jobs/runnerOptions.js";
import { runTcavJob } from "../jobs/tcavJob.js";
import { backendOption, parseInteger, parseNumber, seedOption } from "../options.js";
import { CLI_VERSION } from "../program.js";
import { addUserModelOptions, listLayersOutcome, preprocessingText } from "../userModel.js";
import { datasetSetup, folderSetup, nullDrawsFor, type TcavCliOptions, type TcavSetup } from "./tcav/inputs.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** One-line errors for flag combinations commander cannot see, before anything is loaded. */
function assertTcavFlags(opts: TcavCliOptions): void {
  if (opts.listLayers === true) return;
  if (opts.out === undefined) throw new DlError("INVALID_ARGUMENT", "Give --out DIR for the report (or --list-layers to only list the model's layers).");
  if (opts.concept.length === 0) {
    throw new DlError("INVALID_ARGUMENT", `Give at least one --concept: a built-in (${listNames(BUILTIN_CONCEPTS)}), a folder of PNG/JPEG images or a .npy file.`);
  }
  if (!(opts.alpha > 0 && opts.alpha < 1)) throw new DlError("INVALID_ARGUMENT", `--alpha must lie in (0, 1), got ${opts.alpha}.`);
  if (opts.spatial === "max") throw new DlError("INVALID_ARGUMENT", "--spatial max has no gradient counterpart; TCAV takes --spatial auto, flatten or mean.");
  if (opts.images === undefined) return;
  if (opts.randomSet.length === 0) throw new DlError("INVALID_ARGUMENT", "With --images, give --random-set DIR (repeatable): random images of the model's domain for counterexamples and the null.");
  const builtin = opts.concept.find((c) => isBuiltinConcept(c));
  if (builtin !== undefined) throw new DlError("INVALID_ARGUMENT", `Built-in concept "${builtin}" is drawn from --data ${opts.data} digits; with --images give a folder of concept images.`);
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
  addUserModelOptions(command).action((opts: TcavCliOptions, cmd: Command) => {
    assertTcavFlags(opts);
    // --list-layers writes nothing, so its --out is not checked.
    const { out: _out, ...listOpts } = opts;
    return runAction("tcav", opts.listLayers === true ? listOpts : opts, async ({ seed, signal, onProgress }) => {
      const data = parseDatasetName(opts.data);
      const slot: { model?: ImageModel; listOnly: boolean } = { listOnly: opts.listLayers === true };
      try {
        const setup = opts.images === undefined ? await datasetSetup(opts, data, seed, slot, { signal, onProgress }) : await folderSetup(opts, data, slot, { signal });
        const model = slot.model as ImageModel;
        if (setup === undefined) return listLayersOutcome(model, opts.json === true);
        const nullDraws = nullDrawsFor(opts, setup.concepts.length * setup.layers.length);
        log(`dl tcav: class ${setup.targetName}, ${setup.concepts.length} concept(s) × ${setup.layers.length} layer(s) (${setup.layers.join(", ")}), ${nullDraws} random concepts × ${opts.runs} runs, backend ${backendInfo().name}`);
        const out = opts.out as string;
        const result = await runTcavJob(
          model,
          {
            target: setup.target,
            targetImages: setup.targetImages,
            concepts: setup.concepts,
            randomPool: setup.randomPool,
            layers: setup.layers,
            nullDraws,
            randomRuns: opts.runs,
            alpha: opts.alpha,
            correction: opts.correction,
            alternative: opts.alternative,
            spatial: opts.spatial === "max" ? "auto" : opts.spatial,
            seed,
            onProgress,
            signal,
            ...(opts.setSize === undefined ? {} : { setSize: opts.setSize }),
          },
          { argv: jobArgv(rawArgs(cmd), "tcav"), version: CLI_VERSION },
          tcavRunner(opts, setup.layers.length * (setup.concepts.length + nullDraws) * opts.runs, out),
        );
        // A shard keeps its part for dl merge (written by the runner); the report comes from the merge.
        if (result === undefined) return { json: { shard: opts.shard }, summary: "this shard's tasks are done; combine the parts with dl merge" };
        return await tcavOutcome(opts, data, model, setup, result, seed);
      } finally {
        slot.model?.dispose();
      }
    });
  });
}

/** The report (the target images' predictions, then the TCAV sections), tcav.json and the terminal lines. */
async function tcavOutcome(opts: TcavCliOptions, data: DatasetName, model: ImageModel, setup: TcavSetup, result: NonNullable<Awaited<ReturnType<typeof runTcavJob>>>, seed: number): Promise<ActionOutcome> {
  const folderMode = opts.images !== undefined;
  const preprocessing = preprocessingText(model);
  const targetReader = concatImageSources([setup.targetImages]);
  const shown = Math.min(8, targetReader.count);
  const predictions = await topPredictions(model, targetReader, { count: shown });
  const predictionImages = { name: "target", images: targetReader.read(0, shown), labels: new Int32Array(shown), count: shown, height: targetReader.height, width: targetReader.width, channels: targetReader.channels, classNames: [setup.targetName] };
  const targetFiles = "files" in setup.targetImages ? (setup.targetImages.files as readonly string[]).slice(0, shown) : undefined;
  const sections = [predictionsSection(predictionImages, predictions, { preprocessing, ...(targetFiles === undefined ? {} : { files: targetFiles }) }), ...tcavReportSections(result, { targetName: setup.targetName })];
  const report = { title: `TCAV for class ${setup.targetName}`, subtitle: `model ${opts.model}${folderMode ? `, images ${opts.images ?? ""}` : `, data ${data}`}, seed ${seed}`, sections };
  const json = tcavSummary(result, {
    model: opts.model,
    modelKind: model.kind,
    ...(folderMode ? { images: opts.images } : { data }),
    targetName: setup.targetName,
    backend: backendInfo().name,
    preprocessing: model.preprocessing ?? null,
    preprocessingText: preprocessing,
    layerSpaces: result.layerSpaces,
    predictions,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  });
  const files: OutputFile[] = [...reportFiles(report).map((f): OutputFile => [f.path, f.contents]), ["tcav.json", `${JSON.stringify(json, null, 2)}\n`]];
  for (const r of result.rows) log(tcavRowLine(r));
  for (const w of result.warnings) log(`warning: ${w}`);
  return { files, json, summary: `TCAV in ${result.seconds.toFixed(1)} s` };
}
