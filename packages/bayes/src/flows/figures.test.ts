import { describe, expect, it } from "vitest";

import { flowLossChart } from "./figures.js";

describe("flowLossChart", () => {
  it("names the annealed objective, where β reaches 1, and draws −log Z across the run", () => {
    const history = [10, 20, 30, 40].map((step, i) => ({ step, loss: [-3, -1.2, -0.9, -0.85][i] ?? 0 }));
    const chart = flowLossChart(history, { target: "U2", flows: 8, logZ: 0.93, steps: 40 });
    expect(chart.series.map((s) => s.name)).toEqual(["E_q[log q + β·U], β = 0.01 → 1 by step 20", "−log Z (least free energy, β = 1)"]);
    expect(chart.series[0]?.y).toEqual([-3, -1.2, -0.9, -0.85]);
    expect(chart.series[1]).toMatchObject({ x: [10, 40], y: [-0.93, -0.93] });
    expect(chart.title).toBe("U2, K = 8: the β-annealed objective (the free energy once β = 1)");
    expect(chart.yLabel).toBe("nats");
    // Without log Z (a run still going) only the objective is drawn; β's end follows annealFraction.
    expect(flowLossChart(history, { target: "U1", flows: 2, annealFraction: 0.25 }).series.map((s) => s.name)).toEqual(["E_q[log q + β·U], β = 0.01 → 1 by step 10"]);
  });
});
