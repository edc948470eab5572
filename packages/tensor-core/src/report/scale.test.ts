import { describe, expect, it } from "vitest";

import { axisTicks, extent, formatTick, linearScale, niceTicks } from "./scale.js";

describe("niceTicks", () => {
  const cases: [number, number, number][] = [
    [0, 1, 5],
    [0.013, 0.987, 5],
    [-3.7, 12.2, 5],
    [1, 10, 4],
    [0.5, 0.5000001, 5],
    [1e5, 3.3e7, 6],
    [-0.002, -0.001, 5],
  ];
  it.each(cases)("covers [%d, %d] with round steps", (lo, hi, count) => {
    const { ticks, step } = niceTicks(lo, hi, count);
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-9)).toBe(true);
    expect(ticks[0]!).toBeLessThanOrEqual(lo);
    expect(ticks[ticks.length - 1]!).toBeGreaterThanOrEqual(hi);
    // First tick below lo by less than a step; likewise at the top.
    expect(lo - ticks[0]!).toBeLessThan(step + 1e-12);
    expect(ticks[ticks.length - 1]! - hi).toBeLessThan(step + 1e-12);
    for (const t of ticks) expect(Math.abs(t / step - Math.round(t / step))).toBeLessThan(1e-6);
    expect(ticks.length).toBeLessThanOrEqual(2 * count + 2);
  });

  it("gives exact decimals (no float drift) and pads a degenerate range", () => {
    expect(niceTicks(0, 0.3, 3).ticks).toEqual([0, 0.1, 0.2, 0.3]);
    const flat = niceTicks(2, 2);
    expect(flat.ticks[0]!).toBeLessThan(2);
    expect(flat.ticks[flat.ticks.length - 1]!).toBeGreaterThan(2);
  });
});

describe("axisTicks", () => {
  it("keeps nice ticks inside the domain, whole numbers only for counts", () => {
    expect(axisTicks(0.3, 2.7, 5, false)).toEqual({ ticks: [0.5, 1, 1.5, 2, 2.5], step: 0.5 });
    expect(axisTicks(1, 3, 8, true)).toEqual({ ticks: [1, 2, 3], step: 1 });
  });

  it("labels a single x value with itself (one epoch, or one point at 23.4 CPU seconds)", () => {
    const one = axisTicks(23.4, 23.4, 6, false);
    expect(one.ticks).toEqual([23.4]);
    expect(formatTick(23.4, one.step)).toBe("23.4");
    expect(formatTick(1234.5678, axisTicks(1234.5678, 1234.5678, 6, false).step)).toBe("1235");
    expect(formatTick(0.000123456, axisTicks(0.000123456, 0.000123456, 6, false).step)).toBe("0.000123");
    const epoch = axisTicks(1, 1, 6, true);
    expect(epoch.ticks).toEqual([1]);
    expect(formatTick(1, epoch.step)).toBe("1");
  });
});

describe("scales", () => {
  it("maps the domain ends onto the range ends", () => {
    const s = linearScale(2, 6, 100, 0);
    expect(s(2)).toBe(100);
    expect(s(6)).toBe(0);
    expect(s(3)).toBe(75);
    expect(linearScale(1, 1, 0, 10)(123)).toBe(5);
  });

  it("extent skips non-finite values", () => {
    expect(extent([3, NaN, -1, Infinity, 2])).toEqual([-1, 3]);
    expect(extent([])).toEqual([0, 1]);
  });

  it("formats ticks with the decimals the step needs", () => {
    expect(formatTick(0.30000000000000004, 0.1)).toBe("0.3");
    expect(formatTick(20, 5)).toBe("20");
    expect(formatTick(0.25, 0.05)).toBe("0.25");
  });
});
