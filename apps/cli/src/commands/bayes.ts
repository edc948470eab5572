import { readFile } from "node:fs/promises";

import { Option, type Command } from "commander";

import {
  DISTRIBUTION_NAMES,
  DISTRIBUTION_PARAMETER_NAMES,
  ENERGY_NAMES,
  FLOW_PICTURE_GRID,
  fitPlanarFlow,
  flowPictures,
  mixtureResponsibilities,
  parseEnergyName,
  parseMixtureSpec,
  sampleNamed,
  type GaussianMixture,
} from "@dl/bayes";
import { DlError, backendInfo, encodeNpy, readNpy } from "@dl/tensor-core";

import { runAction } from "../action.js";
import { jsonFileText, writeFileAtomic } from "../io.js";
import { registerGaps, registerVae } from "./bayes/vae.js";
import { InvalidOptionError, backendOption, parseFloat32, parseInteger, parsePositiveNumber, seedOption, type CommonOptions } from "../options.js";

async function readMixture(path: string): Promise<GaussianMixture> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new DlError("FILE_NOT_FOUND", `Cannot read the mixture parameters ${path}; pass a JSON file with weights, means and covariances.`, { cause });
  }
  return parseMixtureSpec(text, path);
}

function registerMixture(bayes: Command): void {
  bayes
    .command("mixture")
    .description("posterior responsibilities p(z = k | x) of a full-covariance Gaussian mixture")
    .requiredOption("--params <file.json>", 'mixture JSON: { "weights": [K], "means": [K][D], "covariances": [K][D][D] }')
    .requiredOption("--x <file.npy>", "points, an [N, D] (or [N] for D = 1) .npy array")
    .option("--json", "print one JSON document on stdout")
    .action((opts: CommonOptions & { params: string; x: string }) =>
      runAction(
        "mixture",
        opts,
        async () => {
          const mixture = await readMixture(opts.params);
          const x = await readNpy(opts.x);
          const { responsibilities, logMarginal } = mixtureResponsibilities(mixture, { data: x.data, shape: x.shape });
          const k = mixture.weights.length;
          const head = ["point", ...Array.from({ length: k }, (_, j) => `p(z=${j + 1}|x)`)].join("\t");
          const rows = responsibilities.map((row, i) => `${[String(i), ...row.map((p) => p.toPrecision(6))].join("\t")}\n`);
          return { json: { n: responsibilities.length, k, responsibilities, logMarginal }, text: `${head}\n${rows.join("")}` };
        },
        { backend: false },
      ),
    );
}

type SampleOptions = CommonOptions & { dist: string; n: number; out: string } & Record<string, unknown>;

function registerSample(bayes: Command): void {
  const cmd = bayes
    .command("sample")
    .description(`draw samples of a distribution (TFP names: ${DISTRIBUTION_NAMES.join(", ")}) and KS-test them against its CDF`)
    .requiredOption("--dist <name>", `distribution: ${DISTRIBUTION_NAMES.join(", ")}`)
    .requiredOption("--n <count>", "number of samples (at most 100,000: sampling and the KS test take ≈ 15 s there and grow faster than linearly)", parseInteger("--n", 1, 100_000))
    .requiredOption("--out <file.npy>", "where the samples go (float32 .npy)")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout");
  for (const name of DISTRIBUTION_PARAMETER_NAMES) cmd.option(`--${name} <value>`, `parameter ${name} (TFP name; within float32's range)`, parseFloat32(`--${name}`));
  cmd.action(async (opts: SampleOptions) => {
    const params: Record<string, number> = {};
    for (const name of DISTRIBUTION_PARAMETER_NAMES) {
      const v = opts[name];
      if (typeof v === "number") params[name] = v;
    }
    if (!opts.out.endsWith(".npy")) throw new InvalidOptionError(`--out needs a .npy file name, got "${opts.out}".`);
    // --out names a file, not a folder: the samples are written here, and the runner writes nothing.
    const { out, ...runnerOpts } = opts;
    await runAction("sample", runnerOpts, async ({ seed }) => {
      const r = sampleNamed(opts.dist, params, opts.n, seed);
      await writeFileAtomic(out, encodeNpy({ data: r.samples, shape: [r.samples.length], dtype: "float32" }));
      const { mean, variance, sampleMean, sampleVariance, ks } = r;
      const json = { distribution: r.distribution, params: r.params, n: r.samples.length, seed, backend: backendInfo().name, out, mean, variance, sampleMean, sampleVariance, ks };
      const described = `${r.distribution}(${Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(", ")})`;
      const text =
        `${described}: mean ${sampleMean.toPrecision(5)} (exact ${mean.toPrecision(5)}), variance ${sampleVariance.toPrecision(5)} (exact ${variance.toPrecision(5)})\n` +
        (ks === null ? "" : `KS against the CDF: D = ${ks.statistic.toPrecision(4)}, p = ${ks.pValue.toPrecision(4)}\n`);
      return { json, summary: `wrote ${r.samples.length} samples to ${out}`, text };
    });
  });
}

