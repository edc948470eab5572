import {
  BUILTIN_CONCEPTS,
  BUILTIN_CONCEPT_DESCRIPTIONS,
  nullHistogramBars,
  prepareTcavInputs,
  runTcav,
  type TcavRow,
} from "@dl/interpretability";
import {
  PREPROCESS_PRESETS,
  barChartSvg,
  createDefaultModel,
  imageFolderFromFiles,
  loadModelFromFiles,
  resolveLayerNames,
  suggestLayers,
  trainClassifier,
  type ImageDataset,
} from "@dl/tensor-core";
import type * as tfl from "@tensorflow/tfjs-layers";

import { startBackend } from "../backend.js";
import { loadMnistSplit } from "../data.js";
import { el } from "../dom.js";
import type { PlaygroundPage } from "../page.js";

function select(id: string, options: readonly string[], selected: string): HTMLSelectElement {
  const s = el("select", { "data-testid": id });
  for (const o of options) {
    const opt = el("option", { value: o }, o);
    if (o === selected) opt.selected = true;
    s.append(opt);
  }
  return s;
}

function describeRow(row: TcavRow): string {
  return [
    `TCAV score ${row.score.toFixed(3)} (runs: ${row.scores.map((s) => s.toFixed(2)).join(", ")})`,
    `random concepts: ${row.nullMean.toFixed(3)} ± ${row.nullStd.toFixed(3)}`,
    `p randomization ${row.pValues.randomization.toPrecision(3)} · paper ${row.pValues.paper.toPrecision(3)} · Welch ${row.pValues.welch.toPrecision(3)}`,
    `${row.significant ? "significant" : "not significant"} at α = 0.05 · CAV accuracy ${row.cavAccuracy.toFixed(3)}`,
  ].join("\n");
}

/** Why the p-value can be small while many random concepts share the concept's bin: ties, and the +1 correction. */
function explainTies(row: TcavRow, bins: number, targets: number): string {
  const n = row.nullScores.length;
  const binOf = (v: number): number => Math.min(bins - 1, Math.max(0, Math.floor(v * bins)));
  const inBin = row.nullScores.filter((v) => binOf(v) === binOf(row.score)).length;
  const tied = row.nullScores.filter((v) => v === row.score).length;
  const above = row.nullScores.filter((v) => v > row.score).length;
  // p = (1 + random concepts at least as extreme) / (1 + n) after the tie-break.
  const asExtreme = Math.round(row.pValues.randomization * (n + 1)) - 1;
  return [
    `${inBin} of ${n} random concepts fall in the concept's bin, but a bin is ${1 / bins} wide: what counts is how many score at least as high.`,
    `${above} score higher and ${tied} tie exactly (${row.score.toFixed(3)}; scores are shares of ${targets} images, so ties are common, especially at 0 or 1).`,
    `Ties are ordered by the mean directional derivative (how fast the class logit grows along the CAV): after that, ${asExtreme} of ${n} are at least as extreme, so p = (1 + ${asExtreme}) / (1 + ${n}) = ${row.pValues.randomization.toPrecision(3)}${asExtreme === 0 ? `, the smallest p that ${n} random concepts allow` : ""}.`,
  ].join(" ");
}

