import * as tf from "@tensorflow/tfjs-core";

import { attentionWeights, createEpisodeSampler, gatherImages, type Episode } from "@dl/metalearn";
import type { ImageDataset } from "@dl/tensor-core";

import { startBackend } from "../backend.js";
import { loadMnistSplit } from "../data.js";
import { el } from "../dom.js";
import type { PlaygroundPage } from "../page.js";

function digitCanvas(images: Float32Array, index: number, size = 28, scale = 2): HTMLCanvasElement {
  const canvas = el("canvas", { width: String(size * scale), height: String(size * scale) });
  const tile = new ImageData(size, size);
  for (let p = 0; p < size * size; p++) {
    const v = 255 - Math.round((images[index * size * size + p] ?? 0) * 255);
    tile.data.set([v, v, v, 255], p * 4);
  }
  const small = el("canvas", { width: String(size), height: String(size) });
  small.getContext("2d")?.putImageData(tile, 0, 0);
  const ctx = canvas.getContext("2d");
  if (ctx !== null) {
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, size * scale, size * scale);
  }
  return canvas;
}

/** One few-shot episode: support images, queries, and the soft nearest-neighbour attention over the support set. */
export const page: PlaygroundPage = {
  id: "metalearn",
  title: "Few-shot episode",
  mount(root) {
    const status = el("p", { "data-testid": "status" }, "Loading MNIST…");
    const temperature = el("input", { type: "range", min: "-2", max: "3", step: "0.1", value: "1", "data-testid": "temperature" });
    const tLabel = el("span", { class: "metrics" });
    const next = el("button", {}, "New episode");
    const board = el("div", { "data-testid": "episode" });
    root.append(
      el("h2", {}, "Soft nearest neighbours: attention over the support set"),
      el("p", {}, "A 5-way 1-shot episode from the held-out digit classes 5–9, on raw pixels. Each query attends to the support images with softmax(−distance / T). Small T is 1-nearest-neighbour; large T forgets the query and returns the class frequencies."),
      status,
      el("label", {}, "log₁₀ temperature "),
      temperature,
      tLabel,
      el("span", {}, " "),
      next,
      board,
    );
    let test: ImageDataset | undefined;
    let episode: Episode | undefined;
    let sampler: ReturnType<typeof createEpisodeSampler> | undefined;

    const render = (): void => {
      if (test === undefined || episode === undefined) return;
      const t = 10 ** Number(temperature.value);
      tLabel.textContent = ` T = ${t.toPrecision(3)}`;
      const support = gatherImages(test, episode.supportIndices);
      const query = gatherImages(test, episode.queryIndices);
      const d = test.height * test.width * test.channels;
      const weights = tf.tidy(() =>
        attentionWeights(tf.tensor2d(query, [episode!.queryIndices.length, d]), tf.tensor2d(support, [episode!.supportIndices.length, d]), {
          metric: "euclidean",
          temperature: t,
        }).arraySync(),
      );
      board.replaceChildren();
      const header = el("div", { class: "row" });
      header.append(el("strong", {}, "support:"));
      episode.supportIndices.forEach((_, s) => header.append(digitCanvas(support, s)));
      board.append(header);
      let correct = 0;
      weights.forEach((row, q) => {
        const line = el("div", { class: "row", "data-testid": "query" });
        line.append(digitCanvas(query, q));
        let best = 0;
        row.forEach((w, s) => {
          if (w > (row[best] ?? 0)) best = s;
          const bar = el("div", { title: `attention ${w.toFixed(3)}` });
          bar.style.cssText = `width:56px;height:56px;display:flex;align-items:flex-end;background:#eef1f5`;
          const fill = el("div");
          fill.style.cssText = `width:100%;height:${Math.round(w * 56)}px;background:#3b6fd8`;
          bar.append(fill);
          line.append(bar);
        });
        line.dataset["maxWeight"] = String(row[best] ?? 0);
        const ok = episode!.supportLabels[best] === episode!.queryLabels[q];
        if (ok) correct++;
        line.append(el("span", { class: "metrics" }, ok ? "✓" : "✗"));
        board.append(line);
      });
      status.textContent = `Episode accuracy: ${correct}/${weights.length}`;
      status.dataset["accuracy"] = String(correct / weights.length);
    };

    temperature.addEventListener("input", render);
    next.addEventListener("click", () => {
      episode = sampler?.next();
      render();
    });
    void (async () => {
      await startBackend();
      test = await loadMnistSplit("test");
      sampler = createEpisodeSampler(test, { ways: 5, shots: 1, queries: 2, classes: [5, 6, 7, 8, 9], seed: 1 });
      episode = sampler.next();
      render();
    })().catch((error: unknown) => {
      status.textContent = `Failed: ${String(error)}`;
    });
    return () => undefined;
  },
};
