import { describe, expect, it } from "vitest";

import type { GanEpochRecord } from "./gan.js";
import { ganLossSeries, ganQualitySeries, labelAccuracyBars } from "./report.js";

const record = (epoch: number, dLoss: number, gLoss: number, labelAccuracy?: number): GanEpochRecord => ({
  epoch,
  steps: 10,
  dLoss,
  gLoss,
  dReal: 0.6,
  dFake: 0.4,
  seconds: 1,
  ...(labelAccuracy === undefined ? {} : { metrics: { labelAccuracy } }),
});

describe("GAN run figures", () => {
  it("loss curves follow the history epoch by epoch; label accuracy joins only when every epoch has it", () => {
    const conditional = ganLossSeries([record(1, 1.3, 0.7, 0.2), record(2, 1.1, 0.9, 0.55)]);
    expect(conditional.map((s) => [s.name, Array.from(s.x ?? []), Array.from(s.y)])).toEqual([
      ["D loss", [1, 2], [1.3, 1.1]],
      ["G loss", [1, 2], [0.7, 0.9]],
      ["label accuracy", [1, 2], [0.2, 0.55]],
    ]);
    // A run resumed from a checkpoint without the classifier: one epoch lacks it, so no accuracy curve.
    expect(ganLossSeries([record(1, 1.3, 0.7), record(2, 1.1, 0.9, 0.55)]).map((s) => s.name)).toEqual(["D loss", "G loss"]);
  });

  it("label accuracy bars: one per label in order, a label never drawn (NaN) shown as 0", () => {
    expect(labelAccuracyBars({ perLabelAccuracy: [0.9, Number.NaN, 0.25] })).toEqual([
      { label: "0", value: 0.9 },
      { label: "1", value: 0 },
      { label: "2", value: 0.25 },
    ]);
  });

  it("quality curves: accuracy, precision and recall in one chart, Fréchet beside 3 × its baseline, against CPU seconds when recorded", () => {
    const scored = (epoch: number, cpuSeconds: number | undefined, recall: number): GanEpochRecord => ({
      ...record(epoch, 1, 1),
      metrics: { labelAccuracy: 0.9, precision: 0.8, recall, frechet: 12, frechetRealBaseline: 2, trainSeconds: 10 * epoch, ...(cpuSeconds === undefined ? {} : { cpuSeconds }) },
    });
    const q = ganQualitySeries([record(1, 1, 1), scored(2, 30, 0.1), scored(3, 55, 0.6)]);
    expect(q.xLabel).toBe("CPU seconds");
    expect(q.shares.map((s) => [s.name, Array.from(s.x ?? []), Array.from(s.y)])).toEqual([
      ["label accuracy", [30, 55], [0.9, 0.9]],
      ["precision", [30, 55], [0.8, 0.8]],
      ["recall", [30, 55], [0.1, 0.6]],
    ]);
    expect(q.frechet.map((s) => Array.from(s.y))).toEqual([
      [12, 12],
      [6, 6],
    ]);
    // Without CPU seconds on every scored epoch, the training seconds are the clock.
    expect(ganQualitySeries([scored(2, undefined, 0.1), scored(3, 55, 0.6)]).xLabel).toBe("training seconds");
    expect(ganQualitySeries([record(1, 1, 1)]).shares).toEqual([]);
  });

  it("says how the scored epochs drew z: untruncated, within ±t, or mixed (a run resumed with another --truncation)", () => {
    const scored = (epoch: number, truncation?: number): GanEpochRecord => ({
      ...record(epoch, 1, 1),
      metrics: { precision: 0.8, recall: 0.5, frechet: 12, frechetRealBaseline: 2, ...(truncation === undefined ? {} : { truncation }) },
    });
    expect(ganQualitySeries([scored(1), scored(2)]).latent).toBe("untruncated z");
    // An unscored epoch (no recall) does not count.
    expect(ganQualitySeries([record(1, 1, 1), scored(2, 1.5), scored(3, 1.5)]).latent).toBe("z within ±1.5");
    expect(ganQualitySeries([scored(1), scored(2, 1.5)]).latent).toBe("z truncated in some epochs");
  });
});
