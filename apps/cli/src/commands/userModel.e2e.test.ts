// End-to-end: `dl embed` and `dl tcav` on a model dl-lab did not build (nested backbone, residual add,
// uint8 weights, softmax head; a GraphModel) and on folders of PNG and JPEG images, as a user would run them.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import jpeg from "jpeg-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createRng, encodePng, initBackend } from "@dl/tensor-core";
import { THIRD_PARTY_INPUT, saveQuantised, thirdPartyModel, writeGraphModel } from "../../../../packages/tensor-core/src/model/fixtures.js";
import { expectOutputsAsReadme } from "../test-utils/outputs.js";
import { CLI_PATH, runDl, type DlRun } from "../test-utils/runDl.js";

let work: string;
let model: string;
let graph: string;
let images: string;

const dl = (args: readonly string[]): Promise<DlRun> => runDl(args, { cwd: work, backend: "cpu" });

/** A colour image: class 0 reddish, 1 greenish, 2 bluish, a bright square at a random place, noise. */
function picture(label: number, height: number, width: number, seed: number, square?: readonly [number, number, number]): Uint8ClampedArray {
  const rng = createRng(seed);
  const data = new Uint8ClampedArray(height * width * 4);
  const base = [60, 60, 60];
  base[label % 3] = 190;
  const top = Math.floor(rng.next() * (height - 6));
  const left = Math.floor(rng.next() * (width - 6));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inSquare = square !== undefined && y >= top && y < top + 6 && x >= left && x < left + 6;
      for (let c = 0; c < 3; c++) data[o + c] = inSquare ? (square[c] ?? 0) : (base[c] ?? 0) + (rng.next() - 0.5) * 60;
      data[o + 3] = 255;
    }
  }
  return data;
}

async function writeFolder(dir: string, count: number, label: number, seed: number, options: { jpegEvery?: number; size?: [number, number]; square?: [number, number, number] } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const [h, w] = options.size ?? [THIRD_PARTY_INPUT[0], THIRD_PARTY_INPUT[1]];
  for (let i = 0; i < count; i++) {
    const data = picture(label, h, w, seed * 1000 + i, options.square);
    if (options.jpegEvery !== undefined && i % options.jpegEvery === 0) {
      await writeFile(join(dir, `img${i}.jpg`), jpeg.encode({ data: Buffer.from(data.buffer), width: w, height: h }, 95).data);
    } else {
      await writeFile(join(dir, `img${i}.png`), encodePng({ width: w, height: h, channels: 4, data }));
    }
  }
}

beforeAll(async () => {
  expect(existsSync(CLI_PATH), `${CLI_PATH} missing: build first (pnpm --filter @dl/cli build)`).toBe(true);
  await initBackend({ backend: "cpu" });
  work = await mkdtemp(join(tmpdir(), "dl-user-model-"));
  model = join(work, "net");
  await saveQuantised(thirdPartyModel(2), model);
  graph = join(work, "graph");
  await writeGraphModel(graph);
  images = join(work, "images");
  // Three label folders of mixed PNG and JPEG, one of them at another size (resized, and said so).
  await writeFolder(join(images, "red"), 25, 0, 1, { jpegEvery: 3 });
  await writeFolder(join(images, "green"), 25, 1, 2, { jpegEvery: 4 });
  await writeFolder(join(images, "blue"), 25, 2, 3, { size: [40, 32] });
}, 120_000);
afterAll(() => (process.env["DL_KEEP_TEST_DIR"] === undefined ? rm(work, { recursive: true, force: true }) : undefined));

