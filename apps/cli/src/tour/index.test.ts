import { describe, expect, it } from "vitest";

import { DlError, type ReportSection } from "@dl/tensor-core";

import type { TourContext } from "./context.js";
import { runTourTopics, type TourTopic } from "./index.js";

const ctx = { seed: 1, quick: true, onProgress: () => undefined } as unknown as TourContext;

describe("runTourTopics", () => {
  it("keeps going after a failing topic and reports its error as a section", async () => {
    const order: string[] = [];
    const ok = (id: string): TourTopic => ({
      id,
      title: id.toUpperCase(),
      run: (c) => {
        order.push(id);
        return Promise.resolve([{ id, title: `${id} (seed ${c.seed})` } satisfies ReportSection]);
      },
    });
    const failing: TourTopic = {
      id: "broken",
      title: "Broken",
      run: () => {
        order.push("broken");
        return Promise.reject(new DlError("UNKNOWN_LAYER", "no layer conv9"));
      },
    };
    let closed = 0;
    const { sections, outcomes } = await runTourTopics([ok("a"), failing, ok("b")], () => ({ ctx, done: () => (closed += 1) }));
    expect(order).toEqual(["a", "broken", "b"]);
    expect(closed).toBe(3);
    expect(sections.map((s) => s.id)).toEqual(["a", "broken", "b"]);
    expect(sections[0]?.title).toBe("a (seed 1)");
    expect(sections[1]?.error).toContain("error [UNKNOWN_LAYER]: no layer conv9");
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]?.error).toBe("error [UNKNOWN_LAYER]: no layer conv9");
  });
});

describe("runTourTopics validation", () => {
  it("fails a topic whose sections cannot render, and renames a section id taken by an earlier topic", async () => {
    const bad: TourTopic = {
      id: "bad",
      title: "Bad",
      run: () => Promise.resolve([{ id: "x", title: "x" }, { id: "x", title: "again" }]),
    };
    const first: TourTopic = { id: "one", title: "One", run: () => Promise.resolve([{ id: "shared", title: "first" }]) };
    const second: TourTopic = { id: "two", title: "Two", run: () => Promise.resolve([{ id: "shared", title: "second" }]) };
    const { sections, outcomes } = await runTourTopics([bad, first, second], () => ({ ctx, done: () => undefined }));
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true]);
    expect(outcomes[0]?.error).toMatch(/unique ids/);
    expect(sections.map((s) => s.id)).toEqual(["bad", "shared", "two-shared"]);
  });
});
