import { describe, expect, it } from "vitest";

import { nullHistogramBars, significanceMark, tcavBars, tcavReportSections, tcavRowLine, tcavSummary } from "./report.js";
import type { TcavResult, TcavRow } from "./tcav.js";

function row(concept: string, layer: string, scores: number[], adjusted: number, alpha: number): TcavRow {
  const score = scores.reduce((a, b) => a + b, 0) / scores.length;
  return {
    concept,
    layer,
    target: 3,
    score,
    scores,
    magnitudeScore: score,
    meanDerivative: 0.1,
    nullMean: 0.5,
    nullStd: 0.2,
    nullScores: [0.3, 0.7],
    pValues: { randomization: adjusted / 2, paper: 0.01, welch: 0.02 },
    adjusted,
    significant: adjusted <= alpha,
    cavAccuracy: 0.9,
    nullCavAccuracy: 0.5,
    effect: { meanDifference: score - 0.5, cohensD: 1 },
    ci: { lower: 0, upper: 1, level: 0.95 },
  };
}

describe("TCAV report", () => {
  const alpha = 0.05;
  const rows = [row("loops", "pool2", [0.9, 0.8], 0.0005, alpha), row("slant", "pool2", [0.4, 0.6], 0.5, alpha), row("loops", "dense1", [1, 1], 0.02, alpha)];
  const result: TcavResult = {
    rows,
    target: 3,
    layers: ["pool2", "dense1"],
    concepts: ["loops", "slant"],
    settings: { randomRuns: 2, nullDraws: 50, setSize: 50, alpha, correction: "holm", alternative: "greater", confidenceLevel: 0.95, seed: 1, targetCount: 10, minPValue: 1 / 51 },
    warnings: [],
    layerSpaces: [
      { layer: "pool2", features: 512, reduction: "flatten" },
      { layer: "dense1", features: 64, reduction: "flatten" },
    ],
    seconds: 1,
  };

  it("marks significance by the adjusted p-value", () => {
    expect(significanceMark(rows[0] as TcavRow, alpha)).toBe("***");
    expect(significanceMark(rows[1] as TcavRow, alpha)).toBe("n.s.");
    expect(significanceMark(rows[2] as TcavRow, alpha)).toBe("*");
    expect(significanceMark({ ...(rows[2] as TcavRow), adjusted: 0.009 }, alpha)).toBe("**");
  });

  it("draws one null bar per layer and one bar per concept with the run spread as error", () => {
    const bars = tcavBars(result);
    expect(bars.map((b) => b.label)).toEqual(["pool2: random", "pool2: loops", "pool2: slant", "dense1: random", "dense1: loops"]);
    expect(bars[1]?.value).toBeCloseTo(0.85, 12);
    // sd of [0.9, 0.8] = 0.0707…
    expect(bars[1]?.error).toBeCloseTo(Math.SQRT1_2 / 10, 12);
    expect(bars[0]?.error).toBe(0.2);
    const [section] = tcavReportSections(result, { targetName: "3" });
    expect(section?.tables?.[0]?.rows.length).toBe(3);
    expect(section?.figures?.length).toBe(2);
  });

  it("bins the null statistic and marks the concept's bin", () => {
    const r = { ...(rows[0] as TcavRow), nullScores: [0.05, 0.12, 0.18, 0.5, 1], score: 0.85 };
    const bars = nullHistogramBars(r, 10);
    expect(bars.map((b) => b.value)).toEqual([1, 2, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(bars.findIndex((b) => b.mark === "concept")).toBe(8);
  });

  it("summarises the result as JSON: the caller's fields first, each row without its raw null scores", () => {
    const summary = tcavSummary(result, { model: "default", target: "overridden" });
    expect(Object.keys(summary)).toEqual(["model", "target", "layers", "concepts", "settings", "warnings", "seconds", "rows"]);
    expect(summary["target"]).toBe(3);
    const jsonRows = summary["rows"] as Record<string, unknown>[];
    expect(jsonRows).toHaveLength(3);
    expect(jsonRows[0]).not.toHaveProperty("nullScores");
    expect(jsonRows[0]?.["score"]).toBeCloseTo(0.85, 12);
    expect(jsonRows[2]).toMatchObject({ concept: "loops", layer: "dense1", adjusted: 0.02, significant: true, cavAccuracy: 0.9 });
    const back = JSON.parse(JSON.stringify(summary)) as Record<string, unknown>;
    expect(back["settings"]).toEqual(result.settings);
  });

  it("writes one terminal line per row with the score, the null and both p-values", () => {
    expect(tcavRowLine(rows[1] as TcavRow)).toBe("slant          pool2    score 0.500  null 0.500±0.200  p 0.250 (adj 0.500) n.s.  CAV acc 0.900");
  });
});
