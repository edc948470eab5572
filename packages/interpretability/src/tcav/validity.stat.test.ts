// Validity: a controlled experiment with a known answer (in the spirit of Kim et al. 2018, §4.3).
// Class 2 is "any digit 3–9 carrying a bright vertical stripe"; classes 0 and 1 are the digits 0 and
// 1 without it. The stripe is the only cue shared by class 2, so the model must use it: TCAV must
// call the stripe concept significant for class 2 and not for classes 0 and 1.
import { beforeAll, describe, expect, it } from "vitest";

import { type ImageDataset, createRng, initBackend, loadDataset } from "@dl/tensor-core";

import { type ConceptSet, type ImageSet, type TcavResult, runTcav } from "./tcav.js";
import { fitSmall, pickImages, smallMlp } from "./testing.js";

const LAYERS = ["dense1", "dense2"];
// Holm over 2 concepts × 2 layers needs p ≤ 0.05 / 4: at least 80 null draws (p ≥ 1 / (n + 1)).

function withStripe(set: ImageSet): ImageSet {
  const images = Float32Array.from(set.images);
  for (let i = 0; i < set.count; i++) {
    for (let row = 4; row < 24; row++) for (let col = 24; col < 26; col++) images[i * 784 + row * 28 + col] = 1;
  }
  return { ...set, images };
}

function byDigit(ds: ImageDataset, indices: ArrayLike<number>, keep: (digit: number) => boolean): number[] {
  return Array.from(indices).filter((i) => keep(ds.labels[i] as number));
}

const results = new Map<number, TcavResult>();

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  const all = await loadDataset("mnist", { split: "train" });
  const order = createRng(4).permutation(all.count);
  const trainPart = order.subarray(0, 4000);
  const heldOut = order.subarray(4000);
  // Training set: 0s, 1s and striped 3–9s (class 2), shuffled together.
  const zeros = byDigit(all, trainPart, (d) => d === 0).slice(0, 500);
  const ones = byDigit(all, trainPart, (d) => d === 1).slice(0, 500);
  const others = byDigit(all, trainPart, (d) => d >= 3).slice(0, 500);
  const parts = [pickImages(all, zeros), pickImages(all, ones), withStripe(pickImages(all, others))];
  const labels = [...zeros.map(() => 0), ...ones.map(() => 1), ...others.map(() => 2)];
  const mix = createRng(5).permutation(labels.length);
  const concatenated = new Float32Array(labels.length * 784);
  let offset = 0;
  for (const p of parts) {
    concatenated.set(p.images, offset);
    offset += p.images.length;
  }
  const train = pickImages({ images: concatenated, count: labels.length, height: 28, width: 28, channels: 1 }, mix);
  const model = smallMlp(3, 11);
  const accuracy = await fitSmall(model, train, Int32Array.from(mix, (i) => labels[i] as number), 3, 5);
  expect(accuracy).toBeGreaterThan(0.95);

  // Held-out images: the stripe concept (stripes on digits of every class), a random-digit control
  // concept, the random pool and the inputs of each class.
  const stripeConcept: ConceptSet = { name: "stripe", ...withStripe(pickImages(all, heldOut.subarray(0, 50))) };
  const control: ConceptSet = { name: "random-digits", ...pickImages(all, heldOut.subarray(50, 100)) };
  const randomPool = pickImages(all, heldOut.subarray(100, 3300));
  const rest = heldOut.subarray(3300);
  const targets: ImageSet[] = [
    pickImages(all, byDigit(all, rest, (d) => d === 0).slice(0, 60)),
    pickImages(all, byDigit(all, rest, (d) => d === 1).slice(0, 60)),
    withStripe(pickImages(all, byDigit(all, rest, (d) => d >= 3).slice(0, 60))),
  ];
  for (const [target, targetImages] of targets.entries()) {
    results.set(
      target,
      await runTcav(model, { target, targetImages, concepts: [stripeConcept, control], randomPool, layers: LAYERS, randomRuns: 5, nullDraws: 100, setSize: 30, seed: 3 }),
    );
  }
}, 600_000);

describe("TCAV on a model driven by a planted stripe", () => {
  it("finds the stripe significant for the striped class at every layer and not for the others", () => {
    const summary = [...results].flatMap(([target, r]) => r.rows.map((row) => ({ target, concept: row.concept, layer: row.layer, score: row.score, p: row.pValues, adjusted: row.adjusted, significant: row.significant })));
    process.stderr.write(`TCAV validity: ${JSON.stringify(summary)}\n`);
    for (const layer of LAYERS) {
      const striped = results.get(2)?.rows.find((r) => r.concept === "stripe" && r.layer === layer);
      expect(striped?.significant).toBe(true);
      expect(striped?.cavAccuracy).toBeGreaterThan(0.95);
      for (const target of [0, 1]) {
        expect(results.get(target)?.rows.find((r) => r.concept === "stripe" && r.layer === layer)?.significant).toBe(false);
      }
    }
  });
});
