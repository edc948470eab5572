import { beforeAll, describe, expect, it } from "vitest";

import { DATASET_NAMES, initBackend, loadDataset, type ImageDataset } from "@dl/tensor-core";

import { parseClassSet, runFineTuneGrid } from "./transferGrid.js";

const LEARNING_RATE = 3e-2;
const SEEDS = 20;

let train: ImageDataset;
let test: ImageDataset;

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
  train = await loadDataset("fashion-mnist", { split: "train" });
  test = await loadDataset("fashion-mnist", { split: "test" });
});

describe("discriminative learning rates (ULMFiT ÷2.6 per layer), the regime where they help", () => {
  it("after pretraining on T-shirt/trouser/dress/sandal/sneaker/bag, ÷2.6 per layer beats one rate on pullover/coat/shirt/boot at a high top rate (paired 95% CI)", async () => {
    // The README's regime at Adam 3·10⁻² on top, one epoch of pretraining, 5 labels per class (≈ 45 s of CPU).
    const result = await runFineTuneGrid(
      { "fashion-mnist": { train, test } },
      {
        sources: [parseClassSet("fashion-mnist/0,1,3,5,7,8", DATASET_NAMES)],
        targets: [parseClassSet("fashion-mnist/2,4,6,9", DATASET_NAMES)],
        labelsPerClass: [5],
        learningRates: [LEARNING_RATE],
        methods: ["uniform", "discriminative"],
        seeds: SEEDS,
        pretrainEpochs: 1,
        testPerClass: 300,
        seed: 7,
      },
    );
    const gap = result.cells[0]?.discriminativeMinusUniform;
    expect(gap?.n).toBe(SEEDS);
    // Measured +4.3 ± 1.9 points (uniform 59.5%, discriminative 63.7%); the paired CI must stay above 0.
    expect((gap?.mean ?? 0) - (gap?.ci95 ?? 1)).toBeGreaterThan(0);
    expect(result.cells[0]?.verdict).toBe("helps");
  }, 600_000);
});
