import * as tf from "@tensorflow/tfjs-core";

import { attentionWeights, createEpisodeSampler, gatherImages, softNearestNeighbourLogProbs, type Episode } from "@dl/metalearn";
import { lineChartSvg, type ImageDataset } from "@dl/tensor-core";

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

/** log₁₀ T from −2 to 3 in steps of 0.2: the slider's range. */
const LOG_TEMPERATURES = Array.from({ length: 26 }, (_, i) => -2 + 0.2 * i);

interface TemperatureCurves {
  oneShot: number[];
  fiveShot: number[];
  /** Mean attention on the nearest support image (1-shot): 1 is one-hot, 0.2 uniform over 5. */
  peak: number[];
}

/** Accuracy of the soft nearest-neighbour classifier over T, averaged over seeded 5-way episodes (5 queries per class). */
function temperatureCurves(test: ImageDataset, episodes: number): TemperatureCurves {
  const d = test.height * test.width * test.channels;
  const curves: TemperatureCurves = { oneShot: LOG_TEMPERATURES.map(() => 0), fiveShot: LOG_TEMPERATURES.map(() => 0), peak: LOG_TEMPERATURES.map(() => 0) };
  for (const shots of [1, 5]) {
    const sampler = createEpisodeSampler(test, { ways: 5, shots, queries: 5, classes: [5, 6, 7, 8, 9], seed: 100 + shots });
    for (let e = 0; e < episodes; e++) {
      const episode = sampler.next();
      tf.tidy(() => {
        const query = tf.tensor2d(gatherImages(test, episode.queryIndices), [episode.queryIndices.length, d]);
        const support = tf.tensor2d(gatherImages(test, episode.supportIndices), [episode.supportIndices.length, d]);
        LOG_TEMPERATURES.forEach((logT, i) => {
          const options = { metric: "euclidean" as const, temperature: 10 ** logT };
          const predicted = tf.argMax(softNearestNeighbourLogProbs(query, support, episode.supportLabels, 5, options), 1).dataSync();
          const correct = episode.queryLabels.reduce((sum, y, q) => sum + (predicted[q] === y ? 1 : 0), 0) / episode.queryLabels.length;
          if (shots === 1) {
            curves.oneShot[i]! += correct / episodes;
            curves.peak[i]! += tf.mean(tf.max(attentionWeights(query, support, options), 1)).dataSync()[0]! / episodes;
          } else curves.fiveShot[i]! += correct / episodes;
        });
      });
    }
  }
  return curves;
}

/** One few-shot episode: support images, queries, and the soft nearest-neighbour attention over the support set. */
export const page: PlaygroundPage = {
  id: "metalearn",
  title: "Few-shot episode",
  mount(root) {
    const status = el("p", { "data-testid": "status" }, "Loading MNIST…");
    const temperature = el("input", { type: "range", min: "-2", max: "3", step: "0.1", value: "0", "data-testid": "temperature" });
    const tLabel = el("span", { class: "metrics" });
    const next = el("button", {}, "New episode");
    const board = el("div", { "data-testid": "episode" });
    const curveChart = el("div", { "data-testid": "temperature-curve" }, "Measuring accuracy over T on 20 episodes per curve…");
    const curveNote = el("p", { class: "muted" });
    root.append(
      el("h2", {}, "Soft nearest neighbours: attention over the support set"),
      el(
        "p",
        {},
        "A 5-way 1-shot episode from the held-out digit classes 5–9, on raw pixels. Each query attends to the support images with softmax(−distance / T); each bar is one support image's attention. Small T puts all attention on the nearest image (1-nearest-neighbour); large T spreads it evenly, forgetting the query. Distances between digits here are about 6–12, so T near 1 shows the trade-off.",
      ),
      status,
      el("label", {}, "log₁₀ temperature "),
      temperature,
      tLabel,
      el("span", {}, " "),
      next,
    );
    const columns = el("div", { class: "row" });
    const curveColumn = el("div");
    curveColumn.append(curveChart, curveNote);
    columns.append(board, curveColumn);
    root.append(columns);
    let curves: TemperatureCurves | undefined;

    const renderCurve = (): void => {
      if (curves === undefined) return;
      const logT = Number(temperature.value);
      curveChart.innerHTML = lineChartSvg(
        [
          { name: "1-shot accuracy", x: LOG_TEMPERATURES, y: curves.oneShot, color: "#3b6fd8" },
          { name: "5-shot accuracy", x: LOG_TEMPERATURES, y: curves.fiveShot, color: "#2ca02c" },
          { name: "attention on nearest (1-shot)", x: LOG_TEMPERATURES, y: curves.peak, color: "#ff7f0e" },
          { name: "this T", x: [logT, logT], y: [0, 1], color: "#888888" },
        ],
        { title: "Soft nearest neighbours over T (20 episodes per curve, classes 5–9)", xLabel: "log₁₀ T", yLabel: "accuracy / attention", width: 480, height: 300, yDomain: [0, 1] },
      );
    };
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
      renderCurve();
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
      // Let the episode paint before the 40-episode sweep.
      await new Promise((resolve) => setTimeout(resolve, 0));
      curves = temperatureCurves(test, 20);
      curveNote.textContent =
        "With one shot per class, the class with the most attention is the nearest image at every T (softmax keeps the order), so 1-shot accuracy is flat: matching networks, prototypes and 1-NN coincide, and T only changes the confidence. With five shots the attention is summed per class, so T matters: small T is 1-NN, large T compares mean distances to each class.";
      curveChart.dataset["oneShot"] = JSON.stringify(curves.oneShot);
      renderCurve();
    })().catch((error: unknown) => {
      status.textContent = `Failed: ${String(error)}`;
    });
    return () => undefined;
  },
};
