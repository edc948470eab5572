import { describe, expect, it } from "vitest";

import { unfinishedPhases } from "./progress.js";

describe("unfinishedPhases", () => {
  it("keeps each phase's last event when it is short of its total and gives no reason", () => {
    const events = [
      { phase: "cav", step: 510, total: 1020 },
      { phase: "gradients", step: 1, total: 1 },
      { phase: "iwae", step: 0, total: 1 },
      { phase: "pretrain", step: 2450, total: 3000, stopped: "the time budget of 300 s" },
      { phase: "cache", step: 0, message: "rebuilding" },
      { phase: "decode", step: 7 },
      { phase: "epoch", step: 2, total: 3 },
      { phase: "epoch", step: 3, total: 3 },
    ];
    expect(unfinishedPhases(events)).toEqual([
      { phase: "cav", step: 510, total: 1020 },
      { phase: "iwae", step: 0, total: 1 },
    ]);
  });

  it("judges a phase by its last event only", () => {
    expect(unfinishedPhases([{ phase: "a", step: 1, total: 1 }, { phase: "a", step: 0, total: 1 }])).toEqual([{ phase: "a", step: 0, total: 1 }]);
    expect(unfinishedPhases([])).toEqual([]);
  });
});
