import { describe, expect, it } from "vitest";

import type { EncoderCapacityResult, MeanCi } from "./encoders.js";
import type { GapRow } from "./gaps.js";
import { encoderCapacityReport, encoderCapacitySeries, encoderCapacityTable, gapBars, gapReport, gapTable } from "./report.js";

// Two rows whose gaps follow from their bounds: approximation = log p̂(x) − L[q*], amortization = L[q*] − L[q].
function row(model: string, logLikelihood: number, elboOptimal: number, elbo: number, recovered: number[]): GapRow {
  return {
    model,
    family: "diag",
    encoderHidden: 200,
    logLikelihood,
    elboOptimal,
    elbo,
    approximationGap: logLikelihood - elboOptimal,
    amortizationGap: elboOptimal - elbo,
    refinement: [0, 5, 20].map((steps, i) => ({ steps, elbo: elbo + (recovered[i] ?? 0) * (elboOptimal - elbo), recovered: recovered[i] ?? 0 })),
    trainElbo: elbo,
    trainSeconds: 1,
    evalSeconds: 1,
  };
}

const rows = [row("diag", -100.125, -103.5, -107.25, [0, 0.256, 0.5]), row("flow", -99, -100.5, -102, [0, 0.4, 0.994])];

describe("gapTable", () => {
  it("writes one Markdown row per model with the gaps to 2 decimals and the SVI shares without step 0", () => {
    const lines = gapTable(rows).split("\n");
    expect(lines[0]).toBe("| model | log p̂(x) | L[q*] | L[q] | approximation gap | amortization gap | recovered by SVI (steps: share) |");
    expect(lines[1]).toBe("|---|---|---|---|---|---|---|");
    // 3.375 and 3.75 nats; 25.6 % rounds to 26 %.
    expect(lines[2]).toBe("| diag | -100.13 | -103.50 | -107.25 | 3.38 | 3.75 | 5: 26%, 20: 50% |");
    expect(lines[3]).toBe("| flow | -99.00 | -100.50 | -102.00 | 1.50 | 1.50 | 5: 40%, 20: 99% |");
    expect(lines.slice(4)).toEqual([""]);
  });

  it("is only the header for no rows", () => {
    expect(gapTable([]).split("\n")).toHaveLength(4);
  });
});

describe("gapReport", () => {
  it("draws an approximation and an amortization bar per model, with the values of the table", () => {
    expect(gapBars(rows).map((b) => [b.label, b.value])).toEqual([
      ["diag: approx.", 3.375],
      ["diag: amort.", 3.75],
      ["flow: approx.", 1.5],
      ["flow: amort.", 1.5],
    ]);
    const report = gapReport(rows);
    expect(report.markdown).toBe(gapTable(rows));
    // PNG signature, then the IHDR's width and height.
    const view = new DataView(report.png.buffer, report.png.byteOffset, report.png.byteLength);
    expect(Array.from(report.png.subarray(1, 4), (c) => String.fromCharCode(c)).join("")).toBe("PNG");
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([560, 300]);
    expect(report.svg).toContain("Gaps in nats (test subset)");
    expect(report.svg).toContain("diag: amort.");
  });
});

const ci = (mean: number, ci95 = 0.5): MeanCi => ({ mean, ci95, n: 3 });

const fitted = { learningRateSearch: [], searchSeconds: 0, epochs: ci(5, 0), steps: ci(200, 0), validationElbo: ci(Number.NaN, 0) };

// Two widths, one depth and one SVI row; gaps follow from L[q*] = -100: 4 = -100 − (-104), 1.5 = -100 − (-101.5).
const capacity: EncoderCapacityResult = {
  decoder: { hidden: 200, latentDim: 8, trainElbo: -110, trainSeconds: 1 },
  logLikelihood: -98,
  elboOptimal: -100,
  approximationGap: ci(2, 0.25),
  widths: [
    { width: 16, depth: 2, hidden: [16, 16], learningRate: 3e-3, ...fitted, searchSeconds: 3.25, parameters: 13104, flopsPerImage: 26112, trainFlops: 1e9, trainSeconds: ci(1.25, 0.25), trainElbo: ci(-105), elbo: ci(-104), amortizationGap: ci(4), amortizationGapBySeed: [3.5, 4, 4.5], elboOptimalFromHere: -100.1, approximationGap: 2.1 },
    { width: 1024, depth: 2, hidden: [1024, 1024], learningRate: 1e-3, ...fitted, parameters: 1, flopsPerImage: 3.7e6, trainFlops: 1e10, trainSeconds: ci(10), trainElbo: ci(-102), elbo: ci(-101.5), amortizationGap: ci(1.5), amortizationGapBySeed: [1, 1.5, 2], gainOverPrevious: ci(2.5, 1), elboOptimalFromHere: -100, approximationGap: 2 },
  ],
  depths: [
    { width: 1024, depth: 3, hidden: [1024, 1024, 1024], learningRate: 3e-4, ...fitted, epochs: ci(12.5, 1.5), parameters: 2, flopsPerImage: 1e7, trainFlops: 1e10, trainSeconds: ci(20), trainElbo: ci(-102), elbo: ci(-101.25), amortizationGap: ci(1.25), amortizationGapBySeed: [1, 1.25, 1.5], elboOptimalFromHere: -100, approximationGap: 2 },
  ],
  svi: { fromWidth: 16, samplesPerStep: 10, rows: [{ steps: 20, flopsPerImage: 2.38e8, seconds: ci(3), elbo: ci(-102), amortizationGap: ci(2), recovered: ci(0.5, 0.125) }] },
  capacityStopsHelpingAt: null,
  depthStopsHelpingAt: null,
  config: {
    widths: [16, 1024],
    encoderDepth: 2,
    depths: [3],
    depthWidth: 1024,
    learningRates: [3e-4, 1e-3, 3e-3],
    patience: 2,
    minDelta: 0.05,
    validationCount: 500,
    seeds: 3,
    encoderEpochs: 30,
    epochs: 5,
    trainCount: 4000,
    testCount: 64,
    latentDim: 8,
    hidden: 200,
    encoderHidden: 200,
    iwaeK: 1000,
    elboSamples: 100,
    localSteps: 250,
    sviSteps: [20],
    seed: 42,
  },
  seconds: 1,
};

