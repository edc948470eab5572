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
    // The page opens at T = 1, where the attention is neither one-hot nor uniform.
    expect(await page.inputValue("[data-testid=temperature]")).toBe("0");
    const opening = await maxWeights(page);
    expect(Math.max(...opening)).toBeLessThan(0.99);
    expect(Math.min(...opening)).toBeGreaterThan(0.25);
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
    // One support per class: the most-attended class is the nearest image at every T, so 1-shot accuracy is flat in T.
    await page.waitForSelector("[data-testid=temperature-curve][data-one-shot] svg", { timeout: 120_000 });
    const oneShot = JSON.parse((await page.getAttribute("[data-testid=temperature-curve]", "data-one-shot")) ?? "[]") as number[];
    expect(oneShot).toHaveLength(26);
    for (const a of oneShot) expect(a).toBeCloseTo(oneShot[0] ?? NaN, 12);
    // Raw-pixel 1-NN on five digit classes is far above chance (0.2).
    expect(oneShot[0]).toBeGreaterThan(0.4);
    await page.screenshot({ path: `${resultsDir}metalearn.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
