import type { Command } from "commander";

import { parseDistribution } from "@dl/bayes";
import { changeOfVariables1d, changeOfVariables2d, changeOfVariablesReport1d, changeOfVariablesReport2d, type ChangeOfVariablesReport } from "@dl/gan";
import { DlError, renderReportHtml } from "@dl/tensor-core";

import { runAction, type ActionOutcome } from "../../action.js";
import { jsonFileText, log, type OutputFile } from "../../io.js";
import { backendOption, parseInteger, seedOption, type CommonOptions } from "../../options.js";

interface CovOptions extends CommonOptions {
  out: string;
  f: string;
  base: string;
  samples: number;
  bins?: number;
}

export function registerCov(gan: Command): void {
  gan
    .command("cov")
    .description("change of variables: density of y = f(x) for x ~ base, beside the histogram of pushed samples")
    .requiredOption("--f <expr>", "map: tanh, sigmoid, cubic, exp, square or an expression in x (2-D base: banana, tanh, shear or 'E1; E2' in x1, x2)")
    .option("--base <dist>", "base density, TFP parameters: normal(loc, scale), laplace(loc, scale), mvn_diag([..], [..])", "normal(0, 1)")
    .option("--samples <n>", "samples pushed through f (at most 1,000,000: ≈ 10 s, 0.3 GB)", parseInteger("--samples", 100, 1_000_000), 100_000)
    .option("--bins <n>", "histogram bins (per axis in 2-D; at most 1000)", parseInteger("--bins", 2, 1000))
    .requiredOption("--out <dir>", "folder for index.html, result.json and the figures (1-D: density.png/svg; 2-D: analytic.png, histogram.png)")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action((opts: CovOptions) => runAction("cov", opts, ({ seed }) => Promise.resolve(covOutcome(opts, seed))));
}

/** The density of y = f(x) by the formula beside the histogram of pushed samples, as files and figures. */
function covOutcome(opts: CovOptions, seed: number): ActionOutcome {
  const base = parseDistribution(opts.base);
  const run = { seed, samples: opts.samples, ...(opts.bins ? { bins: opts.bins } : {}) };
  if (base.dim === 1) {
    const r = changeOfVariables1d(opts.f, base, run);
    const json = { f: r.f, base: r.base, monotone: r.monotone, turningPoints: r.turningPoints, explanation: r.explanation, samples: r.samples, bins: r.histogram.counts.length, l1: r.l1, samplingL1: r.samplingL1 };
    log(r.explanation);
    const files = [["result.json", jsonFileText({ ...json, curve: r.curve, histogram: r.histogram })] as const, ...pageFiles(changeOfVariablesReport1d(r))];
    return { files, json, summary: `L1(analytic, histogram) = ${r.l1.toFixed(4)} (sampling noise alone ≈ ${r.samplingL1.toFixed(4)})` };
  }
  if (base.dim === 2) {
    const r = changeOfVariables2d(opts.f, base, run);
    const json = { f: r.f, base: r.base, samples: r.samples, bins: r.histogram.edges1.length - 1, l1: r.l1, samplingL1: r.samplingL1 };
    const files = [["result.json", jsonFileText({ ...json, histogram: r.histogram, analytic: r.analytic })] as const, ...pageFiles(changeOfVariablesReport2d(r))];
    return { files, json, summary: `L1(analytic, 2-D histogram) = ${r.l1.toFixed(4)} (sampling noise alone ≈ ${r.samplingL1.toFixed(4)})` };
  }
  throw new DlError("INVALID_ARGUMENT", `dl gan cov handles 1-D and 2-D bases; ${base.spec} has ${base.dim} dimensions.`);
}

/** index.html (the page with its figures) and the pictures beside it. */
function pageFiles({ title, sections, pictures }: ChangeOfVariablesReport): OutputFile[] {
  return [["index.html", renderReportHtml({ title, sections })], ...Object.entries(pictures)];
}