/** TCAV in the browser: pick a concept, a layer and a class, see the score against random concepts. */
export const page: PlaygroundPage = {
  id: "tcav",
  title: "TCAV",
  mount(root) {
    const controller = new AbortController();
    const status = el("p", { "data-testid": "tcav-status" }, "Loading MNIST…");
    const concept = select("tcav-concept", BUILTIN_CONCEPTS, "loops");
    const layer = select("tcav-layer", ["dense1", "dense2"], "dense2");
    const target = select("tcav-target", Array.from({ length: 10 }, (_, i) => String(i)), "0");
    const button = el("button", { "data-testid": "tcav-run", disabled: "" }, "Run TCAV");
    const description = el("p", { class: "muted" }, BUILTIN_CONCEPT_DESCRIPTIONS.loops);
    const chart = el("div", { "data-testid": "tcav-chart" });
    const result = el("pre", { class: "metrics", "data-testid": "tcav-result" });
    const ties = el("p", { class: "muted wide", "data-testid": "tcav-ties" });
    concept.addEventListener("change", () => {
      description.textContent = BUILTIN_CONCEPT_DESCRIPTIONS[concept.value as (typeof BUILTIN_CONCEPTS)[number]];
    });
    root.append(
      el("h2", {}, "TCAV: does a concept drive a class?"),
      el("p", {}, "A small MLP is trained on MNIST in your browser; TCAV then compares the concept's score with 40 concepts made of random digits (the null distribution)."),
      status,
    );
    const controls = el("div", { class: "row" });
    controls.append(el("label", {}, "concept "), concept, el("label", {}, " layer "), layer, el("label", {}, " class "), target, button);
    root.append(controls, description, chart, result, ties);

    // Your model and your images: the same test on a model and folders picked from disk.
    const picker = (id: string, folder: boolean): HTMLInputElement => el("input", { type: "file", multiple: "", ...(folder ? { webkitdirectory: "" } : {}), "data-testid": id });
    const ownModel = picker("own-model-files", false);
    const ownTarget = picker("own-target", true);
    const ownConcept = picker("own-concept", true);
    const ownRandom = picker("own-random", true);
    const ownClass = el("input", { type: "number", min: "0", value: "0", "data-testid": "own-class" });
    const ownLayer = el("input", { type: "text", placeholder: "layer or glob (default: one spread over depth)", "data-testid": "own-layer" });
    const ownPreprocess = select("own-preprocess", PREPROCESS_PRESETS, "unit");
    const ownRun = el("button", { "data-testid": "own-run" }, "Run TCAV on my model");
    const own = el("fieldset", {});
    own.append(
      el("legend", {}, "Your model, your images"),
      el("p", {}, "Pick a tfjs model (model.json and its weight files), a folder of images of the class to explain, a folder of concept images and a folder of random images (PNG/JPEG). Images are resized to the model's input; the logit is read before a final softmax. Nothing leaves the browser."),
      el("label", {}, "model files "),
      ownModel,
      el("label", {}, " class images "),
      ownTarget,
      el("label", {}, " concept "),
      ownConcept,
      el("label", {}, " random images "),
      ownRandom,
      el("br", {}),
      el("label", {}, "class index "),
      ownClass,
      el("label", {}, " layer "),
      ownLayer,
      el("label", {}, " preprocessing "),
      ownPreprocess,
      ownRun,
    );
    root.append(own);

    let model: tfl.LayersModel | undefined;
    let data: { train: ImageDataset; test: ImageDataset } | undefined;

    async function run(): Promise<void> {
      if (model === undefined || data === undefined) return;
      button.disabled = true;
      status.textContent = "Training CAVs…";
      const nullDraws = 40;
      const randomRuns = 2;
      const inputs = prepareTcavInputs(data, { target: Number(target.value), concepts: [concept.value], nullDraws, randomRuns, targetCount: 50, seed: 1 });
      const out = await runTcav(model, {
        target: Number(target.value),
        ...inputs,
        layers: [layer.value],
        nullDraws,
        randomRuns,
        correction: "none",
        seed: 1,
        signal: controller.signal,
        onProgress: (e) => {
          status.textContent = `${e.phase} ${e.step}/${e.total ?? "?"}`;
        },
      });
      const row = out.rows[0];
      if (row === undefined) return;
      show(row, out.seconds, out.settings.targetCount);
      button.disabled = false;
    }

    function show(row: TcavRow, seconds: number, targets: number): void {
      const bars = nullHistogramBars(row, 10).map((b) => (b.mark === undefined ? b : { ...b, mark: `${row.concept} ${row.score.toFixed(2)}` }));
      chart.innerHTML = barChartSvg(bars, {
        title: `Null: ${row.nullScores.length} random concepts per score bin (class ${row.target}, ${row.layer})`,
        xLabel: `mean TCAV score (blue: the bin of "${row.concept}")`,
        yLabel: "random concepts",
        width: 720,
        height: 280,
      });
      result.textContent = describeRow(row);
      ties.textContent = explainTies(row, 10, targets);
      result.dataset["score"] = String(row.score);
      status.textContent = `Done in ${seconds.toFixed(1)} s.`;
    }

    async function runOwn(): Promise<void> {
      ownRun.disabled = true;
      status.dataset["own"] = "running";
      status.textContent = "Loading your model…";
      const files = Array.from(ownModel.files ?? []);
      const own = await loadModelFromFiles(files, { preprocessing: ownPreprocess.value });
      const channels = own.inputShape[2] === 1 ? 1 : 3;
      const size: [number, number] = [own.inputShape[0] ?? 224, own.inputShape[1] ?? 224];
      try {
        status.textContent = "Decoding your images…";
        const read = (input: HTMLInputElement): ReturnType<typeof imageFolderFromFiles> => imageFolderFromFiles(Array.from(input.files ?? []), { size, channels, signal: controller.signal });
        const [targetImages, conceptImages, randomPool] = [await read(ownTarget), await read(ownConcept), await read(ownRandom)];
        const layers = ownLayer.value.trim() === "" ? suggestLayers(own).filter((l) => own.gradientLayers.includes(l)).slice(-1) : resolveLayerNames(own, [ownLayer.value.trim()]).slice(0, 1);
        const setSize = Math.min(20, conceptImages.count);
        const nullDraws = Math.min(40, Math.floor(randomPool.count / setSize) - 2);
        const out = await runTcav(own, {
          target: Number(ownClass.value),
          targetImages,
          concepts: [conceptImages],
          randomPool,
          layers,
          nullDraws,
          randomRuns: 2,
          setSize,
          correction: "none",
          seed: 1,
          signal: controller.signal,
          onProgress: (e) => {
            status.textContent = `${e.phase} ${e.step}/${e.total ?? "?"}`;
          },
        });
        const row = out.rows[0];
        if (row !== undefined) show(row, out.seconds, out.settings.targetCount);
        status.textContent = `Your model: ${out.layers.join(", ")}, ${nullDraws} random concepts, done in ${out.seconds.toFixed(1)} s.`;
        status.dataset["own"] = "done";
      } finally {
        own.dispose();
        ownRun.disabled = false;
      }
    }

    ownRun.addEventListener("click", () => {
      runOwn().catch((error: unknown) => {
        if (!controller.signal.aborted) status.textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
        ownRun.disabled = false;
      });
    });

    button.addEventListener("click", () => {
      run().catch((error: unknown) => {
        if (!controller.signal.aborted) status.textContent = `Failed: ${String(error)}`;
        button.disabled = false;
      });
    });

    void (async () => {
      const info = await startBackend();
      const [train, test] = await Promise.all([loadMnistSplit("train"), loadMnistSplit("test")]);
      data = { train, test };
      // The status line belongs to a run on the user's own model once one has started.
      const say = (text: string): void => {
        if (status.dataset["own"] === undefined) status.textContent = text;
      };
      say(`Training a small MLP on ${data.train.count} digits (${info.name})…`);
      model = createDefaultModel("mlp", { seed: 7 });
      await trainClassifier(model, data.train, data.test, { epochs: 2, batchSize: 64, seed: 7, signal: controller.signal });
      say("Model ready: pick a concept, a layer and a class.");
      button.disabled = false;
    })().catch((error: unknown) => {
      if (!controller.signal.aborted) status.textContent = `Failed: ${String(error)}`;
    });
    return () => {
      controller.abort();
      model?.dispose();
    };
  },
};
