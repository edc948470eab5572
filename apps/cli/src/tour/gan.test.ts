import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend, renderReportHtml, type ImageDataset } from "@dl/tensor-core";

import type { TourContext } from "./context.js";
import { ganTourSection } from "./gan.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

function digits(n: number): ImageDataset {
  const rng = createRng(1);
  return {
    name: "noise-digits",
    images: Float32Array.from({ length: n * 784 }, () => rng.next()),
    labels: Int32Array.from({ length: n }, (_, i) => i % 10),
    count: n,
    height: 28,
    width: 28,
    channels: 1,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  };
}

describe("gan tour section (quick)", () => {
  it("reports the change of variables, the density ratio with and without (1−π)/π, and a cGAN grid", async () => {
    const ctx: TourContext = {
      model: tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 10, activation: "softmax" })] }),
      dataset: { train: digits(128), test: digits(20) },
      seed: 1,
      onProgress: () => undefined,
      quick: true,
    };
    const sections = await ganTourSection(ctx);
    expect(sections.map((s) => s.id)).toEqual(["gan-change-of-variables", "gan-density-ratio", "gan-conditional"]);
    // 20k samples in quick mode: compare with the L1 that sampling alone produces.
    expect(Number(sections[0]?.metrics?.["L1(analytic, histogram)"])).toBeLessThan(1.6 * Number(sections[0]?.metrics?.["sampling noise L1"]));
    const rows = sections[1]?.tables?.[0]?.rows ?? [];
    const balanced = rows.find((r) => r[0] === 0.5) ?? [];
    const imbalanced = rows.find((r) => r[0] === 0.2) ?? [];
    expect(Number(balanced[1])).toBeLessThan(0.05);
    expect(Number(imbalanced[1])).toBeLessThan(0.05);
    expect(Math.abs(Number(imbalanced[2]) - Math.log(4))).toBeLessThan(0.1);
    expect(sections[2]?.figures?.length).toBe(1);
    expect(renderReportHtml({ title: "t", sections })).toContain("conditional GAN");
  }, 180_000);
});