describe("dl embed on your model and your images", () => {
  it("embeds nested layers chosen by glob, writes colour pictures, predictions, preprocessing and peak RSS", async () => {
    const out = join(work, "embed");
    const run = await dl(["embed", "--model", `${model}/`, "--images", images, "--layers", "backbone/b_conv*,gap", "--preprocess", "unit", "--n", "75", "--iterations", "300", "--out", out, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      classes: string[];
      count: number;
      notes: string[];
      modelKind: string;
      preprocessing: { preset: string; scale: number };
      predictions: { image: string; top: { label: string; probability: number }[] }[];
      layers: { layer: string; features: number; reduction: string; knnAccuracy: number }[];
      peakRssMB: number;
    };
    expect(doc.classes).toEqual(["blue", "green", "red"]);
    expect(doc.count).toBe(75);
    expect(doc.notes.join(" ")).toMatch(/25 images? .*resized to 20×16/);
    expect(doc.modelKind).toBe("layers");
    expect(doc.preprocessing).toMatchObject({ preset: "unit", scale: 1 / 255 });
    expect(doc.layers.map((l) => l.layer)).toEqual(["pixels", "backbone/b_conv1", "backbone/b_conv2", "backbone/b_conv3", "gap"]);
    expect(doc.layers.find((l) => l.layer === "gap")).toMatchObject({ features: 8, reduction: "flatten" });
    // Three colour classes: even an untrained network keeps them apart in pixel space and early layers.
    expect(doc.layers[0]?.knnAccuracy).toBeGreaterThan(0.9);
    expect(doc.predictions).toHaveLength(8);
    for (const p of doc.predictions) {
      expect(p.top).toHaveLength(4);
      expect(p.top.reduce((s, t) => s + t.probability, 0)).toBeCloseTo(1, 5);
    }
    expect(doc.peakRssMB).toBeGreaterThan(50);
    const files = await readdir(out, { recursive: true });
    expect(files).toEqual(expect.arrayContaining(["index.html", "explorer.html", "metrics.json", "embeddings/backbone_b_conv1.npy", "embeddings/gap.npy"]));
    expect(files.filter((f) => f.endsWith(".png")).length).toBeGreaterThan(4);
    await expectOutputsAsReadme("`dl embed`", out);
    const html = await readFile(join(out, "index.html"), "utf8");
    expect(html).toContain("What the model predicts");
  }, 300_000);

  it("lists a model's layers, keeps file names from model content inside --out, and reads graph models", async () => {
    const list = await dl(["embed", "--model", join(model, "model.json"), "--list-layers"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/backbone\/b_add\s+Add\s+\[20, 16, 6\]/);
    expect(list.stdout).toMatch(/logits at head \(before the softmax\)/);

    // A layer named to climb out of --out.
    const evil = join(work, "evil");
    await saveQuantised(thirdPartyModel(2), evil);
    const json = (await readFile(join(evil, "model.json"), "utf8")).replaceAll('"gap"', '"x/../../../../evil"');
    await writeFile(join(evil, "model.json"), json);
    const out = join(work, "out-evil");
    const run = await dl(["embed", "--model", evil, "--images", images, "--layers", "x/../../../../evil", "--n", "60", "--iterations", "260", "--out", out]);
    expect(run.code, run.stderr).toBe(0);
    const files = await readdir(out, { recursive: true });
    expect(files.some((f) => f.startsWith("embeddings/x_") && f.endsWith("evil.npy"))).toBe(true);
    expect(existsSync(join(work, "evil.npy"))).toBe(false);
    expect(existsSync(join(out, "..", "evil.npy"))).toBe(false);

    const graphImages = join(work, "graph-images");
    await writeFolder(join(graphImages, "a"), 30, 0, 5, { size: [6, 6] });
    await writeFolder(join(graphImages, "b"), 30, 1, 6, { size: [6, 6] });
    const graphList = await dl(["embed", "--model", graph, "--list-layers"]);
    expect(graphList.stdout).toMatch(/net\/conv\/Relu\s+Relu/);
    const graphOut = join(work, "graph-out");
    const graphRun = await dl(["embed", "--model", graph, "--images", graphImages, "--layers", "**/Relu,net/gap/Mean", "--n", "60", "--iterations", "260", "--out", graphOut, "--json"]);
    expect(graphRun.code, graphRun.stderr).toBe(0);
    const doc = JSON.parse(graphRun.stdout) as { modelKind: string; layers: { layer: string; features: number }[] };
    expect(doc.modelKind).toBe("graph");
    expect(doc.layers.map((l) => [l.layer, l.features])).toEqual([
      ["pixels", 108],
      ["net/conv/Relu", 64],
      ["net/gap/Mean", 4],
    ]);
  }, 300_000);
});

describe("dl tcav on your model and your images", () => {
  it("finds a planted colour concept through a nested residual model and reports each layer's CAV space", async () => {
    const concept = join(work, "concept-yellow");
    const random = join(work, "random");
    const targetImages = join(work, "target");
    await writeFolder(concept, 20, 0, 11, { square: [255, 255, 0] });
    for (const [i, label] of [0, 1, 2].entries()) await writeFolder(join(random, String(label)), 160, label, 20 + i, { jpegEvery: 5 });
    await writeFolder(targetImages, 20, 0, 31);
    const out = join(work, "tcav");
    const run = await dl(["tcav", "--model", model, "--images", targetImages, "--target", "1", "--concept", concept, "--random-set", random, "--layers", "backbone/b_add,gap", "--random", "20", "--runs", "3", "--set-size", "20", "--out", out, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { rows: { concept: string; layer: string; score: number; cavAccuracy: number; pValues: { randomization: number } }[]; layerSpaces: { layer: string; features: number; reduction: string }[]; predictions: unknown[] };
    expect(doc.rows.map((r) => `${r.concept}@${r.layer}`)).toEqual(["concept-yellow@backbone/b_add", "concept-yellow@gap"]);
    expect(doc.layerSpaces).toEqual([
      { layer: "backbone/b_add", features: 20 * 16 * 6, reduction: "flatten" },
      { layer: "gap", features: 8, reduction: "flatten" },
    ]);
    // A yellow square is easy to tell from random images in the early map: the CAV separates them.
    expect(doc.rows[0]?.cavAccuracy).toBeGreaterThan(0.7);
    for (const r of doc.rows) expect(Math.round(r.pValues.randomization * 21)).toBeCloseTo(r.pValues.randomization * 21, 9);
    expect(doc.predictions).toHaveLength(8);
    const files = await readdir(out);
    expect(files).toEqual(expect.arrayContaining(["index.html", "tcav.json"]));
  }, 300_000);
});

describe("bad models and images: one line, nothing written", () => {
  async function expectRefused(args: string[], pattern: RegExp): Promise<void> {
    const out = join(work, `refused-${Math.random().toString(36).slice(2)}`);
    const run = await dl([...args, "--out", out]);
    expect(run.code, run.stdout).not.toBe(0);
    const lines = run.stderr.trim().split("\n").filter((l) => l.trim() !== "");
    expect(lines.at(-1)).toMatch(pattern);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  }

  it("refuses each with a line that names the problem", async () => {
    const empty = join(work, "empty");
    await mkdir(empty, { recursive: true });
    await expectRefused(["embed", "--model", model, "--images", empty], /error \[FILE_NOT_FOUND\]: --images: .*no images/i);
    const corrupt = join(work, "corrupt");
    await writeFolder(corrupt, 60, 0, 40);
    await writeFile(join(corrupt, "broken.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
    await expectRefused(["embed", "--model", model, "--images", corrupt], /broken\.jpg/);
    await expectRefused(["embed", "--model", model, "--images", images, "--layers", "block_1*_project_BN"], /Pattern "block_1\*_project_BN" matches no layer .* Close names: /);
    await expectRefused(["embed", "--model", "", "--images", images], /model path is empty/);
    await expectRefused(["embed", "--model", join(work, "nothing-here"), "--images", images], /No model at .*nothing-here: it does not exist/);
    const weightless = join(work, "weightless");
    await mkdir(weightless, { recursive: true });
    const topology = JSON.parse(await readFile(join(model, "model.json"), "utf8")) as Record<string, unknown>;
    await writeFile(join(weightless, "model.json"), JSON.stringify({ ...topology, weightsManifest: undefined }));
    await expectRefused(["embed", "--model", weightless, "--images", images], /lists no weights .*--allow-random-weights/);
    await expectRefused(["tcav", "--model", model, "--images", images, "--target", "1", "--concept", "loops"], /random-set|Built-in concept "loops"/);
    await expectRefused(["tcav", "--model", model, "--images", images, "--target", "9", "--concept", images, "--random-set", images], /--target 9 is out of range/);
  }, 300_000);
});
