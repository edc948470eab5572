import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "@dl/tensor-core";

import type { EnergyName } from "./energies.js";
import { fitPlanarFlow } from "./fitFlow.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

describe("planar flows on Rezende & Mohamed's energies", () => {
  for (const target of ["U2", "U4"] as EnergyName[]) {
    it(`${target}: KL(q‖p) with the exact normaliser is ≥ 0 and falls as K grows 2 → 8 → 32`, async () => {
      const before = tf.memory().numTensors;
      const kls: { kl: number; se: number }[] = [];
      for (const flows of [2, 8, 32]) {
        const r = await fitPlanarFlow(target, { flows, steps: 1500, seed: 1, klSamples: 20000 });
        kls.push({ kl: r.kl.kl, se: r.kl.standardError });
      }
      expect(tf.memory().numTensors).toBe(before);
      for (const k of kls) expect(k.kl).toBeGreaterThan(-3 * k.se);
      for (let i = 1; i < kls.length; i++) {
        const prev = kls[i - 1] ?? { kl: NaN, se: NaN };
        const cur = kls[i] ?? { kl: NaN, se: NaN };
        // A z-test on the difference of two independent Monte Carlo estimates.
        expect(prev.kl - cur.kl).toBeGreaterThan(3 * Math.hypot(prev.se, cur.se));
      }
    }, 600000);
  }
});
