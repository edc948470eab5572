// The layer-by-layer embedding explorer in headless Chromium.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resultsDir, startPlayground, type Playground } from "../test-utils/browser.js";

let playground: Playground;

beforeAll(async () => {
  playground = await startPlayground();
});

afterAll(async () => {
  await playground?.close();
});

describe("embeddings-by-layer page", () => {
  it("embeds every layer and shows class purity rising from pixels to the logits", async () => {
    const { page, errors } = await playground.open("interpretability", { backend: "wasm", height: 1400 });
    await page.waitForSelector("[data-testid=status][data-done]", { timeout: 540_000 });
    const rows = await page.$$eval("[data-testid=layer-table] tr", (trs) =>
      trs.slice(1).map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent ?? "")),
    );
    const layers = rows.map((r) => r[0]);
    expect(layers[0]).toBe("pixels");
    expect(layers).toContain("logits");
    const knn = (name: string): number => Number(rows.find((r) => r[0] === name)?.[1]);
    const overlap = (name: string): number => Number(rows.find((r) => r[0] === name)?.[2]);
    expect(knn("logits")).toBeGreaterThan(knn("pixels"));
    expect(overlap("logits")).toBeLessThan(overlap("dense1"));
    await page.fill("[data-testid=layer-slider]", "0");
    await page.dispatchEvent("[data-testid=layer-slider]", "input");
    expect(await page.textContent("[data-testid=layer]")).toMatch(/^pixels/);
    await page.screenshot({ path: `${resultsDir}interpretability.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});
