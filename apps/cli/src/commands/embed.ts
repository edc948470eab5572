import type { Command } from "commander";

import {
  DlError,
  backendInfo,
  encodeNpy,
  imageModel,
  loadDefaultModel,
  parseArch,
  parseDatasetName,
  predictionsSection,
  reportFiles,
  resolveLayerNames,
  subsetDataset,
  suggestLayers,
  topPredictions,
  type ImageModel,
} from "@dl/tensor-core";
import {
  embeddingPerplexity,
  explorerHtml,
  layerEmbeddingFileNames,
  layerEmbeddingLine,
  layerEmbeddingSections,
  layerEmbeddingTable,
  layerEmbeddings,
  spreadOverLabels,
} from "@dl/interpretability";

import { runAction } from "../action.js";
import { log, type OutputFile } from "../io.js";
import { backendOption, parseInteger, parseNumber, seedOption } from "../options.js";
import { addUserModelOptions, listLayersOutcome, openUserModel, preprocessingText } from "../userModel.js";
import { THUMBNAIL, embedImages, type EmbedCliOptions } from "./embed/inputs.js";

/** `dl embed`: t-SNE of a model's activations, layer by layer, with the cnnembed comparison. */
export function registerEmbedCommand(program: Command): void {
  const command = program
    .command("embed")
    .description("layer-by-layer t-SNE of a model's activations on bundled data or your own images: per-layer purity and pixel overlap, mosaics, optimal grids, an HTML explorer")
    .option("--model <dir|default>", "a tfjs model folder (LayersModel or GraphModel, or its model.json), or default (trained once and cached)", "default")
    .option("--data <name>", "bundled dataset: mnist or fashion-mnist (test split); or use --images")
    .option("--images <dir>", "a folder of PNG/JPEG images, or of sub-folders named by label (labels colour the plots)")
    .option("--arch <name>", "default model architecture: cnn or mlp", "cnn")
    .option("--layers <list>", "comma-separated layer names or globs (block_1*_project_BN), or all (default: all for the default model, a spread of 4 plus the logits otherwise)")
    .option("--n <count>", "images to embed (stratified sample)", parseInteger("--n", 50), 2000)
    .option("--thumbnail <px>", "side of the thumbnails drawn and compared in pixel space when images are larger", parseInteger("--thumbnail", 8), THUMBNAIL)
    .option("--perplexity <p>", "t-SNE perplexity (default 30, or (N − 1)/3 for fewer than 91 images)", parseNumber("--perplexity"))
    .option("--iterations <n>", "t-SNE iterations per layer", parseInteger("--iterations", 1), 750)
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--out <dir>", "folder for index.html (report), explorer.html, per-layer embeddings and metrics.json")
    .option("--json", "print one JSON document on stdout (one row per layer)");
  addUserModelOptions(command).action((opts: EmbedCliOptions) => {
    if (opts.listLayers !== true && opts.out === undefined) throw new DlError("INVALID_ARGUMENT", "Give --out DIR for the report (or --list-layers to only list the model's layers).");
    if (opts.images === undefined && opts.data === undefined && opts.listLayers !== true) {
      throw new DlError("INVALID_ARGUMENT", "Give --images DIR (a folder of PNG/JPEG images) or --data mnist|fashion-mnist.");
    }
    if (opts.images !== undefined && opts.data !== undefined) throw new DlError("INVALID_ARGUMENT", "Give either --images or --data, not both.");
    const data = opts.data === undefined ? "mnist" : parseDatasetName(opts.data);
    const arch = parseArch(opts.arch);
    return runAction("embed", opts, async ({ seed, signal, onProgress }) => {
      let modelName = opts.model;
      let model: ImageModel;
      if (opts.model === "default") {
        const loaded = await loadDefaultModel({ data, arch, seed, onProgress, signal });
        model = imageModel(loaded.model);
        modelName = `the default ${arch} (test accuracy ${(loaded.testAccuracy * 100).toFixed(1)}%)`;
      } else {
        model = await openUserModel(opts.model, opts);
      }
      try {
        if (opts.listLayers === true) return listLayersOutcome(model, opts.json === true);
        const layers =
          opts.layers === undefined
            ? opts.model === "default"
              ? resolveLayerNames(model, "all")
              : suggestLayers(model)
            : resolveLayerNames(model, opts.layers === "all" ? "all" : opts.layers.split(",").map((s) => s.trim()));

        const { images, modelInput, rowsForModel, source, imageFiles } = await embedImages(opts, data, model, seed, signal);
        // The images shown with their predictions: one per label in turn, so every class is seen.
        const shownRows = spreadOverLabels(images.labels, Math.min(8, images.count));
        const predictions = await topPredictions(model, rowsForModel(shownRows));
        const preprocessing = preprocessingText(model);
        log(`dl embed: ${images.count} images, layers ${layers.join(", ")}, backend ${backendInfo().name}`);
        const perplexity = opts.perplexity ?? embeddingPerplexity(images.count);
        if (opts.perplexity === undefined && perplexity < 30) log(`perplexity ${perplexity} (the largest ${images.count} images allow)`);
        const rows = await layerEmbeddings(model, images, layers, { perplexity, iterations: opts.iterations, seed, modelInput, spatial: opts.spatial, onProgress, signal });
        const what = opts.images ?? data;
        const shownFiles = imageFiles === undefined ? undefined : shownRows.map((r) => imageFiles[r] ?? String(r));
        const sections = [predictionsSection(subsetDataset(images, shownRows), predictions, { preprocessing, ...(shownFiles === undefined ? {} : { files: shownFiles }) }), ...layerEmbeddingSections(rows, images, { modelName })];
        const report = { title: `Layer-by-layer t-SNE of ${modelName} on ${what}`, sections };
        const table = layerEmbeddingTable(rows);
        const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
        const metrics = {
          ...source,
          model: opts.model,
          modelKind: model.kind,
          ...(opts.model === "default" ? { arch } : {}),
          n: images.count,
          seed,
          backend: backendInfo().name,
          preprocessing: model.preprocessing ?? null,
          preprocessingText: preprocessing,
          spatial: opts.spatial,
          predictions: predictions.map((p, i) => ({ image: imageFiles?.[shownRows[i] ?? i] ?? shownRows[i], top: p })),
          layers: table,
          grid: sections[2]?.metrics ?? {},
          peakRssMB,
        };
        const npyNames = layerEmbeddingFileNames(rows.map((r) => r.layer));
        const files: OutputFile[] = [
          ...reportFiles(report).map((f): OutputFile => [f.path, f.contents]),
          ["explorer.html", explorerHtml(rows, images, `t-SNE explorer: ${what}, ${modelName}`)],
          ["labels.npy", encodeNpy({ data: images.labels, shape: [images.count], dtype: "int32" })],
          ...rows.map((r, i): OutputFile => [npyNames[i] as string, encodeNpy({ data: r.embedding, shape: [images.count, 2], dtype: "float32" })]),
          ["metrics.json", `${JSON.stringify(metrics, null, 2)}\n`],
        ];
        for (const r of table) log(layerEmbeddingLine(r));
        return { files, json: metrics, summary: `dl embed: ${rows.length} layers (peak RSS ${peakRssMB} MB)` };
      } finally {
        model.dispose();
      }
    });
  });
}
