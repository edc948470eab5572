import { describe, expect, it } from "vitest";

import type { AccuracySummary } from "../types.js";
import type { FewShotExperimentResult } from "./fewShotExperiment.js";
import { fewShotAccuracyBars, fewShotFigures, fewShotReportSection, type FewShotReportContext } from "./report.js";

const pngSize = (png: Uint8Array): [number, number] => {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
};
const summary = (mean: number, ci95: number): AccuracySummary => ({ mean, ci95, std: 0.1, n: 50 });
const evaluation = (base: number): FewShotExperimentResult["learned"] => ({
  matching: summary(base, 0.01),
  proto: summary(base + 0.01, 0.02),
  knn: summary(base + 0.02, 0.03),
  mahalanobis: summary(base + 0.03, 0.04),
  transductive: summary(base + 0.04, 0.05),
  k: 1,
  episodes: 50,
  episodeAccuracies: { matching: new Float64Array(0), proto: new Float64Array(0), knn: new Float64Array(0), mahalanobis: new Float64Array(0), transductive: new Float64Array(0) },
});

// A 4-way 2-shot result on 6 × 6 images: the example shows 8 support images and one query per class.
function result(training: "pretrain" | "episodic", shots: number): FewShotExperimentResult {
  const ways = 4;
  const attention = new Float32Array(ways * ways * shots).fill(1 / (ways * shots));
  return {
    ways,
    shots,
    queries: 3,
    method: "matching",
    metaTrainClasses: [0, 1, 2, 3, 4],
    metaTestClasses: [5, 6, 7, 8, 9],
    learned: evaluation(0.8),
    pixels: evaluation(0.5),
    training: { embedding: training, steps: 12, generations: 1, ensemble: 1, labelSmoothing: 0, mixupAlpha: 0, head: "linear", cosineScale: 10, warps: [], logistic: false, logisticPenalty: 0.01, seconds: 1, temperature: 2, history: [1, 2, 3].map((step) => ({ step, loss: 1 / step, accuracy: step / 4 })), trainClasses: 5, trainWays: 5, trainImages: 100 },
    example: {
      ways,
      shots,
      supportImages: new Float32Array(ways * shots * 36).fill(0.5),
      queryImages: new Float32Array(ways * 36).fill(1),
      attention,
      queryLabels: Int32Array.from([5, 6, 8, 9]),
      classes: Int32Array.from([5, 6, 8, 9]),
    },
  };
}

const context: FewShotReportContext = { training: "pretrain", classNames: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"], height: 6, width: 6 };

describe("few-shot report", () => {
  it("draws a learned and a pixel bar per evaluated classifier, with its mean and 95 % CI", () => {
    const bars = fewShotAccuracyBars(result("pretrain", 2));
    expect(bars.map((b) => b.label)).toEqual(["matching (learned)", "matching (pixels)", "proto (learned)", "proto (pixels)", "knn (learned)", "knn (pixels)", "mahalanobis (learned)", "mahalanobis (pixels)", "transductive (learned)", "transductive (pixels)"]);
    const values = [0.8, 0.5, 0.81, 0.51, 0.82, 0.52, 0.83, 0.53, 0.84, 0.54];
    const errors = [0.01, 0.01, 0.02, 0.02, 0.03, 0.03, 0.04, 0.04, 0.05, 0.05];
    bars.forEach((b, i) => {
      expect(b.value).toBeCloseTo(values[i] ?? Number.NaN, 12);
      expect(b.error).toBeCloseTo(errors[i] ?? Number.NaN, 12);
      expect(b.color).toBe(i % 2 === 0 ? "#1f77b4" : "#999999");
    });
  });

  it("adds the logistic regression's bar, learned embedding only, when it was measured", () => {
    const base = result("pretrain", 1);
    expect(fewShotAccuracyBars(base).some((b) => b.label.startsWith("logistic"))).toBe(false);
    const withLogistic = { ...base, learned: { ...base.learned, logistic: { mean: 0.72, ci95: 0.007, std: 0.1, n: 600 } } };
    const bars = fewShotAccuracyBars(withLogistic);
    expect(bars).toHaveLength(11);
    expect(bars.at(-1)).toEqual({ label: "logistic (learned)", value: 0.72, error: 0.007, color: "#1f77b4" });
  });

  it("sizes the figures and names the episode's ways by their class names", () => {
    const figures = fewShotFigures(result("pretrain", 2), context);
    // 640 wide; the raster grows below 300 px to hold its turned bar labels.
    const [accuracyWidth, accuracyHeight] = pngSize(figures.accuracyPng);
    expect(accuracyWidth).toBe(640);
    expect(accuracyHeight).toBeGreaterThanOrEqual(300);
    expect(pngSize(figures.curvePng)).toEqual([560, 280]);
    // 8 support + 4 query images of 6 × 6 at scale 2, 8 to a row: two rows.
    const [width, height] = pngSize(figures.episodePng);
    expect(width).toBeGreaterThanOrEqual(8 * 12);
    expect(height).toBeGreaterThanOrEqual(2 * 12);
    expect(height).toBeLessThan(3 * 12);
    for (const name of ["five", "six", "eight", "nine"]) expect(figures.attentionSvg).toContain(name);
    expect(figures.attentionSvg).not.toContain("seven");
    expect(figures.curveSvg).toContain("supervised pretraining on the meta-train classes");
    expect(figures.curveSvg).not.toContain("networks, one after another");
    const four = result("pretrain", 2);
    const twoChainsOfTwo = { ...four, training: { ...four.training, generations: 2, ensemble: 2 } };
    expect(fewShotFigures(twoChainsOfTwo, context).curveSvg).toContain("supervised pretraining on the meta-train classes (4 networks, one after another)");
    expect(fewShotFigures(result("episodic", 2), { ...context, training: "episodic" }).curveSvg).toContain("episodic meta-training");
  });

  it("states chance, the episode count and, for one shot, why three classifiers agree", () => {
    const twoShot = result("pretrain", 2);
    const section = fewShotReportSection(twoShot, context, fewShotFigures(twoShot, context));
    expect(section.text).toBe("Each of 50 test episodes shows 2 labelled image(s) of 4 unseen classes and asks for the class of 3 new images per class. Chance is 25%.");
    expect(section.figures?.map((f) => f.id)).toEqual(["accuracy", "episode", "attention", "training"]);
    expect(section.figures?.[1]?.caption).toContain("classes five, six, eight, nine (episode.png)");
    expect(section.figures?.[3]?.caption).toBe("Supervised pretraining on the meta-train classes (12 batches): loss and accuracy (training-curve.svg, training-curve.png).");
    const oneShot = result("episodic", 1);
    const episodic = { ...context, training: "episodic" as const };
    const text = fewShotReportSection(oneShot, episodic, fewShotFigures(oneShot, episodic)).text ?? "";
    expect(text).toContain("matching, prototypes and 1-NN pick the same class");
    expect(fewShotReportSection(oneShot, episodic, fewShotFigures(oneShot, episodic)).figures?.[3]?.caption).toContain("Episodic meta-training (12 episodes)");
  });
});
