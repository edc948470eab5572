// The Bayes page in headless Chromium.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resultsDir, startPlayground, type Playground } from "../test-utils/browser.js";

let playground: Playground;

beforeAll(async () => {
  playground = await startPlayground();
});

afterAll(async () => {
  await playground?.close();
});

describe("Bayes page", () => {
  it("shows the seed's mixture posterior, KS-tests a sampler and fits a planar flow", async () => {
    const { page, errors } = await playground.open("bayes", { backend: "wasm", width: 1200, height: 1200 });
    await page.waitForSelector("[data-testid=bayes-phi] svg", { timeout: 120_000 });
    expect(await page.textContent("[data-testid=bayes-phi-metrics]")).toContain("p(z=1|x=0) = 0.8808   p(z=1|x=1) = 0.5000");
    await page.click("[data-testid=bayes-sample]");
    await page.waitForFunction(() => document.querySelector("[data-testid=bayes-sample-metrics]")?.textContent?.includes("KS") === true, undefined, { timeout: 120_000 });
    await page.fill("[data-testid=bayes-flows]", "4");
    await page.click("[data-testid=bayes-fit]");
    await page.waitForFunction(() => document.querySelector("[data-testid=bayes-fit-metrics]")?.textContent?.includes("KL") === true, undefined, { timeout: 300_000 });
    await page.screenshot({ path: `${resultsDir}bayes.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});
