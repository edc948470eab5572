// "Your model, your images" with numbers: a CNN trained on colour images (Fashion-MNIST tinted with a
// random hue, except T-shirts, which are red nine times in ten), read back from PNG folders by label.
// (1) semantic purity rises with depth while pixel space groups by colour; (2) TCAV finds the planted
// colour concept (a folder of red images of other classes) for T-shirts only; (3) concepts made of
// random images from a folder are called significant at a rate ≤ α.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  type ImageDataset,
  type ImageFolder,
  activations,
  createDefaultModel,
  createRng,
  encodePng,
  gradientsAtLayer,
  initBackend,
  loadDataset,
  loadImageFolder,
  trainClassifier,
} from "@dl/tensor-core";

import type { ActivationMatrix } from "../tcav/cav.js";
import { binomialUpperMargin } from "../tcav/stats.js";
import { type TcavResult, runTcav, tcavFromLayerData } from "../tcav/tcav.js";
import { type LayerEmbedding, layerEmbeddings } from "./layerEmbeddings.js";

const RED = [1, 0.12, 0.12] as const;

function hueTint(h: number): [number, number, number] {
  const f = (n: number): number => {
    const k = (n + h * 6) % 6;
    return 1 - 0.85 * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}

/** Grey images × a tint per image: red for class 0 with probability 0.9 (or always with `forceRed`), else a random hue away from red. */
function colourise(ds: ImageDataset, rows: readonly number[], seed: number, forceRed = false): ImageDataset {
  const rng = createRng(seed);
  const images = new Float32Array(rows.length * 784 * 3);
  const labels = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    const label = ds.labels[r] as number;
    labels[i] = label;
    const red = forceRed || (label === 0 && rng.next() < 0.9);
    const tint = red ? RED : hueTint(0.15 + 0.7 * rng.next());
    for (let p = 0; p < 784; p++) {
      const v = ds.images[r * 784 + p] as number;
      for (let c = 0; c < 3; c++) images[(i * 784 + p) * 3 + c] = v * (tint[c] as number);
    }
  });
  return { name: "colour-fashion", images, labels, count: rows.length, height: 28, width: 28, channels: 3, classNames: ds.classNames };
}

/** Writes a dataset as PNG files, in one sub-folder per class when `byLabel`. */
async function writePngs(ds: ImageDataset, dir: string, byLabel: boolean): Promise<void> {
  for (let i = 0; i < ds.count; i++) {
    const folder = byLabel ? join(dir, `${ds.labels[i]}-${(ds.classNames[ds.labels[i] as number] ?? "").replace(/\W+/g, "_")}`) : dir;
    await mkdir(folder, { recursive: true });
    const data = new Uint8ClampedArray(784 * 4);
    for (let p = 0; p < 784; p++) {
      for (let c = 0; c < 3; c++) data[p * 4 + c] = Math.round((ds.images[(i * 784 + p) * 3 + c] as number) * 255);
      data[p * 4 + 3] = 255;
    }
    await writeFile(join(folder, `${String(i).padStart(4, "0")}.png`), encodePng({ width: 28, height: 28, channels: 4, data }));
  }
}

