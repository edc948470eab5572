import { DlError } from "../errors.js";

/** An RGBA colour, each channel 0–255. */
export type Rgba = readonly [r: number, g: number, b: number, a: number];

/** Tableau 10: the categorical palette of matplotlib/d3, distinguishable for up to ten classes. */
export const CATEGORICAL_COLORS: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/** The palette colour of class `label` (wraps around after ten). */
export function labelColor(label: number): string {
  const n = CATEGORICAL_COLORS.length;
  return CATEGORICAL_COLORS[((Math.trunc(label) % n) + n) % n] ?? "#000000";
}

/** Parses `#rgb`, `#rrggbb` or `#rrggbbaa`. */
export function parseColor(color: string): Rgba {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color.trim())?.[1];
  if (hex === undefined) {
    throw new DlError("INVALID_ARGUMENT", `Colour "${color}" is not a hex colour; expected #rgb, #rrggbb or #rrggbbaa.`);
  }
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  const channel = (i: number): number => parseInt(full.slice(2 * i, 2 * i + 2), 16);
  return [channel(0), channel(1), channel(2), full.length === 8 ? channel(3) : 255];
}

/** Perceived brightness in [0, 255] (ITU-R BT.601 luma). */
export function luma(color: Rgba): number {
  return 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2];
}
