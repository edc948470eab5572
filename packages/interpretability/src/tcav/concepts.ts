// Built-in concepts for digit-like images, selected from a dataset by simple image statistics.
import { DlError, assertArgument, createRng, listNames } from "@dl/tensor-core";

import type { ConceptSet, ImageSet } from "./tcav.js";

export const BUILTIN_CONCEPTS = ["loops", "thick-strokes", "thin-strokes", "slant-right", "slant-left"] as const;
export type BuiltinConceptName = (typeof BUILTIN_CONCEPTS)[number];

export const BUILTIN_CONCEPT_DESCRIPTIONS: Readonly<Record<BuiltinConceptName, string>> = Object.freeze({
  loops: "images with an enclosed hole (background not reachable from the border, flood fill on the binarised image)",
  "thick-strokes": "the quarter of images with the widest strokes (stroke width ≈ 2 · ink area / ink perimeter)",
  "thin-strokes": "the quarter of images with the narrowest strokes",
  "slant-right": "the quarter of images leaning most to the right (shear −cov(row, col) / var(row) of the ink)",
  "slant-left": "the quarter of images leaning most to the left",
});

export function isBuiltinConcept(name: string): name is BuiltinConceptName {
  return (BUILTIN_CONCEPTS as readonly string[]).includes(name);
}

/** Ink threshold for binarising images in [0, 1]. */
const INK = 0.5;

/**
 * Area (pixels) of background regions enclosed by ink: a flood fill (4-connected) of the
 * background from the border; every background pixel it does not reach lies inside a loop.
 */
export function holeArea(image: ArrayLike<number>, height: number, width: number): number {
  const reached = new Uint8Array(height * width);
  const stack: number[] = [];
  const push = (r: number, c: number): void => {
    if (r < 0 || c < 0 || r >= height || c >= width) return;
    const i = r * width + c;
    if (reached[i] === 1 || (image[i] as number) >= INK) return;
    reached[i] = 1;
    stack.push(i);
  };
  for (let c = 0; c < width; c++) {
    push(0, c);
    push(height - 1, c);
  }
  for (let r = 0; r < height; r++) {
    push(r, 0);
    push(r, width - 1);
  }
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const r = Math.floor(i / width);
    const c = i % width;
    push(r - 1, c);
    push(r + 1, c);
    push(r, c - 1);
    push(r, c + 1);
  }
  let holes = 0;
  for (let i = 0; i < height * width; i++) if (reached[i] === 0 && (image[i] as number) < INK) holes++;
  return holes;
}

/**
 * Mean stroke width of the binarised ink: a stroke of width w and length L has area ≈ wL and
 * perimeter ≈ 2L, so w ≈ 2 · area / perimeter (perimeter = ink pixel edges facing background).
 */
export function strokeWidth(image: ArrayLike<number>, height: number, width: number): number {
  let area = 0;
  let perimeter = 0;
  const ink = (r: number, c: number): boolean => r >= 0 && c >= 0 && r < height && c < width && (image[r * width + c] as number) >= INK;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (!ink(r, c)) continue;
      area++;
      if (!ink(r - 1, c)) perimeter++;
      if (!ink(r + 1, c)) perimeter++;
      if (!ink(r, c - 1)) perimeter++;
      if (!ink(r, c + 1)) perimeter++;
    }
  }
  return perimeter === 0 ? 0 : (2 * area) / perimeter;
}

/**
 * Slant of the ink from its second moments: −cov(row, col) / var(row), intensity-weighted. A stroke
 * col = c0 − a·row (leaning right, "/") has slant a; upright strokes give 0, left-leaning ones < 0.
 */
export function slant(image: ArrayLike<number>, height: number, width: number): number {
  let mass = 0;
  let mr = 0;
  let mc = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v = image[r * width + c] as number;
      mass += v;
      mr += v * r;
      mc += v * c;
    }
  }
  if (mass === 0) return 0;
  mr /= mass;
  mc /= mass;
  let vrr = 0;
  let vrc = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v = image[r * width + c] as number;
      vrr += v * (r - mr) * (r - mr);
      vrc += v * (r - mr) * (c - mc);
    }
  }
  return vrr === 0 ? 0 : -vrc / vrr;
}

export interface BuiltinConceptOptions {
  /** Images in the concept (default 50). */
  count?: number;
  seed?: number;
  /** Only these rows of `source` may be used (e.g. the part not used as random pool). */
  candidates?: ArrayLike<number>;
}

/**
 * A named concept drawn from `source` (single-channel images in [0, 1]): the images meeting the
 * concept's statistic (see `BUILTIN_CONCEPT_DESCRIPTIONS`), `count` of them picked at random.
 */
export function builtinConcept(name: string, source: ImageSet, options: BuiltinConceptOptions = {}): ConceptSet & { indices: Int32Array } {
  if (!isBuiltinConcept(name)) {
    throw new DlError("UNKNOWN_NAME", `Unknown built-in concept "${name}"; built-in concepts: ${listNames(BUILTIN_CONCEPTS)} (or give a folder of PNGs or a .npy file).`, { details: { valid: [...BUILTIN_CONCEPTS] } });
  }
  assertArgument(source.channels === 1, () => `Built-in concepts are defined for single-channel (grey) images, got ${source.channels} channels; give the concept as a folder or .npy instead.`);
  const count = options.count ?? 50;
  const { height, width } = source;
  const per = height * width;
  const candidates = options.candidates === undefined ? Int32Array.from({ length: source.count }, (_, i) => i) : Int32Array.from(options.candidates);
  const statistic = name === "loops" ? holeArea : name === "thick-strokes" || name === "thin-strokes" ? strokeWidth : slant;
  const values = Array.from(candidates, (i) => statistic(source.images.subarray(i * per, (i + 1) * per), height, width));
  let eligible: number[];
  if (name === "loops") {
    // At least 4 enclosed pixels: a real loop, not a pinhole left by binarisation.
    eligible = candidates.reduce<number[]>((acc, row, k) => ((values[k] as number) >= 4 ? [...acc, row] : acc), []);
  } else {
    const sign = name === "thin-strokes" || name === "slant-left" ? -1 : 1;
    const order = Array.from(candidates.keys()).sort((a, b) => sign * ((values[b] as number) - (values[a] as number)));
    eligible = order.slice(0, Math.max(count, Math.floor(candidates.length / 4))).map((k) => candidates[k] as number);
  }
  if (eligible.length < count) {
    throw new DlError("INVALID_ARGUMENT", `Only ${eligible.length} candidate images show "${name}" but ${count} were asked for; use more source images or a smaller count.`);
  }
  const rng = createRng(options.seed);
  const chosen = Int32Array.from(rng.sample(eligible.length, count), (k) => eligible[k] as number).sort();
  const images = new Float32Array(count * per);
  chosen.forEach((row, i) => images.set(source.images.subarray(row * per, (row + 1) * per), i * per));
  return { name, images, count, height, width, channels: 1, indices: chosen };
}
