// The bad-input suite: every command through its bad inputs, grouped by kind (files, numbers, sizes,
// expressions, models, caches, --out). Each case must exit non-zero with exactly one error line that
// names the problem, no stack trace, and nothing at --out (nor a staging folder beside it). Signals
// have their own suite (signals.e2e.test.ts). Most cases run the CLI program in-process (a few ms
// each); the cache cases need their own environment and run the built `dl`.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encodeNpy } from "@dl/tensor-core";

import { CLI_PATH, runDl } from "./test-utils/runDl.js";

// Before the program loads: the environment is read once (tensor-core's environment()).
const work = await mkdtemp(join(tmpdir(), "dl-bad-"));
process.env["DL_CACHE_DIR"] = join(work, "cache");
process.env["DL_BACKEND"] = "cpu";
const { buildFullProgram, runCli } = await import("./program.js");

const FIXTURES = fileURLToPath(new URL("../../../packages/tensor-core/src/data/fixtures/", import.meta.url));

interface Run {
  code: number;
  stderr: string;
}

/** Runs `dl …args` in this process, capturing stderr (stdout is discarded). */
async function dl(args: readonly string[]): Promise<Run> {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const writeOut = process.stdout.write.bind(process.stdout);
  process.stderr.write = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  process.stdout.write = () => true;
  try {
    const code = await runCli(["node", "dl", ...args]);
    return { code, stderr: chunks.join("") };
  } finally {
    process.stderr.write = write;
    process.stdout.write = writeOut;
  }
}

/** A case: the arguments (`OUT` is replaced by a fresh path) and what the one error line must say. */
interface Case {
  name: string;
  args: string[];
  problem: RegExp;
  /** Refused by commander itself (unknown option, missing value, bad choice): `error [USAGE]: …` (a bad choice `INVALID_ARGUMENT`), pointing at the command's --help. */
  usage?: boolean;
}

const f = (name: string): string => join(work, "files", name);

/** One bad input: exit ≠ 0, one error line naming the problem, nothing at --out or beside it. */
async function expectRefused(c: Case): Promise<void> {
  const dir = await mkdtemp(join(work, "case-"));
  const out = join(dir, "out");
  const args = c.args.map((a) => (a === "OUT" ? out : a.replace("OUT", out)));
  const r = await dl(args);
  const context = `dl ${args.join(" ")}\n${r.stderr}`;
  expect(r.code, context).not.toBe(0);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("error"));
  expect(errors, context).toHaveLength(1);
  expect(errors[0], context).toMatch(c.usage === true ? /^error \[(USAGE|INVALID_ARGUMENT)\]: .*\. See: dl [a-z ]*--help$/ : /^error \[[A-Z_]+\]: /);
  expect(errors[0], context).toMatch(c.problem);
  expect(r.stderr, context).not.toMatch(/^\s+at /m);
  expect(await readdir(dir), context).toEqual([]);
}

// ---- sizes and numbers: generated per flag ---------------------------------------------------------

