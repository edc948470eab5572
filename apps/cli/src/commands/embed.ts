import type { Command } from "commander";

import {
  backendInfo,
  encodeNpy,
  initBackend,
  loadDataset,
  loadDefaultModel,
  loadModel,
  parseArch,
  parseDatasetName,
  reportFiles,
  resolveLayerNames,
  sampleDataset,
  type AnyModel,
} from "@dl/tensor-core";
import { explorerHtml, layerEmbeddingSections, layerEmbeddings } from "@dl/interpretability";

import { assertWritableDir, interruptSignal, log, printJson, progressReporter, writeOutputs, type OutputFile } from "../io.js";
import { backendOption, parseInteger, parseNumber, seedOption, type CommonOptions } from "../options.js";

interface EmbedCliOptions extends CommonOptions {
  model: string;
  data: string;
  arch: string;
  layers: string;
  n: number;
  perplexity: number;
  iterations: number;
  out: string;
}

/** `dl embed`: t-SNE of a model's activations, layer by layer, with the cnnembed comparison. */
export function registerEmbedCommand(program: Command): void {
  program
    .command("embed")
    .description("layer-by-layer t-SNE of a model's activations: per-layer purity and pixel overlap, mosaics, optimal grids, an HTML explorer")
    .option("--model <dir|default>", "a saved LayersModel folder, or default (trained once and cached)", "default")
    .requiredOption("--data <name>", "dataset: mnist or fashion-mnist (test split)")
    .option("--arch <name>", "default model architecture: cnn or mlp", "cnn")
    .option("--layers <list>", "all, or comma-separated layer names", "all")
    .option("--n <count>", "test images to embed (stratified sample)", parseInteger("--n", 50), 2000)
    .option("--perplexity <p>", "t-SNE perplexity", parseNumber("--perplexity"), 30)
    .option("--iterations <n>", "t-SNE iterations per layer", parseInteger("--iterations", 1), 750)
    .addOption(seedOption())
    .addOption(backendOption())
    .requiredOption("--out <dir>", "folder for index.html (report), explorer.html, per-layer embeddings and metrics.json")
    .option("--json", "print one JSON document on stdout (one row per layer)")
    .action(async (opts: EmbedCliOptions) => {
      const seed = opts.seed ?? 42;
      const data = parseDatasetName(opts.data);
      const arch = parseArch(opts.arch);
      await assertWritableDir(opts.out);
      await initBackend(opts.backend === undefined ? {} : { backend: opts.backend });
      const test = await loadDataset(data, { split: "test" });
      const images = opts.n < test.count ? sampleDataset(test, opts.n, seed, { stratified: true }) : test;
      const progress = progressReporter("embed");
      const interrupt = interruptSignal();
      let model: AnyModel | undefined;
      try {
        let modelName = opts.model;
        if (opts.model === "default") {
          const loaded = await loadDefaultModel({ data, arch, seed, onProgress: progress.onProgress, signal: interrupt.signal });
          model = loaded.model;
          modelName = `the default ${arch} (test accuracy ${(loaded.testAccuracy * 100).toFixed(1)}%)`;
        } else {
          model = await loadModel(opts.model);
        }
        const layers = resolveLayerNames(model, opts.layers === "all" ? "all" : opts.layers.split(",").map((s) => s.trim()));
        log(`dl embed: ${images.count} ${data} test images, layers ${layers.join(", ")}, backend ${backendInfo().name}`);
        const rows = await layerEmbeddings(model, images, layers, {
          perplexity: opts.perplexity,
          iterations: opts.iterations,
          seed,
          onProgress: progress.onProgress,
          signal: interrupt.signal,
        });
        progress.stop();
        const sections = layerEmbeddingSections(rows, images, { modelName });
        const report = { title: `Layer-by-layer t-SNE of ${modelName} on ${data}`, sections };
        const table = rows.map((r) => ({
          layer: r.layer,
          features: r.features,
          knnAccuracy: r.knnAccuracy,
          featureKnnAccuracy: r.featureKnnAccuracy,
          pixelOverlap: r.pixelOverlap,
          trustworthiness: r.trustworthiness,
          kl: r.kl,
          seconds: r.seconds,
          alignmentRmsd: r.alignmentRmsd,
        }));
        const grid = sections[1]?.metrics ?? {};
        const metrics = { data, model: opts.model, arch, n: images.count, seed, backend: backendInfo().name, layers: table, grid };
        const files: OutputFile[] = [
          ...reportFiles(report).map((f): OutputFile => [f.path, f.contents]),
          ["explorer.html", explorerHtml(rows, images, `t-SNE explorer: ${data}, ${modelName}`)],
          ["labels.npy", encodeNpy({ data: images.labels, shape: [images.count], dtype: "int32" })],
          ...rows.map((r): OutputFile => [`embeddings/${r.layer}.npy`, encodeNpy({ data: r.embedding, shape: [images.count, 2], dtype: "float32" })]),
          ["metrics.json", `${JSON.stringify(metrics, null, 2)}\n`],
        ];
        const written = await writeOutputs(opts.out, files);
        for (const r of table) log(`${r.layer.padEnd(10)} k-NN acc ${r.knnAccuracy.toFixed(3)}  pixel overlap ${r.pixelOverlap.toFixed(3)}  trust ${r.trustworthiness.toFixed(3)}`);
        log(`wrote ${opts.out}`);
        if (opts.json === true) printJson({ ...metrics, out: opts.out, files: written.length });
      } finally {
        progress.stop();
        interrupt.dispose();
        model?.dispose();
      }
    });
}
