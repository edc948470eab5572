// The playground shell and its MNIST page in headless Chromium.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resultsDir, startPlayground, type Playground } from "./test-utils/browser.js";

let playground: Playground;

beforeAll(async () => {
  playground = await startPlayground();
});

afterAll(async () => {
  await playground?.close();
});

describe("playground in headless Chromium", () => {
  it("shows the chosen backend and trains an MNIST classifier above 90% test accuracy", async () => {
    const { page, errors } = await playground.open("foundation", { backend: "wasm", width: 1200, height: 900 });
    await page.waitForSelector("#backend[data-backend]", { timeout: 60_000 });
    expect(await page.getAttribute("#backend", "data-backend")).toBe("wasm");
    await page.waitForSelector("[data-testid=accuracy][data-value]", { timeout: 240_000 });
    const accuracy = Number(await page.getAttribute("[data-testid=accuracy]", "data-value"));
    await page.screenshot({ path: `${resultsDir}foundation.png`, fullPage: true });
    expect(errors).toEqual([]);
    expect(accuracy).toBeGreaterThan(0.9);
    await page.close();
  });

  it("picks a backend by itself when none is forced", async () => {
    const { page } = await playground.open("foundation");
    await page.waitForSelector("#backend[data-backend]", { timeout: 60_000 });
    const name = await page.getAttribute("#backend", "data-backend");
    expect(["webgpu", "webgl", "wasm", "cpu"]).toContain(name);
    await page.close();
  });
});
