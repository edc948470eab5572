import { createDefaultModel, predictClasses, sampleDataset, trainClassifier, type ImageDataset } from "@dl/tensor-core";

import { startBackend } from "../backend.js";
import { loadMnistSplit } from "../data.js";
import { el } from "../dom.js";
import type { PlaygroundPage } from "../page.js";

/** Draws digits with their predicted labels (red when wrong). */
function drawPredictions(canvas: HTMLCanvasElement, ds: ImageDataset, predicted: Int32Array, columns: number): void {
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const cell = 28;
  const scale = 2;
  const rows = Math.ceil(ds.count / columns);
  canvas.width = columns * (cell + 14) * scale;
  canvas.height = rows * (cell + 14) * scale;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const image = ctx.createImageData(cell, cell);
  for (let i = 0; i < ds.count; i++) {
    for (let p = 0; p < cell * cell; p++) {
      const v = 255 - Math.round((ds.images[i * cell * cell + p] ?? 0) * 255);
      image.data[p * 4] = v;
      image.data[p * 4 + 1] = v;
      image.data[p * 4 + 2] = v;
      image.data[p * 4 + 3] = 255;
    }
    const x = (i % columns) * (cell + 14) * scale;
    const y = Math.floor(i / columns) * (cell + 14) * scale;
    const tile = document.createElement("canvas");
    tile.width = cell;
    tile.height = cell;
    tile.getContext("2d")?.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tile, x, y, cell * scale, cell * scale);
    const ok = predicted[i] === ds.labels[i];
    ctx.fillStyle = ok ? "#1a7f37" : "#cf222e";
    ctx.font = `${10 * scale}px monospace`;
    ctx.fillText(String(predicted[i]), x + cell * scale + 2, y + 12 * scale);
  }
}

export const page: PlaygroundPage = {
  id: "foundation",
  title: "Train MNIST",
  mount(root) {
    const controller = new AbortController();
    const status = el("p", { "data-testid": "status" }, "Loading MNIST…");
    const metrics = el("pre", { class: "metrics", "data-testid": "metrics" });
    const accuracy = el("p", { "data-testid": "accuracy" }, "test accuracy: —");
    // Hidden until drawn: an empty framed canvas reads as a broken picture.
    const canvas = el("canvas", { "data-testid": "predictions", hidden: "" });
    const caption = el("p", { class: "muted wide", hidden: "" }, "40 test digits drawn at random, each with the trained model's prediction beside it: green when right, red when wrong.");
    root.append(
      el("h2", {}, "Train an MNIST classifier in your browser"),
      el("p", {}, "The default dl-lab MLP, trained live on the embedded MNIST digits with the backend shown above."),
      status,
      accuracy,
      el("div", { class: "row" }, undefined),
      metrics,
      canvas,
      caption,
    );

    void (async () => {
      const info = await startBackend();
      const [train, test] = await Promise.all([loadMnistSplit("train"), loadMnistSplit("test")]);
      status.textContent = `Training on ${train.count} digits (${info.name})…`;
      const model = createDefaultModel("mlp", { seed: 7 });
      const result = await trainClassifier(model, train, test, {
        epochs: 3,
        batchSize: 64,
        seed: 7,
        signal: controller.signal,
        onProgress: (event) => {
          const m = Object.entries(event.metrics ?? {})
            .map(([k, v]) => `${k}=${v.toFixed(4)}`)
            .join("  ");
          metrics.textContent = `${event.phase} ${event.step}/${event.total ?? "?"}  ${m}`;
          const acc = event.metrics?.["testAccuracy"];
          if (acc !== undefined) accuracy.textContent = `test accuracy: ${acc.toFixed(4)}`;
        },
      });
      accuracy.textContent = `test accuracy: ${result.testAccuracy.toFixed(4)}`;
      accuracy.dataset["value"] = String(result.testAccuracy);
      status.textContent = `Done in ${result.seconds.toFixed(1)} s on ${info.name}.`;
      const shown = sampleDataset(test, 40, 3);
      drawPredictions(canvas, shown, await predictClasses(model, shown.images, shown.count), 10);
      canvas.hidden = false;
      caption.hidden = false;
      model.dispose();
    })().catch((error: unknown) => {
      if (!controller.signal.aborted) status.textContent = `Failed: ${String(error)}`;
    });
    return () => controller.abort();
  },
};