let work: string;
let rows: LayerEmbedding[];
let tcav: Map<number, TcavResult>;
let falsePositives = 0;
const TRIALS = 100;
const ALPHA = 0.05;

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  work = await mkdtemp(join(tmpdir(), "dl-colour-"));
  const train = await loadDataset("fashion-mnist", { split: "train" });
  const order = createRng(3).permutation(train.count);
  const trainSet = colourise(train, Array.from(order.subarray(0, 6000)), 1);
  const testRows = Array.from(order.subarray(6000, 6600));
  const testSet = colourise(train, testRows, 2);
  const model = createDefaultModel("cnn", { seed: 5, inputShape: [28, 28, 3] });
  const trained = await trainClassifier(model, trainSet, testSet, { epochs: 3, seed: 7, evaluateEachEpoch: false });
  expect(trained.testAccuracy).toBeGreaterThan(0.75);

  // The user's side: folders of PNG files.
  await writePngs(testSet, join(work, "test"), true);
  const conceptRows = Array.from(order.subarray(7000, 7400)).filter((r) => train.labels[r] !== 0).slice(0, 60);
  await writePngs(colourise(train, conceptRows, 3, true), join(work, "red"), false);
  await writePngs(colourise(train, Array.from(order.subarray(8000, 11000)), 4), join(work, "random"), false);
  const folder = await loadImageFolder(join(work, "test"), { channels: 3 });
  const images = folder.toDataset();
  rows = await layerEmbeddings(model, images, ["pool1", "pool2", "dense1"], { iterations: 500, seed: 1, modelInput: folder });

  const red = await loadImageFolder(join(work, "red"), { channels: 3 });
  const random: ImageFolder = await loadImageFolder(join(work, "random"), { channels: 3 });
  tcav = new Map();
  for (const target of [0, 7]) {
    const rowsOfClass = Array.from(folder.labels.keys()).filter((i) => folder.labels[i] === target);
    tcav.set(target, await runTcav(model, { target, targetImages: folder.toDataset({ rows: rowsOfClass }), concepts: [{ ...red.toDataset(), name: "red" }], randomPool: random, layers: ["pool2", "dense1"], randomRuns: 5, nullDraws: 80, setSize: 30, seed: 2 }));
  }

  // Calibration: concepts of random images from the random folder, against the same pool.
  const [acts] = await activations(model, random, ["dense1"]);
  const targetRows = Array.from(folder.labels.keys()).filter((i) => folder.labels[i] === 0);
  const grads = await gradientsAtLayer(model, folder.toDataset({ rows: targetRows }), "dense1", 0);
  const matrix = (data: Float32Array, n: number): ActivationMatrix => ({ data, rows: n, dim: data.length / n });
  const layerData = [{ layer: "dense1", activations: matrix(acts?.data ?? new Float32Array(), random.count), gradients: matrix(grads.data, targetRows.length) }];
  const rng = createRng(9);
  for (let t = 0; t < TRIALS; t++) {
    const shuffled = rng.permutation(random.count);
    const result = tcavFromLayerData(layerData, [{ name: "random", rows: shuffled.subarray(0, 30) }], shuffled.subarray(30, 1230), 0, { randomRuns: 5, nullDraws: 20, setSize: 30, seed: t, alpha: ALPHA, correction: "none" });
    if (result[0]?.pValues.randomization !== undefined && result[0].pValues.randomization <= ALPHA) falsePositives++;
  }
}, 900_000);

afterAll(() => rm(work, { recursive: true, force: true }));

describe("your colour images through your trained RGB model", () => {
  it("k-NN purity rises with depth while pixel neighbours (grouped by colour) fall away", () => {
    const table = rows.map((r) => `${r.layer} ${r.knnAccuracy.toFixed(3)}/${r.pixelOverlap.toFixed(3)}`).join(", ");
    process.stderr.write(`colour folders, k-NN purity / pixel overlap by depth: ${table}\n`);
    const acc = rows.map((r) => r.knnAccuracy);
    expect(rows.map((r) => r.layer)).toEqual(["pixels", "pool1", "pool2", "dense1"]);
    for (let i = 1; i < acc.length; i++) expect(acc[i], table).toBeGreaterThan((acc[i - 1] as number) - 0.01);
    expect((acc[3] as number) - (acc[0] as number), table).toBeGreaterThan(0.08);
    expect(rows[3]?.pixelOverlap, table).toBeLessThan(0.4);
  });

  it("finds the planted red concept for T-shirts and not for sneakers", () => {
    const summary = [...tcav].flatMap(([target, r]) => r.rows.map((row) => `${target}@${row.layer}: score ${row.score.toFixed(2)} p ${row.pValues.randomization.toFixed(4)} ${row.significant ? "sig" : "n.s."}`));
    process.stderr.write(`colour TCAV: ${summary.join("; ")}\n`);
    for (const row of tcav.get(0)?.rows ?? []) expect(row.significant, summary.join("; ")).toBe(true);
    for (const row of tcav.get(7)?.rows ?? []) expect(row.significant, summary.join("; ")).toBe(false);
    expect(tcav.get(0)?.rows).toHaveLength(2);
  });

  it(`calls concepts of random images significant at a rate ≤ ${ALPHA}`, () => {
    process.stderr.write(`colour TCAV calibration: ${falsePositives}/${TRIALS} random concepts significant at α = ${ALPHA}\n`);
    expect(falsePositives).toBeLessThanOrEqual(binomialUpperMargin(TRIALS, ALPHA, 0.99));
  });
});
