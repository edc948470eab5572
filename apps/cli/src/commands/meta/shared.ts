import { Option, type Command } from "commander";

import { loadDataset, parseDatasetName, sampleDataset, type ImageDataset } from "@dl/tensor-core";

import { backendOption, parseInteger, seedOption, type CommonOptions } from "../../options.js";

// What the dl meta commands share: their common flags, the train/test splits and how an accuracy reads.

export interface DataOptions extends CommonOptions {
  data: string;
  limit?: number;
}

/** A mean accuracy with its 95 % interval, in percent: "93.1% ± 0.4". */
export const pct = (a: { mean: number; ci95: number }): string => `${(a.mean * 100).toFixed(1)}% ± ${(a.ci95 * 100).toFixed(1)}`;

/** The train split of `--data` and the test split of `--test-data` (default `--data`), each cut to `--limit` images by a stratified sample. */
export async function loadSplits(opts: DataOptions & { testData?: string }, seed: number): Promise<{ train: ImageDataset; test: ImageDataset }> {
  const name = parseDatasetName(opts.data);
  const testName = parseDatasetName(opts.testData ?? opts.data);
  const limit = (ds: ImageDataset, s: number): ImageDataset => (opts.limit === undefined || opts.limit >= ds.count ? ds : sampleDataset(ds, opts.limit, s, { stratified: true }));
  return { train: limit(await loadDataset(name, { split: "train" }), seed), test: limit(await loadDataset(testName, { split: "test" }), seed + 1) };
}

/** A `dl meta` subcommand with --seed, --backend and --json. */
export function metaCommand(meta: Command, name: string): Command {
  return meta
    .command(name)
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout");
}

/** The hidden --limit of the dl meta commands (small runs in tests). */
export const limitOption = (): Option => new Option("--limit <n>", "use at most N train and N test images").argParser(parseInteger("--limit", 50)).hideHelp();
