import type { FewShotExperimentOptions } from "../fewShot/fewShotExperiment.js";

/**
 * The options `dl meta fewshot --data fashion-mnist --shots 1 --steps 600 --time-budget 86400` passes to
 * `runFewShotExperiment` (every flag's value as the CLI builds it, defaults included), at the CLI's default seed 42: one
 * linear network pretrained on Fashion-MNIST 0–4, 9 shifts, nearest shot, learned temperature. The time budget is left
 * out (at 86,400 s it never stops a 600-batch training, and a network trained under a budget is not cached). Stat files
 * that start from these options, spelled the same way, key the same network and features in the disk cache, so a run
 * trains and embeds them once.
 */
export function cliFewShotDefaults(): FewShotExperimentOptions {
  return {
    ways: 5,
    shots: 1,
    queries: 15,
    episodes: 600,
    method: "matching",
    training: "pretrain",
    filters: [16, 32, 64],
    generations: 1,
    ensemble: 1,
    pixelWeight: 0,
    power: 0.5,
    labelSmoothing: 0,
    mixupAlpha: 0,
    head: "linear",
    cosineScale: 10,
    shiftRadius: 1,
    warps: [],
    logistic: false,
    centre: "none",
    temperature: "learned",
    steps: 600,
    symmetries: 8,
    k: 1,
    arch: "mlp",
    seed: 42,
  };
}
