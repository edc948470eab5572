import { decode } from "fast-png";
import { describe, expect, it } from "vitest";

import type { EpochRecord } from "./train.js";
import { trainingCurveFigures, trainingCurves } from "./trainingCurves.js";

const history: EpochRecord[] = [
  { epoch: 1, loss: 0.9, accuracy: 0.7, testAccuracy: 0.8, seconds: 1 },
  { epoch: 2, loss: 0.4, accuracy: 0.88, testAccuracy: 0.91, seconds: 2 },
  { epoch: 3, loss: 0.2, accuracy: 0.95, testAccuracy: 0.94, seconds: 3 },
];

describe("trainingCurves", () => {
  it("has one series per figure of the history, point for point", () => {
    const curves = trainingCurves(history);
    expect(curves.map((c) => c.name)).toEqual(["train loss", "train accuracy", "test accuracy"]);
    for (const c of curves) expect(Array.from(c.x ?? [])).toEqual([1, 2, 3]);
    expect(Array.from(curves[0]?.y ?? [])).toEqual([0.9, 0.4, 0.2]);
    expect(Array.from(curves[1]?.y ?? [])).toEqual([0.7, 0.88, 0.95]);
    expect(Array.from(curves[2]?.y ?? [])).toEqual([0.8, 0.91, 0.94]);
  });

  it("draws a 560 × 280 PNG and an SVG with one polyline per curve and the title", () => {
    const { png, svg } = trainingCurveFigures(history, "cnn on mnist");
    const image = decode(png);
    expect([image.width, image.height]).toEqual([560, 280]);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg).toContain("cnn on mnist");
  });
});