function registerFlow(bayes: Command): void {
  bayes
    .command("flow")
    .description("fit a planar flow of K layers to a 2-D energy of Rezende & Mohamed (2015); report KL(q‖p) with an exact normaliser")
    .requiredOption("--target <name>", `target energy: ${ENERGY_NAMES.join(", ")}`)
    .requiredOption("--flows <K>", "number of planar layers (at most 256)", parseInteger("--flows", 1, 256))
    .requiredOption("--out <dir>", "folder for result.json, target.png, flow.png and loss.png/svg")
    .option("--steps <n>", "optimisation steps (at most 1,000,000)", parseInteger("--steps", 1, 1_000_000), 2000)
    .option("--batch-size <n>", "Monte Carlo samples per step (at most 65,536)", parseInteger("--batch-size", 1, 65_536), 256)
    .addOption(new Option("--learning-rate <x>", "Adam learning rate, in (0, 10]").default(5e-3).argParser(parsePositiveNumber("--learning-rate", 10)))
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    .action((opts: CommonOptions & { target: string; flows: number; out: string; steps: number; batchSize: number; learningRate: number }) => {
      const target = parseEnergyName(opts.target);
      return runAction("flow", opts, async ({ seed, signal, onProgress }) => {
        const { flows, steps, batchSize, learningRate } = opts;
        const r = await fitPlanarFlow(target, { flows, steps, batchSize, learningRate, seed, histogramGrid: FLOW_PICTURE_GRID, onProgress, signal });
        const { kl, standardError, logZ, samples } = r.kl;
        const json = { target, flows: r.flows, kl, klStandardError: standardError, logZ, klSamples: samples, seconds: r.seconds, plateauStep: r.plateauStep, plateauSeconds: r.plateauSeconds, finalLoss: r.history[r.history.length - 1]?.loss, backend: backendInfo().name };
        const pictures = flowPictures(r, steps);
        return {
          files: [
            ["result.json", jsonFileText({ ...json, history: r.history, parameters: r.parameters })],
            ["target.png", pictures.target],
            ["flow.png", pictures.flow],
            ["loss.png", pictures.lossPng],
            ["loss.svg", pictures.lossSvg],
          ],
          json,
          text: `${target}, K = ${r.flows}: KL(q‖p) = ${kl.toFixed(4)} ± ${standardError.toFixed(4)} nats (log Z = ${logZ.toFixed(4)}), ${r.seconds.toFixed(1)} s, plateau at step ${r.plateauStep} (${r.plateauSeconds.toFixed(1)} s)\n`,
        };
      });
    });
}

export function registerBayesCommands(program: Command): void {
  const bayes = program.command("bayes").description("Bayesian deep learning: distributions, mixtures, flows, VAEs and their gaps");
  registerMixture(bayes);
  registerSample(bayes);
  registerFlow(bayes);
  registerVae(bayes);
  registerGaps(bayes);
}
