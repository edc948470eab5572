import { describe, expect, it } from "vitest";

import { decode, encode } from "./codec.js";
import { jobArgv, parseShard } from "./runnerOptions.js";
import { numericFigures, parseSweepSpec, sweepTasks } from "./sweep.js";

describe("runner flags", () => {
  it("reads a shard from INDEX/COUNT or from the array job's environment, and rejects the rest", () => {
    expect(parseShard("3/8", {})).toEqual({ index: 3, count: 8 });
    expect(parseShard("8", { JOB_COMPLETION_INDEX: "5" })).toEqual({ index: 5, count: 8 });
    expect(parseShard("8", { SLURM_ARRAY_TASK_ID: "7" })).toEqual({ index: 7, count: 8 });
    expect(() => parseShard("8", {})).toThrow(/give INDEX\/8 or run as a Kubernetes Indexed Job/);
    expect(() => parseShard("8/8", {})).toThrow(/outside 0\.\.7/);
    expect(() => parseShard("a/b", {})).toThrow(/not INDEX\/COUNT/);
  });

  it("strips runner flags, --out and --json (both spellings) from the argv workers replay", () => {
    const raw = ["node", "dl", "tcav", "--target", "0", "--queue", "redis://h:1", "--out=x", "--workers", "3", "--json", "--concept", "loops", "--shard=0/2", "--task-size", "4"];
    expect(jobArgv(raw, "tcav")).toEqual(["--target", "0", "--concept", "loops"]);
  });

  it("round-trips NaN, ±Infinity and −0 bit for bit", () => {
    const back = decode(encode({ a: [Number.NaN, Infinity, -Infinity, -0, 0.1 + 0.2, 5e-324] })) as { a: number[] };
    expect(back.a[0]).toBeNaN();
    expect(back.a.slice(1, 3)).toEqual([Infinity, -Infinity]);
    expect(Object.is(back.a[3], -0)).toBe(true);
    expect(back.a[4]).toBe(0.30000000000000004);
    expect(back.a[5]).toBe(5e-324);
  });
});

describe("sweep spec", () => {
  it("expands a grid × seeds into one task per run with the exact argv", () => {
    const spec = parseSweepSpec({ command: ["gan", "train"], grid: { "--lr": [0.1, 0.01], "--wide": [true, false] }, seeds: 2 }, "s.json");
    const tasks = sweepTasks(spec);
    expect(tasks).toHaveLength(8);
    expect(tasks[0]).toMatchObject({ id: "sweep:0:1", argv: ["gan", "train", "--lr", "0.1", "--wide", "--seed", "1"] });
    expect(tasks[7]).toMatchObject({ id: "sweep:3:2", argv: ["gan", "train", "--lr", "0.01", "--seed", "2"] });
    expect(() => parseSweepSpec({ command: ["gan"], grid: { "--seed": [1] } }, "s.json")).toThrow(/s\.json: grid key --seed is set by the sweep itself/);
    expect(() => parseSweepSpec({ command: [] }, "s.json")).toThrow(/"command" must be/);
  });

  it("keeps numeric leaves by dotted path, skipping arrays and timings", () => {
    expect(numericFigures({ a: 1, b: { c: 2, seconds: 9, trainMs: 3 }, d: [1, 2], e: "x" })).toEqual({ a: 1, "b.c": 2 });
    expect(numericFigures({ a: 1, b: { c: 2 } }, ["b.c"])).toEqual({ "b.c": 2 });
  });
});
