import { trainImageGan } from "@dl/gan";
import { createDefaultModel, imageGrid, trainClassifier } from "@dl/tensor-core";

import { startBackend } from "../backend.js";
import { loadMnistSplit } from "../data.js";
import { el } from "../dom.js";
import type { PlaygroundPage } from "../page.js";

/** A conditional GAN training live on MNIST: one row of samples per label after every epoch. */
export const page: PlaygroundPage = {
  id: "gan-train",
  title: "cGAN live",
  mount(root) {
    const controller = new AbortController();
    const start = el("button", { "data-testid": "cgan-start" }, "Train");
    const epochs = el("input", { type: "number", min: "1", max: "50", value: "8", "data-testid": "cgan-epochs" });
    const status = el("p", { "data-testid": "cgan-status" }, "Press Train: a small classifier is trained first to score the samples.");
    const metrics = el("pre", { class: "metrics", "data-testid": "cgan-metrics" });
    // Hidden until the first epoch's samples: an empty framed canvas reads as a broken picture.
    const canvas = el("canvas", { "data-testid": "cgan-grid", hidden: "" });
    root.append(
      el("h2", {}, "A conditional GAN, training in your browser"),
      el("p", {}, "Generator and discriminator both see the label (Mirza & Osindero): an embedding concatenated into their first layers, plus a projection term in D. Each row of the grid is one digit label; per-label accuracy is our classifier's verdict on 500 conditional samples."),
      el("label", {}, "epochs "),
      epochs,
      el("span", {}, " "),
      start,
      status,
      metrics,
      canvas,
    );

    const draw = (grid: { images: Float32Array; count: number; columns: number; height: number; width: number }): void => {
      const raster = imageGrid(grid.images, grid.count, grid.height, grid.width, { columns: grid.columns, padding: 2, scale: 2 });
      canvas.width = raster.width;
      canvas.height = raster.height;
      canvas.hidden = false;
      canvas.getContext("2d")?.putImageData(new ImageData(new Uint8ClampedArray(raster.data), raster.width, raster.height), 0, 0);
    };

    start.addEventListener("click", () => {
      start.setAttribute("disabled", "");
      void (async () => {
        await startBackend();
        const [train, test] = await Promise.all([loadMnistSplit("train"), loadMnistSplit("test")]);
        status.textContent = "Training the scoring classifier…";
        const classifier = createDefaultModel("mlp", { seed: 11 });
        await trainClassifier(classifier, train, test, { epochs: 2, batchSize: 64, seed: 11, signal: controller.signal });
        status.textContent = "Training the conditional GAN…";
        const result = await trainImageGan({
          train,
          classifier,
          conditional: true,
          arch: "mlp",
          epochs: Number(epochs.value),
          stepsPerEpoch: 100,
          seed: 11,
          signal: controller.signal,
          onEpoch: ({ record, grid }) => {
            draw(grid);
            const accuracy = record.metrics?.["labelAccuracy"] ?? Number.NaN;
            metrics.textContent = `epoch ${record.epoch}  D loss ${record.dLoss.toFixed(3)}  G loss ${record.gLoss.toFixed(3)}  per-label accuracy ${accuracy.toFixed(3)}`;
            metrics.dataset["epoch"] = String(record.epoch);
            metrics.dataset["labelAccuracy"] = String(accuracy);
          },
        });
        status.textContent = `Done: ${result.history.length} epochs in ${result.seconds.toFixed(1)} s.`;
        result.gan.dispose();
        classifier.dispose();
      })().catch((error: unknown) => {
        if (!controller.signal.aborted) status.textContent = `Failed: ${String(error)}`;
      });
    });
    return () => controller.abort();
  },
};
