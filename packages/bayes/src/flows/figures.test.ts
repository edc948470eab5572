import { describe, expect, it } from "vitest";

import { targetDensityGrid } from "./energies.js";
import { FLOW_PICTURE_GRID, flowLossChart, flowPictures } from "./figures.js";
import type { FitFlowResult } from "./fitFlow.js";

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

describe("flowPictures", () => {
  const pngSize = (png: Uint8Array): [number, number] => {
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    return [view.getUint32(16), view.getUint32(20)];
  };
  const result: FitFlowResult = {
    target: "U2",
    flows: 8,
    history: [100, 200, 300, 400].map((step, i) => ({ step, loss: [-2, -0.5, -0.9, -0.92][i] ?? 0, seconds: step / 100 })),
    kl: { kl: 0.01, standardError: 0.002, logZ: 0.93, samples: 1000 },
    plateauStep: 300,
    plateauSeconds: 3,
    seconds: 4,
    samples: new Float32Array(0),
    histogram: targetDensityGrid("U2", FLOW_PICTURE_GRID),
    parameters: [],
  };

  it("pictures the target and the flow on [−4, 4]² in 420 × 440 PNGs, and the loss as a 820 × 320 PNG and an SVG", () => {
    expect(FLOW_PICTURE_GRID).toEqual({ x: [-4, 4], y: [-4, 4], nx: 100, ny: 100 });
    const pictures = flowPictures(result, 400);
    expect(pngSize(pictures.target)).toEqual([420, 440]);
    expect(pngSize(pictures.flow)).toEqual([420, 440]);
    expect(pngSize(pictures.lossPng)).toEqual([820, 320]);
    // The SVG carries flowLossChart's words: β reaches 1 at half the 400 steps, and the −log Z line.
    expect(pictures.lossSvg).toContain("U2, K = 8: the β-annealed objective");
    expect(pictures.lossSvg).toContain("β = 0.01 → 1 by step 200");
    expect(pictures.lossSvg).toContain("−log Z (least free energy, β = 1)");
  });

  it("draws an empty flow picture, not an error, when the run kept no histogram", () => {
    const { histogram: _unused, ...withoutHistogram } = result;
    const pictures = flowPictures(withoutHistogram, 400);
    expect(pngSize(pictures.flow)).toEqual([420, 440]);
    expect(pictures.flow).not.toEqual(flowPictures(result, 400).flow);
  });
});
