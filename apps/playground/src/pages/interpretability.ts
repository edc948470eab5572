import { layerEmbeddings, pointMosaic, type LayerEmbedding } from "@dl/interpretability";
import {
  PREPROCESS_PRESETS,
  createDefaultModel,
  imageFolderFromFiles,
  labelColor,
  loadModelFromFiles,
  sampleDataset,
  suggestLayers,
  topPredictions,
  trainClassifier,
  type ImageDataset,
} from "@dl/tensor-core";

import { startBackend } from "../backend.js";
import { loadMnistSplit } from "../data.js";
import { el } from "../dom.js";
import type { PlaygroundPage } from "../page.js";

/** Embedding explorer: t-SNE of each layer's activations, images drawn at their points, a slider over depth. */
export const page: PlaygroundPage = {
  id: "interpretability",
  title: "Embeddings by layer",
  mount(root) {
    const controller = new AbortController();
    const status = el("p", { "data-testid": "status" }, "Loading MNIST…");
    const slider = el("input", { type: "range", min: "0", max: "0", value: "0", disabled: "", "data-testid": "layer-slider" });
    const layerLabel = el("strong", { "data-testid": "layer" }, "—");
    const metrics = el("p", { class: "metrics", "data-testid": "layer-metrics" });
    // Hidden until the first layer's mosaic: an empty framed canvas reads as a broken picture.
    const canvas = el("canvas", { width: "640", height: "640", "data-testid": "mosaic", hidden: "" });
    const legend = el("p", { class: "muted wide", "data-testid": "mosaic-legend" });
    const table = el("table", { "data-testid": "layer-table" });
    const modelFiles = el("input", { type: "file", multiple: "", accept: ".json,.bin,application/octet-stream", "data-testid": "model-files" });
    const imageFiles = el("input", { type: "file", multiple: "", webkitdirectory: "", "data-testid": "image-files" });
    const preprocess = el("select", { "data-testid": "preprocess" });
    for (const p of PREPROCESS_PRESETS) preprocess.append(el("option", { value: p }, p));
    const run = el("button", { "data-testid": "run-own" }, "Embed my images");
    const predictions = el("p", { class: "metrics", "data-testid": "predictions" });
    const own = el(
      "fieldset",
      {},
      undefined,
    );
    own.append(
      el("legend", {}, "Your model, your images"),
      el("p", {}, "Pick a tfjs model (model.json with its weight files; a LayersModel or a converted GraphModel) and a folder of PNG/JPEG images, or of sub-folders named by label. The images are resized to the model's input, preprocessed as chosen, and four layers spread over its depth are embedded. Nothing leaves the browser."),
      el("label", {}, "model files "),
      modelFiles,
      el("label", {}, " image folder "),
      imageFiles,
      el("label", {}, " preprocessing "),
      preprocess,
      run,
      predictions,
    );
    root.append(
      el("h2", {}, "What each layer sees: t-SNE of activations, layer by layer"),
      el("p", {}, "A small MLP is trained in the page, then the activations of 600 test digits at every layer are embedded with t-SNE, each layer initialised from the previous one and aligned by Procrustes. Slide through depth: classes separate while pixel-space neighbours drift apart."),
      status,
      el("p", {}, undefined),
      slider,
      layerLabel,
      metrics,
      el("div", { class: "row" }, undefined),
      canvas,
      legend,
      table,
      own,
    );
    let rows: LayerEmbedding[] = [];
    let shown: ImageDataset | undefined;

    const draw = (index: number): void => {
      const row = rows[index];
      if (row === undefined || shown === undefined) return;
      layerLabel.textContent = `${row.layer} (${row.features} features)`;
      metrics.textContent = `kNN accuracy ${row.knnAccuracy.toFixed(3)} · pixel-neighbour overlap ${row.pixelOverlap.toFixed(3)} · trustworthiness ${row.trustworthiness.toFixed(3)} · KL ${row.kl.toFixed(3)}`;
      const mosaic = pointMosaic(row.embedding, shown, 640);
      canvas.width = mosaic.width;
      canvas.height = mosaic.height;
      canvas.hidden = false;
      canvas.getContext("2d")?.putImageData(new ImageData(new Uint8ClampedArray(mosaic.data), mosaic.width, mosaic.height), 0, 0);
      // The tint of each image is its class: say which colour is which.
      const present = [...new Set(shown.labels)].sort((a, b) => a - b);
      legend.replaceChildren(
        "Each image sits at its point, tinted by its class: ",
        ...present.flatMap((label) => [el("span", { style: `color: ${labelColor(label)}; font-weight: 600` }, `■ ${shown?.classNames[label] ?? String(label)}`), " "]),
      );
    };
    slider.addEventListener("input", () => draw(Number(slider.value)));
    const showRows = (what: string): void => {
      table.innerHTML = `<tr><th>layer</th><th>kNN accuracy</th><th>pixel overlap</th><th>trustworthiness</th></tr>${rows
        .map((r) => `<tr><td>${r.layer}</td><td>${r.knnAccuracy.toFixed(3)}</td><td>${r.pixelOverlap.toFixed(3)}</td><td>${r.trustworthiness.toFixed(3)}</td></tr>`)
        .join("")}`;
      slider.max = String(rows.length - 1);
      slider.removeAttribute("disabled");
      slider.value = String(rows.length - 1);
      draw(rows.length - 1);
      status.textContent = what;
      status.dataset["done"] = "true";
    };

    run.addEventListener("click", () => {
      void (async () => {
        delete status.dataset["done"];
        status.textContent = "Loading your model…";
        const files = Array.from(modelFiles.files ?? []);
        const pictures = Array.from(imageFiles.files ?? []);
        const model = await loadModelFromFiles(files, { preprocessing: preprocess.value });
        const channels = model.inputShape[2] === 1 ? 1 : 3;
        const [h, w] = [model.inputShape[0] ?? 224, model.inputShape[1] ?? 224];
        status.textContent = `Decoding ${pictures.length} images…`;
        const folder = await imageFolderFromFiles(pictures, { size: [h, w], channels, maxImages: 600, signal: controller.signal });
        const side = Math.min(32, h);
        shown = folder.toDataset({ size: [side, Math.max(1, Math.round((side * w) / h))] });
        const top = await topPredictions(model, folder, { count: 4, k: 3 });
        predictions.textContent = `Top predictions of the first images: ${top.map((p) => p.map((q) => `${q.label} ${q.probability.toFixed(2)}`).join(" / ")).join(" · ")}`;
        const layers = suggestLayers(model);
        status.textContent = `Embedding ${layers.join(", ")}…`;
        rows = await layerEmbeddings(model, shown, layers, {
          iterations: 500,
          seed: 5,
          modelInput: folder,
          perplexity: Math.min(30, Math.floor((folder.count - 1) / 3)),
          signal: controller.signal,
          onProgress: (event) => {
            status.textContent = `t-SNE: ${event.phase} ${event.step}/${event.total ?? "?"}`;
          },
        });
        model.dispose();
        showRows(`Embedded ${rows.length} layers of your ${folder.count} images (${folder.classNames.length} labels). ${folder.notes.join(" ")}`);
      })().catch((error: unknown) => {
        if (!controller.signal.aborted) status.textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
      });
    });

    void (async () => {
      await startBackend();
      const [train, test] = await Promise.all([loadMnistSplit("train"), loadMnistSplit("test")]);
      status.textContent = "Training the MLP (2 epochs)…";
      const model = createDefaultModel("mlp", { seed: 3 });
      await trainClassifier(model, train, test, { epochs: 2, batchSize: 64, seed: 3, signal: controller.signal });
      shown = sampleDataset(test, 600, 5, { stratified: true });
      status.textContent = "Embedding each layer with t-SNE…";
      rows = await layerEmbeddings(model, shown, "all", {
        iterations: 500,
        seed: 5,
        signal: controller.signal,
        onProgress: (event) => {
          status.textContent = `t-SNE: ${event.phase} ${event.step}/${event.total ?? "?"}`;
        },
      });
      model.dispose();
      showRows(`Embedded ${rows.length} layers of ${shown.count} digits.`);
    })().catch((error: unknown) => {
      if (!controller.signal.aborted) status.textContent = `Failed: ${String(error)}`;
    });
    return () => controller.abort();
  },
};
