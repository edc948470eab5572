// Shared by the playground's browser tests: serve the built app and drive Debian's Chromium
// (apt-get install chromium) through playwright-core; never a downloaded browser.
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { chromium, type Browser, type Page } from "playwright-core";
import { createServer, preview } from "vite";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const appRoot = fileURLToPath(new URL("../..", import.meta.url));
export const resultsDir = fileURLToPath(new URL("../../test-results/", import.meta.url));

export interface Playground {
  /** Opens `#/<pageId>` (with `?backend=` when given); `errors` collects page errors, `badResponses` every HTTP status ≥ 400 (`404 …/favicon.svg`). */
  /** `cores` makes the page see that many logical cores (`navigator.hardwareConcurrency`, through CDP), as a bigger machine would. */
  open(
    pageId: string,
    options?: { backend?: string; width?: number; height?: number; cores?: number; initScript?: string },
  ): Promise<{ page: Page; errors: string[]; badResponses: string[] }>;
  close(): Promise<void>;
}

/** How the app is served: `preview` serves `dist/` (built by `vite build`, turbo's `dependsOn`), `dev` is `vite` itself. */
export type ServeMode = "preview" | "dev";

async function serve(mode: ServeMode): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  if (mode === "preview") {
    const server = await preview({ root: appRoot, preview: { port: 0, host: "127.0.0.1" }, logLevel: "error" });
    return { baseUrl: server.resolvedUrls?.local[0] ?? "", close: () => server.close() };
  }
  const server = await createServer({ root: appRoot, server: { port: 0, host: "127.0.0.1" }, logLevel: "error" });
  await server.listen();
  return { baseUrl: server.resolvedUrls?.local[0] ?? "", close: () => server.close() };
}

/** Serves the app (built `dist/` by default, or the dev server) and starts headless Chromium. */
export async function startPlayground(mode: ServeMode = "preview"): Promise<Playground> {
  const server = await serve(mode);
  const baseUrl = server.baseUrl;
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
      const badResponses: string[] = [];
      page.on("response", (r) => {
        if (r.status() >= 400) badResponses.push(`${r.status()} ${r.url()}`);
      });
      if (options.initScript !== undefined) await page.addInitScript(options.initScript);
      if (options.cores !== undefined) {
        const cdp = await page.context().newCDPSession(page);
        await cdp.send("Emulation.setHardwareConcurrencyOverride", { hardwareConcurrency: options.cores });
      }
      const query = options.backend === undefined ? "" : `?backend=${options.backend}`;
      await page.goto(`${baseUrl}${query}#/${pageId}`);
      return { page, errors, badResponses };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
