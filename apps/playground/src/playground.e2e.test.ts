import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { chromium, type Browser } from "playwright-core";
import { preview, type PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Debian's chromium (apt-get install chromium); never a downloaded browser.
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const appRoot = fileURLToPath(new URL("..", import.meta.url));
const resultsDir = fileURLToPath(new URL("../test-results/", import.meta.url));

let server: PreviewServer;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  server = await preview({ root: appRoot, preview: { port: 0, host: "127.0.0.1" }, logLevel: "error" });
  baseUrl = server.resolvedUrls?.local[0] ?? "";
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  await mkdir(resultsDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("playground in headless Chromium", () => {
  it("shows the chosen backend and trains an MNIST classifier above 90% test accuracy", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${baseUrl}?backend=wasm#/foundation`);
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
    const page = await browser.newPage();
    await page.goto(`${baseUrl}#/foundation`);
    await page.waitForSelector("#backend[data-backend]", { timeout: 60_000 });
    const name = await page.getAttribute("#backend", "data-backend");
    expect(["webgpu", "webgl", "wasm", "cpu"]).toContain(name);
    await page.close();
  });
});
