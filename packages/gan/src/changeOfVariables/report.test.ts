import { beforeAll, describe, expect, it } from "vitest";

import { mvnDiagRows, normalRows } from "@dl/bayes";
import { initBackend } from "@dl/tensor-core";

import { changeOfVariables1d } from "./oneD.js";
import { changeOfVariablesReport1d, changeOfVariablesReport2d, upwardPicture } from "./report.js";
import { changeOfVariables2d } from "./twoD.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe("change-of-variables report sections", () => {
  it("a 2-D grid [y₁ bin · bins + y₂ bin] becomes a picture with y₁ to the right and y₂ upward", () => {
    const bins = 3;
    const at = (i1: number, i2: number): number[] => Array.from({ length: bins * bins }, (_, k) => (k === i1 * bins + i2 ? 1 : 0));
    // Largest y₁, smallest y₂: bottom-right pixel (row 2, column 2).
    expect(upwardPicture(at(2, 0), bins)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // Smallest y₁, largest y₂: top-left pixel.
    expect(upwardPicture(at(0, 2), bins)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
    // y₁ = 1, y₂ = 2: top row, middle column.
    expect(upwardPicture(at(1, 2), bins)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("1-D: the section carries the run's L1 figures and monotonicity; density.png is a PNG, density.svg the same chart", () => {
    const r = changeOfVariables1d("tanh", normalRows(0, 1.5), { seed: 3, samples: 5000 });
    const report = changeOfVariablesReport1d(r);
    expect(report.title).toBe(`Change of variables: y = ${r.f}, x ~ ${r.base}`);
    const [section] = report.sections;
    expect(section?.metrics).toEqual({ "L1(analytic, histogram)": r.l1, "sampling noise alone": r.samplingL1, monotone: "yes", samples: 5000 });
    expect(section?.text).toContain(`Their L1 distance is ${r.l1.toPrecision(3)}, against ${r.samplingL1.toPrecision(3)}`);
    expect(Object.keys(report.pictures)).toEqual(["density.png", "density.svg"]);
    expect(Array.from((report.pictures["density.png"] as Uint8Array).subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(report.pictures["density.svg"]).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(section?.figures?.[0]?.id).toBe("density");
  });

  it("2-D: both pictures are PNGs of the same size and the text names the bins", () => {
    const r = changeOfVariables2d("shear", mvnDiagRows([0, 0], [1, 1]), { seed: 4, samples: 4000, bins: 5 });
    const report = changeOfVariablesReport2d(r);
    const [section] = report.sections;
    expect(section?.text).toContain("beside a 5 × 5 histogram");
    expect(section?.metrics).toEqual({ "L1(analytic, histogram)": r.l1, "sampling noise alone": r.samplingL1, samples: 4000 });
    expect(Object.keys(report.pictures)).toEqual(["analytic.png", "histogram.png"]);
    const size = (png: Uint8Array): [number, number] => {
      const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
      return [view.getUint32(16), view.getUint32(20)];
    };
    const analytic = report.pictures["analytic.png"] as Uint8Array;
    expect(Array.from(analytic.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(size(analytic)).toEqual(size(report.pictures["histogram.png"] as Uint8Array));
    expect(section?.figures?.map((f) => f.id)).toEqual(["analytic", "histogram"]);
  });
});
