// Shared by the playground's browser tests: serve the built app and drive Debian's Chromium
// (apt-get install chromium) through playwright-core; never a downloaded browser.
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { chromium, type Browser, type Page } from "playwright-core";
import { preview, type PreviewServer } from "vite";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const appRoot = fileURLToPath(new URL("../..", import.meta.url));
export const resultsDir = fileURLToPath(new URL("../../test-results/", import.meta.url));

export interface Playground {
  /** Opens `#/<pageId>` (with `?backend=` when given) and records page errors. */
  open(pageId: string, options?: { backend?: string; width?: number; height?: number }): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Serves `dist/` (built by `vite build`, turbo's `dependsOn`) and starts headless Chromium. */
export async function startPlayground(): Promise<Playground> {
  const server: PreviewServer = await preview({ root: appRoot, preview: { port: 0, host: "127.0.0.1" }, logLevel: "error" });
  const baseUrl = server.resolvedUrls?.local[0] ?? "";
  const browser: Browser = await chromium.launch({
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
  return {
    async open(pageId, options = {}) {
      const page = await browser.newPage({ viewport: { width: options.width ?? 1200, height: options.height ?? 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const query = options.backend === undefined ? "" : `?backend=${options.backend}`;
      await page.goto(`${baseUrl}${query}#/${pageId}`);
      return { page, errors };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