/** Integer flags with their documented bounds, and arguments that make the rest of the line valid. */
const INTEGER_FLAGS: readonly { cmd: string[]; flag: string; min: number; max: number; rest: string[] }[] = [
  { cmd: ["train"], flag: "--epochs", min: 1, max: 1000, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["train"], flag: "--batch-size", min: 1, max: 8192, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["tsne"], flag: "--n", min: 4, max: 1_000_000, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["tsne"], flag: "--iterations", min: 300, max: 100_000, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["tsne"], flag: "--threads", min: 1, max: 256, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["tsne"], flag: "--pca", min: 0, max: 10_000, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["tsne"], flag: "--mosaic-size", min: 64, max: 8192, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["tsne"], flag: "--mosaic-count", min: 1, max: 100_000, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["gan", "cov"], flag: "--samples", min: 100, max: 1_000_000, rest: ["--f", "tanh", "--out", "OUT"] },
  { cmd: ["gan", "cov"], flag: "--bins", min: 2, max: 1000, rest: ["--f", "tanh", "--out", "OUT"] },
  { cmd: ["gan", "ratio"], flag: "--n", min: 20, max: 1_000_000, rest: ["--p", "normal(0, 1)", "--q", "normal(0, 2)", "--prior", "0.5"] },
  { cmd: ["gan", "train"], flag: "--epochs", min: 1, max: 10_000, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["gan", "train"], flag: "--steps-per-epoch", min: 1, max: 1_000_000, rest: ["--data", "mnist", "--epochs", "1", "--out", "OUT"] },
  { cmd: ["gan", "sample"], flag: "--n", min: 1, max: 4096, rest: ["--model", "OUT", "--out", "OUT/s.png"] },
  { cmd: ["gan", "sample"], flag: "--label", min: 0, max: 1000, rest: ["--model", "OUT", "--out", "OUT/s.png"] },
  { cmd: ["gan", "encoder"], flag: "--steps", min: 10, max: 1_000_000, rest: ["--method", "vae", "--data", "grid25", "--out", "OUT"] },
  { cmd: ["bayes", "sample"], flag: "--n", min: 1, max: 100_000, rest: ["--dist", "normal", "--loc", "0", "--scale", "1", "--out", "OUT.npy"] },
  { cmd: ["bayes", "flow"], flag: "--flows", min: 1, max: 256, rest: ["--target", "U1", "--out", "OUT"] },
  { cmd: ["bayes", "flow"], flag: "--steps", min: 1, max: 1_000_000, rest: ["--target", "U1", "--flows", "2", "--out", "OUT"] },
  { cmd: ["bayes", "flow"], flag: "--batch-size", min: 1, max: 65_536, rest: ["--target", "U1", "--flows", "2", "--out", "OUT"] },
  ...["vae", "gaps"].flatMap((sub) =>
    (
      [
        ["--epochs", 1, 1000],
        ["--train-count", 100, 60_000],
        ["--latent-dim", 1, 512],
        ["--iwae-k", 1, 100_000],
        ["--local-steps", 1, 100_000],
        ["--test-count", 1, 10_000],
      ] as const
    ).map(([flag, min, max]) => ({ cmd: ["bayes", sub], flag, min, max, rest: [...(sub === "vae" ? ["--family", "diag"] : []), "--out", "OUT"] })),
  ),
  { cmd: ["meta", "fewshot"], flag: "--ways", min: 2, max: 100, rest: ["--data", "mnist", "--shots", "1", "--out", "OUT"] },
  { cmd: ["meta", "fewshot"], flag: "--shots", min: 1, max: 1000, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["meta", "fewshot"], flag: "--queries", min: 1, max: 1000, rest: ["--data", "mnist", "--shots", "1", "--out", "OUT"] },
  { cmd: ["meta", "fewshot"], flag: "--episodes", min: 1, max: 100_000, rest: ["--data", "mnist", "--shots", "1", "--out", "OUT"] },
  { cmd: ["meta", "fewshot"], flag: "--steps", min: 1, max: 1_000_000, rest: ["--data", "mnist", "--shots", "1", "--out", "OUT"] },
  { cmd: ["meta", "fewshot"], flag: "--k", min: 1, max: 1000, rest: ["--data", "mnist", "--shots", "1", "--out", "OUT"] },
  { cmd: ["meta", "temperature"], flag: "--ways", min: 2, max: 100, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["meta", "temperature"], flag: "--shots", min: 1, max: 1000, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["meta", "temperature"], flag: "--steps", min: 1, max: 1_000_000, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["meta", "temperature"], flag: "--episodes", min: 1, max: 100_000, rest: ["--data", "mnist", "--out", "OUT"] },
  { cmd: ["meta", "regress"], flag: "--shots", min: 1, max: 1000, rest: ["--out", "OUT"] },
  { cmd: ["meta", "regress"], flag: "--steps", min: 1, max: 1_000_000, rest: ["--shots", "5", "--out", "OUT"] },
  { cmd: ["meta", "regress"], flag: "--tasks", min: 1, max: 100_000, rest: ["--shots", "5", "--out", "OUT"] },
  { cmd: ["meta", "finetune"], flag: "--shots", min: 1, max: 1000, rest: ["--out", "OUT"] },
  { cmd: ["meta", "finetune"], flag: "--steps", min: 1, max: 1_000_000, rest: ["--shots", "3", "--out", "OUT"] },
];

/** Seeded, so the suite is the same on every run; fast-check draws values just past and far past each bound. */
const SEED = 20_261_206;
function badIntegers(min: number, max: number): string[] {
  const [beyond] = fc.sample(fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }), { seed: SEED + max, numRuns: 1 });
  const [fraction] = fc.sample(fc.double({ min: min + 0.001, max: Math.min(max, min + 1000) - 0.001, noNaN: true }).filter((x) => !Number.isInteger(x)), { seed: SEED + min, numRuns: 1 });
  return [String(min - 1), String(max + 1), String(beyond), "1e12", String(fraction), "abc", "Infinity", "NaN"];
}

