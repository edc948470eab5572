// The few-shot episode page in headless Chromium.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resultsDir, startPlayground, type Playground } from "../test-utils/browser.js";

let playground: Playground;

beforeAll(async () => {
  playground = await startPlayground();
});

afterAll(async () => {
  await playground?.close();
});

async function maxWeights(page: Awaited<ReturnType<Playground["open"]>>["page"]): Promise<number[]> {
  return page.$$eval("[data-testid=query]", (rows) => rows.map((r) => Number((r as HTMLElement).dataset["maxWeight"])));
}

describe("few-shot episode page", () => {
  it("shows attention that is one-hot at small temperature and uniform over 5 supports at large", async () => {
    const { page, errors } = await playground.open("metalearn", { backend: "wasm" });
    await page.waitForSelector("[data-testid=status][data-accuracy]", { timeout: 120_000 });
    expect(await page.locator("[data-testid=query]").count()).toBe(10);
    await page.fill("[data-testid=temperature]", "-2");
    await page.dispatchEvent("[data-testid=temperature]", "input");
    for (const w of await maxWeights(page)) expect(w).toBeGreaterThan(0.99);
    await page.fill("[data-testid=temperature]", "3");
    await page.dispatchEvent("[data-testid=temperature]", "input");
    // T = 1000 ≫ distance gaps between supports: softmax ≈ 1/5 each.
    for (const w of await maxWeights(page)) expect(Math.abs(w - 0.2)).toBeLessThan(0.01);
    await page.fill("[data-testid=temperature]", "0");
    await page.dispatchEvent("[data-testid=temperature]", "input");
    await page.screenshot({ path: `${resultsDir}metalearn.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
