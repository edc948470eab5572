// The live conditional-GAN page in headless Chromium.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resultsDir, startPlayground, type Playground } from "../test-utils/browser.js";

let playground: Playground;

beforeAll(async () => {
  playground = await startPlayground();
});

afterAll(async () => {
  await playground?.close();
});

describe("cGAN live page", () => {
  it("trains a conditional GAN epoch by epoch, drawing one row per label and scoring it", async () => {
    const { page, errors } = await playground.open("gan-train", { backend: "wasm" });
    await page.fill("[data-testid=cgan-epochs]", "2");
    await page.click("[data-testid=cgan-start]");
    await page.waitForSelector("[data-testid=cgan-metrics][data-epoch='2']", { timeout: 540_000 });
    const accuracy = Number(await page.getAttribute("[data-testid=cgan-metrics]", "data-label-accuracy"));
    // After 200 steps the samples are not yet digits: the score must be a real per-label rate, not NaN.
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(1);
    // 10 labels × 10 samples of 28×28 at scale 2 with 2 px padding.
    const size = await page.$eval("[data-testid=cgan-grid]", (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    expect(size[0]).toBeGreaterThan(10 * 56);
    expect(size[1]).toBeGreaterThan(10 * 56);
    await page.waitForFunction(() => document.querySelector("[data-testid=cgan-status]")?.textContent?.startsWith("Done") === true, undefined, { timeout: 60_000 });
    await page.screenshot({ path: `${resultsDir}gan-train.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});
