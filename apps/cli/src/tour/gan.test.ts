import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { generateImages } from "@dl/gan";
import { loadDefaultGan } from "@dl/gan/checkpoint";
import { createRng, initBackend, predictClasses, renderReportHtml, type ImageDataset } from "@dl/tensor-core";

import type { TourContext } from "./context.js";
import { ganTourSection } from "./gan.js";

let cacheDir: string;
beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  cacheDir = await mkdtemp(join(tmpdir(), "dl-tour-gan-test-"));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
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
  // The real cGAN's digits are checked by the tour's e2e test (classifier accuracy of its samples);
  // here a 3-step cGAN on noise checks the wiring: cache, grid, and scores against a recount.
  it("reports the change of variables, the density ratio with and without (1−π)/π, and the cached cGAN's grid with its scores", async () => {
    const ctx: TourContext = {
      // A small penultimate layer: the Fréchet distance takes square roots of its covariance matrices.
      model: tfl.sequential({
        layers: [
          tfl.layers.flatten({ inputShape: [28, 28, 1] }),
          tfl.layers.dense({ units: 16, activation: "relu", kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
          tfl.layers.dense({ units: 10, activation: "softmax", kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
        ],
      }),
      dataset: { train: digits(128), test: digits(40) },
      seed: 1,
      onProgress: () => undefined,
      quick: true,
    };
    const options = { cacheDir, epochs: 1, stepsPerEpoch: 3 };
    const sections = await ganTourSection(ctx, options);
    expect(sections.map((s) => s.id)).toEqual(["gan-change-of-variables", "gan-density-ratio", "gan-conditional"]);
    // 20k samples in quick mode: compare with the L1 that sampling alone produces.
    expect(Number(sections[0]?.metrics?.["L1(analytic, histogram)"])).toBeLessThan(1.6 * Number(sections[0]?.metrics?.["sampling noise L1"]));
    const rows = sections[1]?.tables?.[0]?.rows ?? [];
    const balanced = rows.find((r) => r[0] === 0.5) ?? [];
    const imbalanced = rows.find((r) => r[0] === 0.2) ?? [];
    expect(Number(balanced[1])).toBeLessThan(0.05);
    expect(Number(imbalanced[1])).toBeLessThan(0.05);
    expect(Math.abs(Number(imbalanced[2]) - Math.log(4))).toBeLessThan(0.1);

    const cgan = sections[2];
    expect(cgan?.figures?.length).toBe(1);
    expect(cgan?.metrics?.["from the cache"]).toBe("no (trained now)");
    expect(cgan?.metrics?.["training steps"]).toBe(3);
    // The accuracy is the classifier's verdict on the same 20 samples (test split of 40: 20 for the Fréchet halves), recounted here.
    const again = await loadDefaultGan({ train: ctx.dataset.train, epochs: 1, stepsPerEpoch: 3, seed: 1, cacheDir });
    expect(again.cached).toBe(true);
    const { images, labels } = generateImages(again.gan, 20, 1);
    again.gan.dispose();
    const predicted = await predictClasses(ctx.model, images, 20);
    const perLabel = Array.from({ length: 10 }, (_, l) => {
      const mine = Array.from(labels ?? [], (y, i) => [y, predicted[i]] as const).filter(([y]) => y === l);
      return mine.filter(([y, p]) => y === p).length / mine.length;
    });
    expect(Number(cgan?.metrics?.["classifier accuracy on conditional samples"])).toBeCloseTo(perLabel.reduce((a, b) => a + b, 0) / 10, 10);

    // The second tour reads the cGAN from the cache and draws the same grid.
    const second = await ganTourSection(ctx, options);
    expect(second[2]?.metrics?.["from the cache"]).toBe("yes");
    expect(second[2]?.figures?.[0]).toEqual(cgan?.figures?.[0]);
    expect(renderReportHtml({ title: "t", sections })).toContain("conditional GAN");
  }, 180_000);
});
