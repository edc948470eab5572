// "Your model, your images" in the browser: pick a model folder's files and an image folder, embed.
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createRng, encodePng, initBackend } from "@dl/tensor-core";
import { THIRD_PARTY_INPUT, saveQuantised, thirdPartyModel } from "../../../../packages/tensor-core/src/model/fixtures.js";
import { resultsDir, startPlayground, type Playground } from "../test-utils/browser.js";

let playground: Playground;
let work: string;

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
  work = await mkdtemp(join(tmpdir(), "dl-own-model-"));
  await saveQuantised(thirdPartyModel(4), join(work, "model"));
  const [h, w] = THIRD_PARTY_INPUT;
  const rng = createRng(1);
  // Three colour classes in label sub-folders.
  for (const [label, name] of ["red", "green", "blue"].entries()) {
    const dir = join(work, "images", name);
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < 20; i++) {
      const data = new Uint8ClampedArray(h * w * 4);
      for (let p = 0; p < h * w; p++) {
        for (let c = 0; c < 3; c++) data[p * 4 + c] = (c === label ? 180 : 50) + rng.next() * 60;
        data[p * 4 + 3] = 255;
      }
      await writeFile(join(dir, `${i}.png`), encodePng({ width: w, height: h, channels: 4, data }));
    }
  }
  // TCAV folders: class images, a concept (a yellow square on any colour) and random images.
  const square = async (dir: string, count: number, withSquare: boolean, seed: number): Promise<void> => {
    await mkdir(dir, { recursive: true });
    const r = createRng(seed);
    for (let i = 0; i < count; i++) {
      const data = new Uint8ClampedArray(h * w * 4);
      const label = i % 3;
      for (let p = 0; p < h * w; p++) {
        const y = Math.floor(p / w);
        const x = p % w;
        const inside = withSquare && y >= 5 && y < 12 && x >= 4 && x < 11;
        for (let c = 0; c < 3; c++) data[p * 4 + c] = inside ? (c < 2 ? 255 : 0) : (c === label ? 180 : 50) + r.next() * 60;
        data[p * 4 + 3] = 255;
      }
      await writeFile(join(dir, `${i}.png`), encodePng({ width: w, height: h, channels: 4, data }));
    }
  };
  await square(join(work, "tcav", "target"), 12, false, 2);
  await square(join(work, "tcav", "yellow-square"), 20, true, 3);
  await square(join(work, "tcav", "random"), 300, false, 4);
  playground = await startPlayground();
}, 120_000);

afterAll(async () => {
  await playground?.close();
  await rm(work, { recursive: true, force: true });
});

describe("embeddings page with your model and your images", () => {
  it("loads a quantised nested model and a labelled folder from file inputs and embeds layers spread over depth", async () => {
    const { page, errors } = await playground.open("interpretability", { backend: "wasm", height: 1600 });
    await page.waitForSelector("[data-testid=status][data-done]", { timeout: 540_000 });
    const modelDir = join(work, "model");
    await page.setInputFiles("[data-testid=model-files]", (await readdir(modelDir)).map((f) => join(modelDir, f)));
    await page.setInputFiles("[data-testid=image-files]", join(work, "images"));
    await page.selectOption("[data-testid=preprocess]", "unit");
    await page.click("[data-testid=run-own]");
    await page.waitForFunction(() => (document.querySelector("[data-testid=status]")?.textContent ?? "").includes("your 60 images"), undefined, { timeout: 300_000 });
    const status = (await page.textContent("[data-testid=status]")) ?? "";
    expect(status).toMatch(/Embedded 6 layers of your 60 images \(3 labels\)/);
    const layers = await page.$$eval("[data-testid=layer-table] tr", (trs) => trs.slice(1).map((tr) => tr.querySelector("td")?.textContent ?? ""));
    // Layers spread over depth, inside the nested backbone too.
    expect(layers).toEqual(["pixels", "backbone/b_bn1", "backbone/b_add", "backbone/b_pool", "gap", "head"]);
    const pixelsKnn = Number(await page.$eval("[data-testid=layer-table] tr:nth-child(2) td:nth-child(2)", (td) => td.textContent));
    expect(pixelsKnn).toBeGreaterThan(0.9);
    expect(await page.textContent("[data-testid=predictions]")).toMatch(/Top predictions of the first images: /);
    await page.screenshot({ path: `${resultsDir}own-model.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);

  it("runs TCAV on the picked model with picked class, concept and random folders", async () => {
    const { page, errors } = await playground.open("tcav", { backend: "wasm", height: 1600 });
    const modelDir = join(work, "model");
    await page.setInputFiles("[data-testid=own-model-files]", (await readdir(modelDir)).map((f) => join(modelDir, f)));
    await page.setInputFiles("[data-testid=own-target]", join(work, "tcav", "target"));
    await page.setInputFiles("[data-testid=own-concept]", join(work, "tcav", "yellow-square"));
    await page.setInputFiles("[data-testid=own-random]", join(work, "tcav", "random"));
    await page.fill("[data-testid=own-class]", "2");
    await page.fill("[data-testid=own-layer]", "backbone/b_add");
    await page.click("[data-testid=own-run]");
    await page.waitForSelector("[data-testid=tcav-status][data-own=done]", { timeout: 300_000 });
    const status = (await page.textContent("[data-testid=tcav-status]")) ?? "";
    // 300 random images in sets of 20: 13 random concepts.
    expect(status).toMatch(/^Your model: backbone\/b_add, 13 random concepts, done in/);
    const result = (await page.textContent("[data-testid=tcav-result]")) ?? "";
    expect(result).toMatch(/TCAV score \d\.\d{3}/);
    // With 13 random concepts the randomization p-value is a multiple of 1/14.
    const p = Number(/p randomization ([\d.e-]+)/.exec(result)?.[1]);
    expect(Math.round(p * 14)).toBeCloseTo(p * 14, 2);
    await page.screenshot({ path: `${resultsDir}own-model-tcav.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);
});