const SIZE_CASES: Case[] = INTEGER_FLAGS.flatMap(({ cmd, flag, min, max, rest }) =>
  badIntegers(min, max).map((value) => ({
    name: `${cmd.join(" ")} ${flag} ${value}`,
    args: [...cmd, ...rest, flag, value],
    problem: new RegExp(`${flag} needs an integer in ${min} … ${max}, got "${value.replace(/[.+]/g, "\\$&")}"`),
  })),
);

const NUMBER_CASES: Case[] = [
  ...["-1", "0", "11", "NaN", "1e400"].map((lr) => ({ name: `bayes flow --learning-rate ${lr}`, args: ["bayes", "flow", "--target", "U1", "--flows", "2", "--learning-rate", lr, "--out", "OUT"], problem: /--learning-rate needs a number > 0 and ≤ 10/ })),
  ...["-1", "0", "abc"].map((lr) => ({ name: `meta finetune --learning-rate ${lr}`, args: ["meta", "finetune", "--shots", "3", "--learning-rate", lr, "--out", "OUT"], problem: /--learning-rate needs a number > 0/ })),
  ...["-1", "0"].map((lr) => ({ name: `train --learning-rate ${lr}`, args: ["train", "--data", "mnist", "--learning-rate", lr, "--out", "OUT"], problem: /--learning-rate needs a number > 0/ })),
  ...["0.4", "0", "-1", "abc", "101"].map((t) => ({ name: `gan train --truncation ${t}`, args: ["gan", "train", "--data", "mnist", "--epochs", "1", "--truncation", t, "--out", "OUT"], problem: /--truncation needs a number in 0\.5 … 100/ })),
  ...["0.1", "Infinity"].map((t) => ({ name: `gan sample --truncation ${t}`, args: ["gan", "sample", "--model", "OUT", "--out", "OUT/s.png", "--truncation", t], problem: /--truncation needs a number in 0\.5 … 100/ })),
  ...["0", "-5", "1e99"].map((t) => ({ name: `meta fewshot --time-budget ${t}`, args: ["meta", "fewshot", "--data", "mnist", "--shots", "1", "--time-budget", t, "--out", "OUT"], problem: /--time-budget needs a number > 0/ })),
  ...["1e308", "-1e39", "1e-300", "-1e-45"].map((v) => ({ name: `bayes sample --loc ${v}`, args: ["bayes", "sample", "--dist", "normal", "--loc", v, "--scale", "1", "--n", "10", "--out", "OUT"], problem: /--loc = .* is outside float32's range/ })),
  ...["1e-300", "1e39"].map((v) => ({ name: `bayes sample --scale ${v}`, args: ["bayes", "sample", "--dist", "normal", "--loc", "0", "--scale", v, "--n", "10", "--out", "OUT"], problem: /--scale = .* is outside float32's range/ })),
  ...["abc", "", "Infinity"].map((v) => ({ name: `bayes sample --rate "${v}"`, args: ["bayes", "sample", "--dist", "exponential", "--rate", v, "--n", "10", "--out", "OUT"], problem: /--rate needs a number/ })),
  { name: "bayes sample --rate 0", args: ["bayes", "sample", "--dist", "exponential", "--rate", "0", "--n", "10", "--out", "OUT.npy"], problem: /rate/ },
  ...["1.5", "abc", "1e20", "-1e20"].map((s) => ({ name: `--seed ${s}`, args: ["bayes", "flow", "--target", "U1", "--flows", "2", "--seed", s, "--out", "OUT"], problem: /--seed needs an integer/ })),
  ...["0", "1", "1.5", "-0.5", "NaN"].map((p) => ({ name: `gan ratio --prior ${p}`, args: ["gan", "ratio", "--p", "normal(0, 1)", "--q", "normal(0, 2)", "--prior", p], problem: /prior|π/ })),
  { name: "meta fewshot --ways 6 (5 held-out classes)", args: ["meta", "fewshot", "--data", "mnist", "--ways", "6", "--shots", "1", "--out", "OUT"], problem: /only 5 are available/ },
  { name: "meta temperature --temperatures 1,-2", args: ["meta", "temperature", "--data", "mnist", "--temperatures", "1,-2", "--out", "OUT"], problem: /temperature must be a finite number > 0/ },
  { name: "meta finetune --lr-decay 0.5", args: ["meta", "finetune", "--shots", "3", "--lr-decay", "0.5", "--out", "OUT"], problem: /lr-decay must be ≥ 1/ },
  { name: "bayes vae --train-count beyond the mnist split", args: ["bayes", "vae", "--family", "diag", "--train-count", "9000", "--out", "OUT"], problem: /--train-count 9000 exceeds the 8000 images of the mnist train split/ },
  { name: "bayes gaps --train-count beyond the mnist split", args: ["bayes", "gaps", "--train-count", "60000", "--out", "OUT"], problem: /--train-count 60000 exceeds the 8000 images/ },
];

// ---- expressions ------------------------------------------------------------------------------------

const EXPRESSION_CASES: Case[] = [
  ...["constructor(x)", "hasOwnProperty(x)", "toString(x)", "valueOf(x)", "__proto__(x)", "isPrototypeOf(x)", "x+toString", "x+__proto__", "x+constructor", "foo(x)", "y", "x +* 2", "x^", "sqrt(x, 2)", "x == 1", "[x]", "x.y", "f(x) = x"].map((expr) => ({
    name: `gan cov --f ${expr}`,
    args: ["gan", "cov", "--f", expr, "--out", "OUT"],
    problem: /Malformed expression|expression/,
  })),
  ...[
    ["sqrt(x)", /sqrt\(x\) is undefined for x in \[-7\.5, -0\.00375\], which holds about 49\.9 % of normal\(0, 1\)'s mass/],
    ["log(x)", /undefined for x in/],
    ["0*x", /0 \* x is constant \(f = 0\)|is constant \(f = 0\)/],
    ["abs(x) - x", /is constant \(f = 0\) for x in \[0, 7\.5\]/],
  ].map(([expr, problem]) => ({ name: `gan cov --f ${String(expr)} (no density)`, args: ["gan", "cov", "--f", String(expr), "--out", "OUT"], problem: problem as RegExp })),
  ...["normal(sqrt.constructor, 1)", "normal(constructor(1), 1)", "normal(toString, 1)", "normal(0, hasOwnProperty(1))", "normal(x, 1)", "normal(0, -1)", "normal(0)", "gamma(2)", "normal(0, 1e-300)", "normal(1e308, 1)", "normal(0, sqrt(-1))", "mvn_diag([0], [1, 2])", "normal(0, [1][1])", ""].flatMap((spec) => [
    { name: `gan ratio --p ${spec}`, args: ["gan", "ratio", "--p", spec, "--q", "normal(0, 2)", "--prior", "0.5"], problem: /distribution|normal\(loc, scale\)|float32|mvn_diag/ },
    { name: `gan cov --base ${spec}`, args: ["gan", "cov", "--f", "tanh", "--base", spec, "--out", "OUT"], problem: /distribution|normal\(loc, scale\)|float32|mvn_diag/ },
  ]),
  ...["weibul", "normal ", "__proto__", "constructor", "toString"].map((dist) => ({ name: `bayes sample --dist ${dist}`, args: ["bayes", "sample", "--dist", dist, "--n", "10", "--out", "OUT.npy"], problem: /distribution|Unknown/ })),
  ...["U9", "__proto__", "constructor"].map((target) => ({ name: `bayes flow --target ${target}`, args: ["bayes", "flow", "--target", target, "--flows", "2", "--out", "OUT"], problem: /U1, U2, U3|energ/ })),
  ...["gaussian", "__proto__", "toString"].map((family) => ({ name: `bayes vae --family ${family}`, args: ["bayes", "vae", "--family", family, "--out", "OUT"], problem: /diag, full|family/ })),
  ...["cifar", "__proto__", "MNIST"].map((data) => ({ name: `train --data ${data}`, args: ["train", "--data", data, "--out", "OUT"], problem: /Unknown dataset|mnist or fashion-mnist/ })),
  ...["vit", "__proto__"].map((arch) => ({ name: `train --arch ${arch}`, args: ["train", "--data", "mnist", "--arch", arch, "--out", "OUT"], problem: /cnn or mlp/ })),
  { name: "meta fewshot --training magic", args: ["meta", "fewshot", "--data", "mnist", "--shots", "1", "--training", "magic", "--out", "OUT"], problem: /pretrain.*episodic/ },
  { name: "meta fewshot --centre query", args: ["meta", "fewshot", "--data", "mnist", "--shots", "1", "--centre", "query", "--out", "OUT"], problem: /--centre must be one of none, support/ },
  { name: "meta fewshot --filters 16,0", args: ["meta", "fewshot", "--data", "mnist", "--shots", "1", "--filters", "16,0", "--out", "OUT"], problem: /--filters needs/ },
  { name: "gan encoder --method magic", args: ["gan", "encoder", "--method", "magic", "--data", "grid25", "--out", "OUT"], problem: /bigan or vae|method/ },
];

// ---- usage (commander) ------------------------------------------------------------------------------

const USAGE_CASES: Case[] = [
  { name: "unknown command", args: ["frobnicate"], problem: /^error \[USAGE\]: unknown command 'frobnicate'\. See: dl --help$/, usage: true },
  { name: "unknown option", args: ["train", "--data", "mnist", "--out", "OUT", "--epochz", "2"], problem: /unknown option '--epochz'.*See: dl train --help$/, usage: true },
  { name: "missing required --out", args: ["train", "--data", "mnist"], problem: /required option '--out <dir>'/, usage: true },
  { name: "missing required --data", args: ["train", "--out", "OUT"], problem: /required option '--data <name>'/, usage: true },
  { name: "a misspelt required option is named as unknown, not as missing", args: ["tsne", "--outt", "OUT"], problem: /^error \[USAGE\]: unknown option '--outt' \(Did you mean --out\?\)\. See: dl tsne --help$/, usage: true },
  { name: "missing value", args: ["bayes", "flow", "--target", "U1", "--out", "OUT", "--flows"], problem: /argument missing.*See: dl bayes flow --help$/, usage: true },
  { name: "bad choice --backend", args: ["train", "--data", "mnist", "--backend", "tpu", "--out", "OUT"], problem: /^error \[INVALID_ARGUMENT\]: .*argument 'tpu' is invalid/, usage: true },
  { name: "bad choice --classifier", args: ["gan", "ratio", "--p", "normal(0,1)", "--q", "normal(0,2)", "--prior", "0.5", "--classifier", "svm"], problem: /argument 'svm' is invalid/, usage: true },
  { name: "gan with no subcommand and an unknown one", args: ["gan", "nope"], problem: /unknown command 'nope'.*See: dl gan --help$/, usage: true },
  { name: "meta with an unknown subcommand", args: ["meta", "fewshoot"], problem: /unknown command 'fewshoot'/, usage: true },
  { name: "bayes with an unknown subcommand", args: ["bayes", "flows"], problem: /unknown command 'flows'/, usage: true },
  { name: "excess argument", args: ["doctor", "extra"], problem: /too many arguments|unknown command/, usage: true },
  { name: "unknown short option", args: ["tsne", "--out", "OUT", "-z"], problem: /unknown option '-z'/, usage: true },
  { name: "gan without its subcommand", args: ["gan"], problem: /^error \[USAGE\]: dl gan needs a command: cov, ratio, train, sample, encoder or modes\. See: dl gan --help$/, usage: true },
  { name: "meta without its subcommand, an option only", args: ["meta", "--seed", "3"], problem: /^error \[USAGE\]: dl meta needs a command: fewshot, temperature, regress or finetune\./, usage: true },
  { name: "bayes without its subcommand", args: ["bayes"], problem: /dl bayes needs a command: mixture, sample, flow, vae or gaps/, usage: true },
];

/**
 * Generated from the program itself, so a new command or flag is covered without editing this list:
 * for every command, an unknown option, each required option left out, each flag that takes a value
 * given none, and each flag with choices given one outside them.
 */
async function generatedUsageCases(): Promise<Case[]> {
  const program = await buildFullProgram();
  const leaves: { path: string[]; command: (typeof program.commands)[number] }[] = [];
  const walk = (command: (typeof program.commands)[number], path: string[]): void => {
    if (command.commands.length === 0) leaves.push({ path, command });
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  for (const sub of program.commands) walk(sub, [sub.name()]);
  const cases: Case[] = [];
  for (const { path, command } of leaves) {
    const name = path.join(" ");
    const help = new RegExp(`See: dl ${path.join(" ")} --help$`);
    // An unknown option is named before missing required options and arguments (none is given here).
    cases.push({ name: `${name}: unknown option`, args: [...path, "--no-such-flag"], problem: /unknown option '--no-such-flag'/, usage: true });
    const missingArgument = command.registeredArguments.some((a) => a.required);
    expect(help.test(`See: dl ${name} --help`)).toBe(true);
    for (const option of command.options) {
      const flag = option.long ?? option.short ?? option.flags;
      if (option.mandatory) cases.push({ name: `${name}: ${flag} left out`, args: [...path.filter(() => true)], problem: missingArgument ? /missing required argument '[a-z.-]+'/ : /required option '--[a-z-]+/, usage: true });
      if (option.required) cases.push({ name: `${name}: ${flag} without a value`, args: [...path, flag], problem: new RegExp(`option '${option.flags.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}' argument missing`), usage: true });
      if (option.argChoices !== undefined) {
        cases.push({ name: `${name}: ${flag} outside its choices`, args: [...path, flag, "no-such-choice", "--out", "OUT"], problem: /^error \[INVALID_ARGUMENT\]: .*argument 'no-such-choice' is invalid\. Allowed choices are /, usage: true });
      }
    }
  }
  // One "left out" case per command is enough (commander names the first missing one).
  return cases.filter((c, i, all) => !c.name.endsWith("left out") || all.findIndex((d) => d.name.split(":")[0] === c.name.split(":")[0] && d.name.endsWith("left out")) === i);
}
USAGE_CASES.push(...(await generatedUsageCases()));

// ---- files ------------------------------------------------------------------------------------------

const FILE_CASES: Case[] = [
  { name: "tsne --input missing", args: ["tsne", "--input", f("missing.npy"), "--out", "OUT"], problem: /missing\.npy/ },
  { name: "tsne --input a folder", args: ["tsne", "--input", join(work, "files"), "--out", "OUT"], problem: /files/ },
  { name: "tsne --input empty file", args: ["tsne", "--input", f("empty.npy"), "--out", "OUT"], problem: /empty\.npy/ },
  { name: "tsne --input text", args: ["tsne", "--input", f("text.npy"), "--out", "OUT"], problem: /text\.npy/ },
  { name: "tsne --input truncated npy", args: ["tsne", "--input", f("truncated.npy"), "--out", "OUT"], problem: /truncated\.npy/ },
  { name: "tsne --input with NaN", args: ["tsne", "--input", join(FIXTURES, "nan_2x2.npy"), "--out", "OUT"], problem: /NaN|nan_2x2|points/ },
  { name: "tsne --input object dtype", args: ["tsne", "--input", join(FIXTURES, "object.npy"), "--out", "OUT"], problem: /object\.npy|dtype/ },
  { name: "tsne --input and --data", args: ["tsne", "--input", f("points.npy"), "--data", "mnist", "--out", "OUT"], problem: /--input|--data/ },
  { name: "tsne neither --input nor --data", args: ["tsne", "--out", "OUT"], problem: /--input|--data/ },
  { name: "tsne --labels with --data", args: ["tsne", "--data", "mnist", "--labels", f("labels.npy"), "--out", "OUT"], problem: /--labels goes with --input/ },
  { name: "tsne --labels missing", args: ["tsne", "--input", f("points.npy"), "--labels", f("nolabels.npy"), "--out", "OUT"], problem: /nolabels\.npy/ },
  { name: "tsne --labels fractional", args: ["tsne", "--input", f("points.npy"), "--labels", f("labels-float.npy"), "--out", "OUT"], problem: /labels-float\.npy holds 1\.5 at index 3; labels must be non-negative integers/ },
  { name: "tsne --labels negative", args: ["tsne", "--input", f("points.npy"), "--labels", f("labels-negative.npy"), "--out", "OUT"], problem: /holds -1 at index 0/ },
  { name: "tsne --labels NaN", args: ["tsne", "--input", f("points.npy"), "--labels", f("labels-nan.npy"), "--out", "OUT"], problem: /labels-nan\.npy contains NaN at flat position 5/ },
  { name: "tsne --labels huge", args: ["tsne", "--input", f("points.npy"), "--labels", f("labels-huge.npy"), "--out", "OUT"], problem: /labels-huge\.npy holds 10000000000 at index 7/ },
  { name: "tsne --labels wrong count", args: ["tsne", "--input", f("points.npy"), "--labels", f("labels-short.npy"), "--out", "OUT"], problem: /holds 10 labels but .* N = 60 rows/ },
  { name: "tsne perplexity too large for N", args: ["tsne", "--input", f("points.npy"), "--perplexity", "50", "--out", "OUT"], problem: /perplexity/ },
  { name: "bayes mixture --params missing", args: ["bayes", "mixture", "--params", f("nomix.json"), "--x", f("points.npy")], problem: /nomix\.json/ },
  { name: "bayes mixture --params not JSON", args: ["bayes", "mixture", "--params", f("text.npy"), "--x", f("points.npy")], problem: /not valid JSON/ },
  { name: "bayes mixture --params wrong shape", args: ["bayes", "mixture", "--params", f("mix-bad.json"), "--x", f("points.npy")], problem: /needs the arrays "weights"/ },
  { name: "bayes mixture --params __proto__ keys", args: ["bayes", "mixture", "--params", f("mix-proto.json"), "--x", f("points.npy")], problem: /needs the arrays "weights"/ },
  { name: "bayes mixture --x missing", args: ["bayes", "mixture", "--params", f("mix.json"), "--x", f("nox.npy")], problem: /nox\.npy/ },
  { name: "bayes mixture --x wrong width", args: ["bayes", "mixture", "--params", f("mix.json"), "--x", f("points.npy")], problem: /dimension|D =|columns|shape|4/ },
  { name: "gan ratio --at missing", args: ["gan", "ratio", "--p", "normal(0, 1)", "--q", "normal(0, 2)", "--prior", "0.5", "--at", f("noat.npy"), "--out", "OUT"], problem: /noat\.npy/ },
  { name: "gan ratio --at text", args: ["gan", "ratio", "--p", "normal(0, 1)", "--q", "normal(0, 2)", "--prior", "0.5", "--at", f("text.npy"), "--out", "OUT"], problem: /text\.npy/ },
  { name: "gan ratio --at without --out", args: ["gan", "ratio", "--p", "normal(0, 1)", "--q", "normal(0, 2)", "--prior", "0.5", "--at", f("points.npy")], problem: /--out|--at/ },
  { name: "tcav --concept missing folder", args: ["tcav", "--target", "0", "--concept", f("no-concept"), "--out", "OUT"], problem: /no-concept/ },
  { name: "tcav --random-set missing", args: ["tcav", "--target", "0", "--concept", "loops", "--random-set", f("no-random.npy"), "--out", "OUT"], problem: /no-random\.npy/ },
];

// ---- models -----------------------------------------------------------------------------------------

const MODEL_CASES: Case[] = [
  { name: "gan sample --model missing", args: ["gan", "sample", "--model", f("no-gan"), "--out", "OUT"], problem: /no-gan/ },
  { name: "gan sample --model an empty folder", args: ["gan", "sample", "--model", f("empty-dir"), "--out", "OUT"], problem: /empty-dir/ },
  { name: "gan sample --model a file", args: ["gan", "sample", "--model", f("text.npy"), "--out", "OUT"], problem: /text\.npy/ },
  { name: "gan sample --model with a garbage checkpoint", args: ["gan", "sample", "--model", f("bad-gan"), "--out", "OUT"], problem: /bad-gan/ },
  { name: "tcav --model missing", args: ["tcav", "--model", f("no-model"), "--images", f("imgs"), "--target", "0", "--concept", f("concept"), "--random-set", f("random"), "--out", "OUT"], problem: /no-model/ },
  { name: "tcav --model empty folder", args: ["tcav", "--model", f("empty-dir"), "--images", f("imgs"), "--target", "0", "--concept", f("concept"), "--random-set", f("random"), "--out", "OUT"], problem: /empty-dir|model\.json/ },
  { name: "tcav --model garbage model.json", args: ["tcav", "--model", f("bad-model"), "--images", f("imgs"), "--target", "0", "--concept", f("concept"), "--random-set", f("random"), "--out", "OUT"], problem: /bad-model|model\.json/ },
  { name: "embed --model missing", args: ["embed", "--model", f("no-model"), "--data", "mnist", "--out", "OUT"], problem: /no-model/ },
  { name: "embed --model garbage model.json", args: ["embed", "--model", f("bad-model"), "--data", "mnist", "--out", "OUT"], problem: /bad-model|model\.json/ },
  { name: "gan train --resume with no checkpoint", args: ["gan", "train", "--data", "mnist", "--epochs", "1", "--resume", "--out", "OUT"], problem: /checkpoint|resume/ },
];

// ---- --out ------------------------------------------------------------------------------------------

const OUT_CASES: Case[] = [
  { name: "train --out under a file", args: ["train", "--data", "mnist", "--out", `${f("text.npy")}/out`], problem: /text\.npy is a file, not a folder/ },
  { name: "bayes flow --out is a file", args: ["bayes", "flow", "--target", "U1", "--flows", "2", "--out", f("text.npy")], problem: /is a file, not a folder/ },
  { name: "tsne --out under a file", args: ["tsne", "--data", "mnist", "--out", `${f("text.npy")}/x`], problem: /is a file, not a folder/ },
  { name: "meta regress --out under a file", args: ["meta", "regress", "--shots", "5", "--out", `${f("text.npy")}/x`], problem: /is a file, not a folder/ },
  { name: "gan cov --out under a file", args: ["gan", "cov", "--f", "tanh", "--out", `${f("text.npy")}/x`], problem: /is a file, not a folder|text\.npy/ },
  { name: "bayes sample --out under a file", args: ["bayes", "sample", "--dist", "normal", "--loc", "0", "--scale", "1", "--n", "10", "--out", `${f("text.npy")}/x.npy`], problem: /IO_ERROR.*text\.npy/ },
];

beforeAll(async () => {
  await mkdir(join(work, "files", "empty-dir"), { recursive: true });
  await mkdir(join(work, "files", "bad-gan", "checkpoint"), { recursive: true });
  await mkdir(join(work, "files", "bad-model"), { recursive: true });
  const points = Float32Array.from({ length: 60 * 4 }, (_, i) => Math.sin(i));
  const write = (name: string, data: string | Uint8Array): Promise<void> => writeFile(f(name), data);
  await write("points.npy", encodeNpy({ data: points, shape: [60, 4], dtype: "float32" }));
  const labels = (values: number[]): Uint8Array => encodeNpy({ data: Float32Array.from(values), shape: [values.length], dtype: "float32" });
  await write("labels.npy", labels(Array.from({ length: 60 }, (_, i) => i % 3)));
  await write("labels-float.npy", labels(Array.from({ length: 60 }, (_, i) => (i === 3 ? 1.5 : i % 3))));
  await write("labels-negative.npy", labels(Array.from({ length: 60 }, (_, i) => (i === 0 ? -1 : i % 3))));
  await write("labels-nan.npy", encodeNpy({ data: Float64Array.from({ length: 60 }, (_, i) => (i === 5 ? Number.NaN : 0)), shape: [60], dtype: "float64" }));
  await write("labels-huge.npy", encodeNpy({ data: Float64Array.from({ length: 60 }, (_, i) => (i === 7 ? 1e10 : 0)), shape: [60], dtype: "float64" }));
  await write("labels-short.npy", labels(Array.from({ length: 10 }, () => 0)));
  await write("empty.npy", "");
  await write("text.npy", "this is not an array\n");
  const full = encodeNpy({ data: points, shape: [60, 4], dtype: "float32" });
  await write("truncated.npy", full.subarray(0, full.length - 17));
  await write("mix.json", JSON.stringify({ weights: [0.5, 0.5], means: [[0, 0], [1, 1]], covariances: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] }));
  await write("mix-bad.json", JSON.stringify({ weights: 1, means: [] }));
  await write("mix-proto.json", '{"__proto__": {"weights": [1], "means": [[0]], "covariances": [[[1]]]}}');
  await writeFile(join(work, "files", "bad-gan", "checkpoint", "state.json"), "{ not json");
  await writeFile(join(work, "files", "bad-model", "model.json"), "{ not json");
}, 60_000);
afterAll(() => rm(work, { recursive: true, force: true }));

const GROUPS: readonly [string, Case[]][] = [
  ["sizes: every size flag past its documented bounds, fractions and non-numbers", SIZE_CASES],
  ["numbers: values that make a result meaningless", NUMBER_CASES],
  ["expressions and names: --f, distribution strings, names looked up through prototypes", EXPRESSION_CASES],
  ["usage: commander's refusals", USAGE_CASES],
  ["files", FILE_CASES],
  ["models", MODEL_CASES],
  ["--out", OUT_CASES],
];

it("holds well over 200 cases", () => {
  expect(GROUPS.reduce((n, [, cases]) => n + cases.length, 0)).toBeGreaterThan(300);
});

describe.each(GROUPS)("%s", (_group, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => expectRefused(c), 60_000);
});

// ---- caches: their own environment, so the built CLI in a child process --------------------------

describe("caches: a wrong or unwritable DL_CACHE_DIR fails at once, naming it", () => {
  it.each([
    ["a file", ["tsne", "--data", "mnist", "--out", "OUT"]],
    ["a file (default model needed)", ["tcav", "--target", "0", "--concept", "loops", "--out", "OUT"]],
    ["a path through a file", ["bayes", "vae", "--family", "diag", "--out", "OUT"]],
  ])("DL_CACHE_DIR is %s: %s", async (kind, args) => {
    expect(existsSync(CLI_PATH), `${CLI_PATH} missing: build first`).toBe(true);
    const dir = await mkdtemp(join(work, "cache-case-"));
    const blocker = join(dir, "not-a-folder");
    await writeFile(blocker, "x");
    const cacheDir = kind === "a path through a file" ? join(blocker, "deeper") : blocker;
    const out = join(dir, "out");
    const started = performance.now();
    const r = await runDl(
      args.map((a) => (a === "OUT" ? out : a)),
      { cwd: dir, cacheDir, backend: "cpu", timeoutMs: 60_000 },
    );
    const context = r.stderr;
    expect(r.code, context).not.toBe(0);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error"));
    expect(errors, context).toEqual([expect.stringMatching(/^error \[IO_ERROR\]: The dl-lab cache folder .*not-a-folder.* \(DL_CACHE_DIR\) is not writable: .*Set DL_CACHE_DIR to a writable folder/)]);
    // At once: before any decoding or training (seconds to minutes otherwise).
    expect(performance.now() - started).toBeLessThan(30_000);
    expect((await readdir(dir)).sort()).toEqual(["not-a-folder"]);
  }, 90_000);
});