describe("encoderCapacityReport", () => {
  it("tabulates each encoder and SVI row with its 95 % interval and draws every gap against log10 inference FLOPs", () => {
    const lines = encoderCapacityTable(capacity).split("\n");
    expect(lines[2]).toBe("| width 16 × 2 | 13104 | 26 k | 3e−3 | 5.0 ± 0.0 | 1.3 ± 0.3 (+3.3 search) | -104.00 ± 0.50 | 4.00 ± 0.50 | — | 2.10 |");
    expect(lines[3]).toBe("| width 1024 × 2 | 1 | 3.7 M | 1e−3 | 5.0 ± 0.0 | 10.0 ± 0.5 | -101.50 ± 0.50 | 1.50 ± 0.50 | 2.50 ± 1.00 | 2.00 |");
    expect(lines[4]).toBe("| *depth sweep at width 1024* | | | | | | | | | |");
    expect(lines[5]).toBe("| width 1024 × 3 | 2 | 10.0 M | 3e−4 | 12.5 ± 1.5 | 20.0 ± 0.5 | -101.25 ± 0.50 | 1.25 ± 0.50 | — | 2.00 |");
    expect(lines[6]).toBe("| width 16 + 20 SVI steps | — | 238.0 M | 1e−2 | — | 3.0 ± 0.5 (64 images) | -102.00 ± 0.50 | 2.00 ± 0.50 | recovered 50 ± 13 % | — |");
    expect(lines[8]).toBe(
      "Encoders fitted until the validation ELBO (500 held-out images) rose < 0.05 nats for 2 epochs, at most 30, learning rate chosen from {3e−4, 1e−3, 3e−3} on validation (first seed). " +
        "log p̂(x) = -98.00, L[q*] = -100.00, approximation gap 2.00 ± 0.25 nats (95 % over 3 test images); every wider encoder still helped significantly; every deeper encoder still helped significantly.",
    );
    const [wide, deep, svi, approx] = encoderCapacitySeries(capacity);
    expect(Array.from(wide?.x ?? [])).toEqual([Math.log10(26112), Math.log10(3.7e6)]);
    expect(Array.from(wide?.y ?? [])).toEqual([4, 1.5]);
    expect(Array.from(wide?.error ?? [])).toEqual([0.5, 0.5]);
    expect(wide?.name).toBe("width 16, 1024 (depth 2)");
    expect(deep?.name).toBe("depth 3 (width 1024)");
    expect(svi?.name).toBe("width 16 + SVI steps 20");
    expect(Array.from(deep?.x ?? [])).toEqual([7]);
    // SVI starts at the smallest encoder (0 steps) and adds its steps' FLOPs.
    expect(Array.from(svi?.x ?? [])).toEqual([Math.log10(26112), Math.log10(2.38e8)]);
    expect(Array.from(svi?.y ?? [])).toEqual([4, 2]);
    expect(Array.from(svi?.error ?? [])).toEqual([0.5, 0.5]);
    // The approximation gap: flat across the whole x range.
    expect(Array.from(approx?.x ?? [])).toEqual([Math.log10(26112), Math.log10(2.38e8)]);
    expect(Array.from(approx?.y ?? [])).toEqual([2, 2]);
    const report = encoderCapacityReport(capacity);
    const view = new DataView(report.png.buffer, report.png.byteOffset, report.png.byteLength);
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([860, 440]);
    expect(report.svg).toContain("inference FLOPs per test image, log10");
    expect(report.svg).toContain("frozen decoder (fitted to plateau; 95% CI, 3 seeds)");
  });
});
