import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, renderReportHtml, type ImageDataset } from "@dl/tensor-core";

import { bayesTourSection } from "./bayes.js";
import type { TourContext } from "./context.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

function tinyDataset(n: number): ImageDataset {
  return {
    name: "tiny",
    images: Float32Array.from({ length: n * 16 }, (_, i) => (i % 7) / 7),
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    count: n,
    height: 4,
    width: 4,
    channels: 1,
    classNames: ["zero", "one", "two"],
  };
}

describe("bayes tour section (quick)", () => {
  it("reports the seed's mixture posterior, KS-checked samplers and a fitted flow, and renders", async () => {
    const ctx: TourContext = {
      model: tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1] })] }),
      dataset: { train: tinyDataset(30), test: tinyDataset(10) },
      seed: 1,
      onProgress: () => undefined,
      quick: true,
    };
    const sections = await bayesTourSection(ctx);
    expect(sections.map((s) => s.id)).toEqual(["bayes-mixture", "bayes-samplers", "bayes-flow"]);
    const mixture = sections[0]?.metrics ?? {};
    expect(mixture["p(z=1|x=1)"]).toBeCloseTo(0.5, 10);
    expect(mixture["p(z=1|x=0)"]).toBeCloseTo(1 / (1 + Math.exp(-2)), 10);
    const pValues = (sections[1]?.tables?.[0]?.rows ?? []).map((r) => Number(r[4]));
    expect(pValues.length).toBe(6);
    // Six correct samplers: with p-values uniform, all six above 1e-4 fails with probability < 1e-3.
    for (const p of pValues) expect(p).toBeGreaterThan(1e-4);
    expect(Number(sections[2]?.metrics?.["KL(q‖p) nats"])).toBeGreaterThan(0);
    // The flow's pictures are framed charts (420 px wide with titles and z₁/z₂ axes, not the bare 300 px
    // grid) and the loss chart says it plots the β-annealed objective against −log Z.
    const flowFigures = sections[2]?.figures ?? [];
    expect(flowFigures.map((f) => f.id)).toEqual(["target", "flow", "loss"]);
    for (const f of flowFigures.slice(0, 2)) expect(new DataView((f.png as Uint8Array).buffer, (f.png as Uint8Array).byteOffset).getUint32(16)).toBe(420);
    expect(flowFigures[2]?.svg).toContain("the β-annealed objective (the free energy once β = 1)");
    expect(flowFigures[2]?.svg).toContain("−log Z (least free energy, β = 1)");
    expect(renderReportHtml({ title: "t", sections })).toContain("Planar normalizing flow");
  }, 120000);
});
