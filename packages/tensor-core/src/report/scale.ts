/** [min, max] of the finite values; [0, 1] when there are none. */
export function extent(values: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : [0, 1];
}

/** Maps [d0, d1] linearly onto [r0, r1]; a degenerate domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (value: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/**
 * About `count` round tick values covering [min, max]: the step is 1, 2 or 5 × 10^k (Heckbert,
 * "Nice numbers for graph labels", Graphics Gems 1990); ticks start at or below min and end at or
 * above max so they can also serve as the axis domain.
 */
export function niceTicks(min: number, max: number, count = 5): { ticks: number[]; step: number } {
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { ticks: [0, 1], step: 1 };
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / magnitude;
  const step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  // Multiply rather than accumulate so 0.1 + 0.2 drift never reaches a label.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { ticks, step };
}

/**
 * The x ticks of a chart over [lo, hi]: nice round values inside the domain, whole numbers only when the x values
 * are counts (epochs, k). A single x value (one epoch) is its own tick, with three significant digits where it is
 * not a count, so a one-point chart still says where its point lies.
 */
export function axisTicks(lo: number, hi: number, count: number, integers: boolean): { ticks: number[]; step: number } {
  if (lo === hi && Number.isFinite(lo)) {
    const step = integers || lo === 0 ? 1 : 10 ** (Math.floor(Math.log10(Math.abs(lo))) - 2);
    return { ticks: [lo], step: Math.min(step, 1) };
  }
  const nice = niceTicks(lo, hi, count);
  const { ticks, step } = integers && nice.step < 1 ? { ticks: nice.ticks.filter(Number.isInteger), step: 1 } : nice;
  return { ticks: ticks.filter((t) => t >= lo - 1e-12 && t <= hi + 1e-12), step };
}

/** A tick label with as many decimals as the step needs. */
export function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(Math.abs(step)) + 1e-9));
  return value.toFixed(Math.min(decimals, 12));
}
