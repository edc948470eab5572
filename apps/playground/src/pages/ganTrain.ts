import { generateImages, restoreGenerator, sampleGrid, trainImageGan, type Gan, type GeneratorSnapshot } from "@dl/gan";
import { createDefaultModel, imageGrid, predictClasses, trainClassifier } from "@dl/tensor-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";

import { startBackend } from "../backend.js";
import { loadMnistSplit } from "../data.js";
import { el } from "../dom.js";
import type { PlaygroundPage } from "../page.js";

/** The sample grid is redrawn and scored every this many steps of live training. */
export const LIVE_STEPS_PER_UPDATE = 50;
/** Conditional samples the live classifier scores at each update (balanced labels). */
const LIVE_SCORED_SAMPLES = 200;

/** What `scripts/buildCganCheckpoint.ts` records beside the shipped generator (the fields the page shows). */
interface PretrainedRecord {
  command: string;
  seed: number;
  epochs: number;
  steps: number;
  trainSeconds: number;
  final: { labelAccuracy: number; precision: number; recall: number; frechet: number; frechetRealBaseline: number };
}

type Grid = ReturnType<typeof sampleGrid>;

function drawGrid(canvas: HTMLCanvasElement, grid: Grid): void {
  const raster = imageGrid(grid.images, grid.count, grid.height, grid.width, { columns: grid.columns, padding: 2, scale: 2 });
  canvas.width = raster.width;
  canvas.height = raster.height;
  canvas.hidden = false;
  canvas.getContext("2d")?.putImageData(new ImageData(new Uint8ClampedArray(raster.data), raster.width, raster.height), 0, 0);
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load ${url}: HTTP ${response.status}`);
  return response;
}

/** The cGAN shipped with the playground (public/models/cgan-mnist/), built by scripts/buildCganCheckpoint.ts. */
async function loadPretrained(): Promise<{ gan: Gan; record: PretrainedRecord }> {
  const base = `${import.meta.env.BASE_URL}models/cgan-mnist/`;
  const [snapshot, weights, record] = await Promise.all([
    fetchOk(`${base}generator.json`).then((r) => r.json() as Promise<GeneratorSnapshot>),
    fetchOk(`${base}generator.bin`).then((r) => r.arrayBuffer()),
    fetchOk(`${base}training.json`).then((r) => r.json() as Promise<PretrainedRecord>),
  ]);
  return { gan: restoreGenerator(snapshot, weights), record };
}

/** Share of `count` balanced conditional samples that the classifier reads as the requested label. */
async function sampleAccuracy(gan: Gan, classifier: LayersModel, count: number, seed: number): Promise<number> {
  const { images, labels } = generateImages(gan, count, seed);
  const predicted = await predictClasses(classifier, images, count);
  let hits = 0;
  labels?.forEach((l, i) => {
    if (predicted[i] === l) hits += 1;
  });
  return hits / count;
}

/**
 * A conditional GAN on MNIST: the pretrained one shipped with the playground, drawn at once, and a new
 * one training live beside it, its grid redrawn and scored every LIVE_STEPS_PER_UPDATE steps.
 */
export const page: PlaygroundPage = {
  id: "gan-train",
  title: "cGAN live",
  mount(root) {
    const controller = new AbortController();
    let pretrained: Gan | undefined;
    const start = el("button", { "data-testid": "cgan-start" }, "Train");
    const steps = el("input", { type: "number", min: String(LIVE_STEPS_PER_UPDATE), max: "20000", step: String(LIVE_STEPS_PER_UPDATE), value: "1000", "data-testid": "cgan-steps" });
    const status = el("p", { "data-testid": "cgan-status" }, "Press Train: a small classifier is trained first (about 15 s) to score the samples, then the cGAN trains from scratch.");
    const metrics = el("pre", { class: "metrics", "data-testid": "cgan-metrics" });
    // Hidden until drawn: an empty framed canvas reads as a broken picture.
    const canvas = el("canvas", { "data-testid": "cgan-grid", hidden: "" });
    const pretrainedStatus = el("p", { "data-testid": "cgan-pretrained-status" }, "Loading the pretrained generator…");
    const pretrainedMetrics = el("pre", { class: "metrics", "data-testid": "cgan-pretrained-metrics" });
    const pretrainedCanvas = el("canvas", { "data-testid": "cgan-pretrained-grid", hidden: "" });
    // Side by side on a laptop screen: each grid shrinks to its half (pixelated, see style.css).
    for (const c of [canvas, pretrainedCanvas]) c.style.width = "min(100%, 582px)";
    for (const m of [metrics, pretrainedMetrics]) m.style.whiteSpace = "pre-wrap";
    const panel = { style: "flex: 1 1 0; min-width: 280px" };

    const left = el("div", { "data-testid": "cgan-pretrained", ...panel });
    left.append(el("h3", {}, "Pretrained (shipped with the playground)"), pretrainedStatus, pretrainedCanvas, pretrainedMetrics);
    const right = el("div", { "data-testid": "cgan-live", ...panel });
    right.append(el("h3", {}, "Training live in your browser"), el("label", {}, "steps "), steps, el("span", {}, " "), start, status, canvas, metrics);
    const panels = el("div", { class: "row" });
    panels.append(left, right);
    root.append(
      el("h2", {}, "A conditional GAN on MNIST"),
      el(
        "p",
        {},
        `Generator and discriminator both see the label (Mirza & Osindero): an embedding concatenated into their first layers, plus a projection term in D. Each row of a grid is one digit label, ten noise vectors per row. Left: a cGAN trained with @dl/gan's default recipe by the repository's build script and shipped as a static file. Right: the same recipe training from scratch here; its grid is redrawn every ${LIVE_STEPS_PER_UPDATE} steps and scored by a classifier trained in the page.`,
      ),
      panels,
    );

    void (async () => {
      await startBackend();
      const loaded = await loadPretrained();
      if (controller.signal.aborted) {
        loaded.gan.dispose();
        return;
      }
      pretrained = loaded.gan;
      drawGrid(pretrainedCanvas, sampleGrid(loaded.gan));
      const { record } = loaded;
      const f = record.final;
      pretrainedStatus.textContent = `${record.steps} steps (${record.epochs} epochs, seed ${record.seed}), trained in ${record.trainSeconds.toFixed(0)} s by: ${record.command}`;
      pretrainedMetrics.textContent = `at build time: classifier accuracy of its samples ${f.labelAccuracy.toFixed(3)}, precision ${f.precision.toFixed(3)}, recall ${f.recall.toFixed(3)}, Fréchet ${f.frechet.toFixed(2)} (real vs real ${f.frechetRealBaseline.toFixed(2)})`;
      pretrainedCanvas.dataset["steps"] = String(record.steps);
      pretrainedMetrics.dataset["labelAccuracy"] = String(f.labelAccuracy);
    })().catch((error: unknown) => {
      if (!controller.signal.aborted) pretrainedStatus.textContent = `Failed: ${String(error)}`;
    });

    start.addEventListener("click", () => {
      start.setAttribute("disabled", "");
      void (async () => {
        const clicked = performance.now();
        await startBackend();
        const [train, test] = await Promise.all([loadMnistSplit("train"), loadMnistSplit("test")]);
        status.textContent = "Training the scoring classifier…";
        const classifier = createDefaultModel("mlp", { seed: 11 });
        try {
          await trainClassifier(classifier, train, test, { epochs: 2, batchSize: 64, seed: 11, signal: controller.signal });
          // The shipped generator, scored by this page's own classifier: an independent check of the file.
          if (pretrained !== undefined) {
            const accuracy = await sampleAccuracy(pretrained, classifier, 500, 3);
            pretrainedMetrics.dataset["pageAccuracy"] = String(accuracy);
            pretrainedMetrics.textContent += `\nthis page's classifier reads ${(100 * accuracy).toFixed(1)} % of 500 samples as the requested digit`;
          }
          status.textContent = "Training the conditional GAN…";
          const total = Math.max(LIVE_STEPS_PER_UPDATE, Math.round(Number(steps.value) / LIVE_STEPS_PER_UPDATE) * LIVE_STEPS_PER_UPDATE);
          const ganStarted = performance.now();
          const result = await trainImageGan({
            train,
            classifier,
            conditional: true,
            // An "epoch" here is one update of the page: the default recipe, shown every LIVE_STEPS_PER_UPDATE steps.
            epochs: total / LIVE_STEPS_PER_UPDATE,
            stepsPerEpoch: LIVE_STEPS_PER_UPDATE,
            epochSamples: LIVE_SCORED_SAMPLES,
            seed: 11,
            signal: controller.signal,
            onEpoch: ({ record, grid }, g) => {
              drawGrid(canvas, grid);
              const accuracy = record.metrics?.["labelAccuracy"] ?? Number.NaN;
              const seconds = (performance.now() - ganStarted) / 1000;
              const sinceClick = (performance.now() - clicked) / 1000;
              metrics.textContent = `step ${g.step} of ${total} · ${seconds.toFixed(0)} s of cGAN training (${sinceClick.toFixed(0)} s since Train) · D loss ${record.dLoss.toFixed(3)} · G loss ${record.gLoss.toFixed(3)} · classifier accuracy of ${LIVE_SCORED_SAMPLES} samples ${accuracy.toFixed(3)}`;
              metrics.dataset["step"] = String(g.step);
              metrics.dataset["seconds"] = seconds.toFixed(1);
              metrics.dataset["secondsSinceClick"] = sinceClick.toFixed(1);
              metrics.dataset["labelAccuracy"] = String(accuracy);
            },
          });
          status.textContent = `Done: ${result.gan.step} steps in ${result.seconds.toFixed(1)} s.`;
          result.gan.dispose();
        } finally {
          classifier.dispose();
        }
      })().catch((error: unknown) => {
        if (!controller.signal.aborted) status.textContent = `Failed: ${String(error)}`;
      });
    });
    return () => {
      controller.abort();
      pretrained?.dispose();
      pretrained = undefined;
    };
  },
};
