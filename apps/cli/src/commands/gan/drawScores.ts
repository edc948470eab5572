// The final scores over several draws of z (dl gan train / sample --eval-draws): their JSON and their summary line.
import { Option } from "commander";

import { MAX_SCORE_DRAWS, type DrawScores, type DrawSpread } from "@dl/gan";

import { parseInteger } from "../../options.js";

/**
 * Draws `dl gan train` scores by default: six 1,000-sample draws (seeds 99–104), ≈ 13 s CPU beyond the single draw on
 * Fashion-MNIST, where one draw's Fréchet distance moves by sd 0.9–1.8 for the same G.
 */
export const DEFAULT_EVAL_DRAWS = 6;

export function evalDrawsOption(what: string): Option {
  return new Option("--eval-draws <k>", `${what} (1 … ${MAX_SCORE_DRAWS}; each 1,000-sample draw ≈ 2.5 s CPU)`).argParser(parseInteger("--eval-draws", 1, MAX_SCORE_DRAWS));
}

/** The JSON of scores over draws: each figure's mean, sd (null for one draw) and per-draw values. */
export function drawScoresJson(scores: DrawScores): Record<string, unknown> {
  const figure = ({ mean, sd, values }: DrawSpread): DrawSpread => ({ mean, sd, values });
  return {
    draws: scores.seeds.length,
    seeds: scores.seeds,
    samples: scores.samples,
    truncation: scores.truncation,
    ...(scores.labelAccuracy ? { accuracy: figure(scores.labelAccuracy) } : {}),
    precision: figure(scores.precision),
    recall: figure(scores.recall),
    frechet: figure(scores.frechet),
    frechetRealBaseline: scores.frechetRealBaseline,
  };
}

/** "over 6 draws of z: Fréchet 10.13 ± 1.24, …" (mean ± sd). */
export function drawScoresSummary(scores: DrawScores): string {
  const pm = ({ mean, sd }: DrawSpread, digits: number, scale = 1): string => `${(mean * scale).toFixed(digits)}${sd === null ? "" : ` ± ${(sd * scale).toFixed(digits)}`}`;
  const accuracy = scores.labelAccuracy ? `label accuracy ${pm(scores.labelAccuracy, 1, 100)}%, ` : "";
  const n = scores.seeds.length;
  const seeds = n === 1 ? `seed ${scores.seeds[0]}` : `seeds ${scores.seeds[0]}–${scores.seeds.at(-1)}`;
  return `over ${n} draw${n === 1 ? "" : "s"} of z (${seeds}, ${scores.samples} samples each): ${accuracy}Fréchet ${pm(scores.frechet, 2)} (real vs real ${scores.frechetRealBaseline.toFixed(2)}), precision ${pm(scores.precision, 3)}, recall ${pm(scores.recall, 3)}`;
}
