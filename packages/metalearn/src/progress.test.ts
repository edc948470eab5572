import { beforeAll, describe, expect, it } from "vitest";

import { initBackend, unfinishedPhases, type ProgressEvent } from "@dl/tensor-core";

import { runFineTuneExperiment } from "./finetune/fineTuneExperiment.js";
import { pixelsAsVectors } from "./matching/embedding.js";
import { evaluateFewShot } from "./fewShot/evaluate.js";
import { metaTrain } from "./matching/metaTrain.js";
import { pretrainClassifier } from "./pretrain/supervised.js";
import { runSinusoidExperiment } from "./regression/sinusoidExperiment.js";
import { syntheticImages } from "./test-utils/synthetic.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const data = syntheticImages({ classes: 6, perClass: 12, height: 8, width: 8, noise: 0.3, seed: 5 });

function collect(): { events: ProgressEvent[]; onProgress: (e: ProgressEvent) => void } {
  const events: ProgressEvent[] = [];
  return { events, onProgress: (e) => events.push(e) };
}

describe("progress ends on the real final state", () => {
  it("pretrainClassifier: a full run ends at its total, between reporting windows too", async () => {
    const { events, onProgress } = collect();
    const net = await pretrainClassifier(data, { filters: [2], batchSize: 8, steps: 7, seed: 1, onProgress });
    net.dispose();
    expect(events.at(-1)).toMatchObject({ phase: "pretrain", step: 7, total: 7 });
    expect(unfinishedPhases(events)).toEqual([]);
  });

  it("pretrainClassifier and metaTrain: a time budget ends on the step it stopped at and says so", async () => {
    const a = collect();
    const net = await pretrainClassifier(data, { filters: [2], batchSize: 8, steps: 100_000, timeBudgetSeconds: 0.3, seed: 1, onProgress: a.onProgress });
    net.dispose();
    expect(a.events.at(-1)).toEqual({ phase: "pretrain", step: net.steps, total: 100_000, stopped: "the time budget of 0.3 s" });
    expect(net.steps).toBeLessThan(100_000);
    const b = collect();
    const learner = await metaTrain(data, { method: "proto", ways: 3, shots: 1, queries: 2, steps: 100_000, timeBudgetSeconds: 0.3, seed: 2, embeddingSize: 4, onProgress: b.onProgress });
    learner.embedding.dispose();
    expect(b.events.at(-1)).toEqual({ phase: "meta-train", step: learner.steps, total: 100_000, stopped: "the time budget of 0.3 s" });
    expect(unfinishedPhases([...a.events, ...b.events])).toEqual([]);
  });

  it("evaluateFewShot, the sinusoid and the fine-tuning experiments end every phase at its total", async () => {
    const { events, onProgress } = collect();
    await evaluateFewShot(pixelsAsVectors(data), { ways: 3, shots: 1, queries: 2, episodes: 7, seed: 5, onProgress });
    expect(events.at(-1)).toMatchObject({ phase: "evaluate", step: 7, total: 7 });
    await runSinusoidExperiment({ shots: 5, trainSteps: 30, testTasks: 3, testQueries: 5, fineTuneSteps: 1, seed: 1, onProgress });
    expect(events.filter((e) => e.phase === "meta-train").at(-1)).toMatchObject({ step: 30, total: 30 });
    const train = syntheticImages({ classes: 10, perClass: 30, noise: 0.3, seed: 1 });
    await runFineTuneExperiment(train, train, { shots: 1, steps: 2, seeds: 1, pretrainEpochs: 1, seed: 2, onProgress });
    expect(events.filter((e) => e.phase === "pretrain").at(-1)).toMatchObject({ step: 150, total: 150 });
    expect(unfinishedPhases(events)).toEqual([]);
  });
});
