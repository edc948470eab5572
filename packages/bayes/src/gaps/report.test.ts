import { describe, expect, it } from "vitest";

import type { GapRow } from "./gaps.js";
import { gapBars, gapReport, gapTable } from "./report.js";

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
