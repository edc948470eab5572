// Every page of the playground, served both ways a user starts it: `pnpm playground` (vite dev, the
// MNIST assets served from memory) and `pnpm playground:preview` (the built dist/). Each page must load
// its data and reach its first result with no page error and no failed request (favicon included).
// The heavy checks of each page (training, scores) live in pages/*.e2e.test.ts.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resultsDir, startPlayground, type Playground, type ServeMode } from "./test-utils/browser.js";

/** A status line left its loading text: the MNIST split arrived (or the page failed, checked after). */
const pastLoading = (testId: string) => (page: Page) =>
  page.waitForFunction((id) => {
    const text = document.querySelector(`[data-testid=${id}]`)?.textContent ?? "";
    return text !== "" && !text.startsWith("Loading");
  }, testId, { timeout: 180_000 });

/** Per page: what its first result looks like, and the text that must not say "Failed". */
const READY: Record<string, { wait: (page: Page) => Promise<unknown>; status?: string }> = {
  foundation: { wait: pastLoading("status"), status: "status" },
  interpretability: { wait: pastLoading("status"), status: "status" },
  tcav: { wait: pastLoading("tcav-status"), status: "tcav-status" },
  gan: { wait: (page) => page.waitForSelector("[data-testid=cov-chart] svg", { timeout: 120_000 }) },
  // The shipped cGAN (public/models/cgan-mnist/) drawn: its three files load under both servers.
  "gan-train": { wait: (page) => page.waitForSelector("[data-testid=cgan-pretrained-grid][data-steps]", { timeout: 120_000 }), status: "cgan-pretrained-status" },
  metalearn: { wait: (page) => page.waitForSelector("[data-testid=status][data-accuracy]", { timeout: 180_000 }), status: "status" },
  bayes: { wait: (page) => page.waitForSelector("[data-testid=bayes-phi] svg", { timeout: 120_000 }) },
};

describe.each<ServeMode>(["dev", "preview"])("every page under vite %s", (mode) => {
  let playground: Playground;
  beforeAll(async () => {
    playground = await startPlayground(mode);
  }, 120_000);
  afterAll(async () => {
    await playground?.close();
  });

  it("the navigation lists exactly the pages this test covers", async () => {
    const { page } = await playground.open("foundation");
    await page.waitForSelector("#nav a");
    const ids = await page.$$eval("#nav a", (links) => links.map((a) => (a as HTMLElement).dataset["page"] ?? ""));
    expect(ids.sort()).toEqual(Object.keys(READY).sort());
    await page.close();
  }, 180_000);

  it.each(Object.keys(READY))("%s loads its data and shows its first result", async (id) => {
    const ready = READY[id]!;
    const { page, errors, badResponses } = await playground.open(id, { backend: "wasm" });
    await ready.wait(page);
    if (ready.status !== undefined) expect(await page.textContent(`[data-testid=${ready.status}]`)).not.toMatch(/Failed|not valid JSON/);
    await page.screenshot({ path: `${resultsDir}${mode}-${id}.png`, fullPage: true });
    expect(errors).toEqual([]);
    expect(badResponses).toEqual([]);
    await page.close();
  }, 300_000);
});
