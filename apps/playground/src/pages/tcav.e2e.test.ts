// The TCAV page in headless Chromium (Debian's chromium; the app must be built: vite build).
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { chromium, type Browser } from "playwright-core";
import { preview, type PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const appRoot = fileURLToPath(new URL("../..", import.meta.url));
const resultsDir = fileURLToPath(new URL("../../test-results/", import.meta.url));

let server: PreviewServer;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  server = await preview({ root: appRoot, preview: { port: 0, host: "127.0.0.1" }, logLevel: "error" });
  baseUrl = server.resolvedUrls?.local[0] ?? "";
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  await mkdir(resultsDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("TCAV page", () => {
  it("trains the model, runs TCAV for the chosen concept and shows the score against the null", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${baseUrl}?backend=wasm#/tcav`);
    await page.waitForSelector("[data-testid=tcav-run]:not([disabled])", { timeout: 300_000 });
    await page.selectOption("[data-testid=tcav-concept]", "loops");
    await page.click("[data-testid=tcav-run]");
    await page.waitForSelector("[data-testid=tcav-result][data-score]", { timeout: 300_000 });
    const score = Number(await page.getAttribute("[data-testid=tcav-result]", "data-score"));
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    expect(await page.locator("[data-testid=tcav-chart] svg").count()).toBe(1);
    expect(await page.textContent("[data-testid=tcav-result]")).toMatch(/p randomization/);
    await page.screenshot({ path: `${resultsDir}tcav.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});
