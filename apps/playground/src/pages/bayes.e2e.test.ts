// The Bayes page in headless Chromium (Debian's chromium; the app must be built: vite build).
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

describe("Bayes page", () => {
  it("shows the seed's mixture posterior, KS-tests a sampler and fits a planar flow", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1200 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${baseUrl}?backend=wasm#/bayes`);
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
