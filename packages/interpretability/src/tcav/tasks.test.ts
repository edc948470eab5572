import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";

import { createRng, initBackend } from "@dl/tensor-core";

import { type ImageSet, type TcavOptions, mergeTcav, prepareTcav, runTcav, runTcavTask, tcavFromLayerData, tcavTasks } from "./tcav.js";

const SIDE = 4;

function images(count: number, seed: number, bright = 0): ImageSet {
  const rng = createRng(seed);
  const data = new Float32Array(count * SIDE * SIDE);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, rng.next() * 0.8 + ((i % 16) < 8 ? bright : 0));
  return { images: data, count, height: SIDE, width: SIDE, channels: 1 };
}

function model(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.flatten({ inputShape: [SIDE, SIDE, 1], name: "flatten" }));
  m.add(tfl.layers.dense({ units: 6, activation: "tanh", name: "hidden", kernelInitializer: tfl.initializers.glorotNormal({ seed: 3 }) }));
  m.add(tfl.layers.dense({ units: 2, name: "logits", kernelInitializer: tfl.initializers.glorotNormal({ seed: 4 }) }));
  return m;
}

const options: TcavOptions = {
  target: 1,
  targetImages: images(20, 3),
  concepts: [
    { name: "bright", ...images(12, 1, 0.3) },
    { name: "noise", ...images(12, 2) },
  ],
  randomPool: images(12 * 14, 4),
  layers: ["flatten", "hidden"],
  randomRuns: 3,
  nullDraws: 11,
  setSize: 12,
  seed: 5,
};

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("TCAV as tasks and a merge", () => {
  it("merges shuffled, partitioned and duplicated task results into exactly runTcav's rows, and those into the layer-at-a-time statistics", async () => {
    const m = model();
    const before = tf.memory().numTensors;
    const whole = await runTcav(m, options);
    const plan = await prepareTcav(m, options);
    expect(tf.memory().numTensors).toBe(before);
    // 2 layers × (2 concepts + 11 nulls) sets in tasks of 3 sets: ceil(13 / 3) = 5 per layer.
    const tasks = tcavTasks(plan.summary, 3);
    expect(tasks).toHaveLength(10);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(10);
    const rng = createRng(9);
    const shuffled = Array.from(rng.permutation(tasks.length), (i) => tasks[i]!);
    // Two "workers" take alternate tasks; one task ran twice (a retried stall) and counts once.
    const a = shuffled.filter((_, i) => i % 2 === 0).map((t) => runTcavTask(plan, t));
    const b = shuffled.filter((_, i) => i % 2 === 1).map((t) => runTcavTask(plan, t));
    const merged = mergeTcav(plan.summary, [...b, a[0]!, ...a]);
    expect(JSON.parse(JSON.stringify(merged.rows))).toEqual(JSON.parse(JSON.stringify(whole.rows)));
    // Other task sizes give the same numbers: each CAV's seed belongs to its (set, run), not its task.
    const single = mergeTcav(plan.summary, tcavTasks(plan.summary, 100).map((t) => runTcavTask(plan, t)));
    expect(single.rows.map((r) => r.pValues)).toEqual(whole.rows.map((r) => r.pValues));
    // Independent path: the pre-task layer-by-layer scorer on the same activations.
    const conceptRows = [
      { name: "bright", rows: Int32Array.from({ length: 12 }, (_, i) => i) },
      { name: "noise", rows: Int32Array.from({ length: 12 }, (_, i) => 12 + i) },
    ];
    const poolRows = Int32Array.from({ length: 12 * 14 }, (_, i) => 24 + i);
    const reference = tcavFromLayerData(plan.layerData, conceptRows, poolRows, 1, options);
    expect(merged.rows.map((r) => [r.concept, r.layer, r.scores, r.pValues, r.adjusted])).toEqual(reference.map((r) => [r.concept, r.layer, r.scores, r.pValues, r.adjusted]));
    m.dispose();
  });

  it("refuses to merge with a task missing and a task that does not fit the plan", async () => {
    const m = model();
    const plan = await prepareTcav(m, options);
    const tasks = tcavTasks(plan.summary, 4);
    const results = tasks.map((t) => runTcavTask(plan, t));
    expect(() => mergeTcav(plan.summary, results.slice(1))).toThrow(/set 0 of layer flatten has no result/);
    expect(() => runTcavTask(plan, { id: "x", layer: 2, start: 0, end: 1 })).toThrow(/does not fit this plan/);
    expect(() => tcavTasks(plan.summary, 0)).toThrow(/setsPerTask/);
    m.dispose();
  });
});
