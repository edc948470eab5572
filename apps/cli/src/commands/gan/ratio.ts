import { dirname } from "node:path";

import { Option, type Command } from "commander";

import { parseDistribution } from "@dl/bayes";
import { fitDensityRatio, logRatioError } from "@dl/gan";
import { DlError, createRng, encodeNpy, readNpy } from "@dl/tensor-core";

import { runAction } from "../../action.js";
import { assertWritableDir, log, writeFileAtomic } from "../../io.js";
import { backendOption, parseInteger, parseNumber, seedOption, type CommonOptions } from "../../options.js";

interface RatioOptions extends CommonOptions {
  p: string;
  q: string;
  prior: number;
  n: number;
  classifier: "logistic" | "mlp";
  at?: string;
}

/** The points of `--at` as float64 rows of the distributions' dimension. */
async function readPoints(path: string, dim: number): Promise<Float64Array> {
  const arr = await readNpy(path);
  const cols = arr.shape.length === 1 ? 1 : (arr.shape[1] ?? 0);
  if (arr.shape.length > 2 || cols !== dim) throw new DlError("SHAPE_MISMATCH", `${path} has shape [${arr.shape.join(", ")}]; expected [m] or [m, ${dim}] points of the ${dim}-D distributions.`);
  return Float64Array.from(arr.data as ArrayLike<number>);
}

export function registerRatio(gan: Command): void {
  gan
    .command("ratio")
    .description("density ratio p*(x)/q(x) by classification: log r̂ = logit D(x) + log((1−π)/π)")
    .requiredOption("--p <dist>", "p*, TFP parameters, e.g. normal(0, 0.3536)")
    .requiredOption("--q <dist>", "q, e.g. normal(0, 0.7071)")
    .requiredOption("--prior <pi>", "π: the share of samples drawn from p*, in (0, 1)", parseNumber("--prior"))
    .option("--n <n>", "total samples (π·n from p*, the rest from q; at most 1,000,000)", parseInteger("--n", 20, 1_000_000), 20_000)
    .addOption(new Option("--classifier <kind>", "probabilistic classifier").choices(["logistic", "mlp"]).default("logistic"))
    .option("--at <file.npy>", "points (shape [m] or [m, dim]) where log r̂ is written to --out")
    .option("--out <file.npy>", "with --at: float32 .npy of log r̂ at those points, in order")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    // --out names one .npy file here, not a folder: the work writes it itself.
    .action(({ out, ...opts }: RatioOptions) =>
      runAction("ratio", opts, async ({ seed, onProgress }) => {
        if (!(opts.prior > 0 && opts.prior < 1)) throw new DlError("INVALID_ARGUMENT", `--prior must lie strictly between 0 and 1 (the share of samples from p*), got ${opts.prior}.`);
        const p = parseDistribution(opts.p);
        const q = parseDistribution(opts.q);
        if (p.dim !== q.dim) throw new DlError("SHAPE_MISMATCH", `p* and q must have the same dimension; ${p.spec} has ${p.dim}, ${q.spec} has ${q.dim}.`);
        if ((opts.at === undefined) !== (out === undefined)) throw new DlError("INVALID_ARGUMENT", "--at and --out go together: --at points.npy --out logratio.npy.");
        const at = opts.at === undefined ? undefined : await readPoints(opts.at, p.dim);
        if (out !== undefined) await assertWritableDir(dirname(out));
        const rng = createRng(seed);
        const nP = Math.max(2, Math.round(opts.prior * opts.n));
        const nQ = Math.max(2, opts.n - nP);
        const est = fitDensityRatio(p.sample(nP, rng), q.sample(nQ, rng), p.dim, { classifier: opts.classifier, seed, onProgress });
        const meanAbsError = logRatioError(p, q, est, { seed: seed + 1 });
        if (at !== undefined && out !== undefined) {
          const values = Float32Array.from(est.logRatio(at));
          await writeFileAtomic(out, encodeNpy({ data: values, shape: [values.length], dtype: "float32" }));
          log(`wrote log r̂ at ${values.length} points to ${out}`);
        }
        const json = { p: p.spec, q: q.spec, prior: est.prior, samplesP: nP, samplesQ: nQ, classifier: opts.classifier, meanAbsLogRatioError: meanAbsError, ...(out ? { out } : {}) };
        return { json, summary: `π = ${est.prior.toFixed(3)}; mean |log r̂ − log r| over the bulk = ${meanAbsError.toFixed(4)}` };
      }),
    );
}
