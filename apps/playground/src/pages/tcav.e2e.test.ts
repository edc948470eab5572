// The TCAV page in headless Chromium.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resultsDir, startPlayground, type Playground } from "../test-utils/browser.js";

let playground: Playground;

beforeAll(async () => {
  playground = await startPlayground();
});

afterAll(async () => {
  await playground?.close();
});

describe("TCAV page", () => {
  it("trains the model, runs TCAV for the chosen concept and shows the score against the null", async () => {
    const { page, errors } = await playground.open("tcav", { backend: "wasm", width: 1200, height: 900 });
    await page.waitForSelector("[data-testid=tcav-run]:not([disabled])", { timeout: 300_000 });
    await page.selectOption("[data-testid=tcav-concept]", "loops");
    await page.click("[data-testid=tcav-run]");
    await page.waitForSelector("[data-testid=tcav-result][data-score]", { timeout: 300_000 });
    const score = Number(await page.getAttribute("[data-testid=tcav-result]", "data-score"));
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    expect(await page.locator("[data-testid=tcav-chart] svg").count()).toBe(1);
    expect(await page.textContent("[data-testid=tcav-result]")).toMatch(/p randomization/);
    // The explanation's p restates the randomization p: (1 + k) / 41 for an integer k.
    const ties = (await page.textContent("[data-testid=tcav-ties]")) ?? "";
    const [, k, p] = /p = \(1 \+ (\d+)\) \/ \(1 \+ 40\) = ([0-9.e-]+)/.exec(ties) ?? [];
    expect(Number(p)).toBeCloseTo((1 + Number(k)) / 41, 3);
    expect(ties).toMatch(/of 40 random concepts fall in the concept's bin/);
    await page.screenshot({ path: `${resultsDir}tcav.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});
