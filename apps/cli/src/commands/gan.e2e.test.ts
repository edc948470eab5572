// End-to-end: `dl gan …` from the built CLI (dist/bin/dl.js) in a fresh temp folder, real files.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encodeNpy, parseNpy } from "@dl/tensor-core";
import { expectOutputsAsReadme } from "../test-utils/outputs.js";
import { CLI_PATH, runDl, type DlRun } from "../test-utils/runDl.js";

const dl = (args: readonly string[], cwd: string): Promise<DlRun> => runDl(args, { cwd, cacheDir: join(cwd, "cache"), backend: "wasm" });

/** Every number of `actual` within 1e-6 (relative) of `expected`'s, every other value equal: the same figures up to float32 rounding. */
function expectSameFigures(actual: unknown, expected: unknown, path = "overDraws"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
  } else if (typeof expected === "object" && expected !== null && typeof actual === "object" && actual !== null) {
    expect(Object.keys(actual).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expectSameFigures((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

let work: string;
beforeAll(async () => {
  expect(existsSync(CLI_PATH), `${CLI_PATH} missing: build first (pnpm --filter @dl/cli build)`).toBe(true);
  work = await mkdtemp(join(tmpdir(), "dl-gan-e2e-"));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe("dl gan", () => {
  it("cov: tanh pushforward matches the histogram (L1 < 0.02) and writes the README's files (1-D and 2-D)", async () => {
    const r = await dl(["gan", "cov", "--f", "tanh", "--out", "cov", "--json"], work);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { l1: number; monotone: boolean };
    expect(out.monotone).toBe(true);
    expect(out.l1).toBeLessThan(0.02);
    await expectOutputsAsReadme("`dl gan cov` (1-D base)", join(work, "cov"));
    expect(await readFile(join(work, "cov", "index.html"), "utf8")).toContain("L1(analytic, histogram)");
    const twoD = await dl(["gan", "cov", "--f", "banana", "--base", "mvn_diag([0, 0], [1, 1])", "--samples", "2000", "--out", "cov2d"], work);
    expect(twoD.code, twoD.stderr).toBe(0);
    await expectOutputsAsReadme("`dl gan cov` (2-D base)", join(work, "cov2d"));
    const nonMonotone = JSON.parse((await dl(["gan", "cov", "--f", "x^2 - x", "--out", "cov2", "--json"], work)).stdout) as { monotone: boolean; explanation: string };
    expect(nonMonotone.monotone).toBe(false);
    expect(nonMonotone.explanation).toMatch(/inverse branches/);
  }, 120_000);

  it("ratio --at/--out writes float32 log r̂ in order, close to log 2 − 3x²", async () => {
    const xs = Float32Array.from([-0.8, -0.3, 0, 0.4, 0.9]);
    await writeFile(join(work, "pts.npy"), encodeNpy({ data: xs, shape: [5], dtype: "float32" }));
    const r = await dl(["gan", "ratio", "--p", "normal(0, sqrt(1/8))", "--q", "normal(0, sqrt(1/2))", "--prior", "0.25", "--at", "pts.npy", "--out", "lr.npy", "--json"], work);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { meanAbsLogRatioError: number }).meanAbsLogRatioError).toBeLessThan(0.05);
    const arr = parseNpy(new Uint8Array(await readFile(join(work, "lr.npy"))));
    expect(arr.dtype).toBe("float32");
    expect(arr.shape).toEqual([5]);
    xs.forEach((x, i) => expect(Math.abs((arr.data[i] as number) - (Math.log(2) - 3 * x * x))).toBeLessThan(0.1));
  }, 120_000);

  it("bad input: a clear one-line error, exit code 2, nothing written", async () => {
    for (const args of [
      ["gan", "ratio", "--p", "normal(0,1)", "--q", "normal(0,2)", "--prior", "1", "--at", "pts.npy", "--out", "never.npy"],
      ["gan", "ratio", "--p", "normal(0,1)", "--q", "gamma(2)", "--prior", "0.5"],
      ["gan", "cov", "--f", "x +* 2", "--out", "never-cov"],
      ["gan", "cov", "--f", "foo(x)", "--out", "never-cov"],
      ["gan", "train", "--conditional", "--data", "mnist", "--epochs", "1", "--eval-draws", "0", "--out", "never-cov"],
      ["gan", "train", "--conditional", "--data", "mnist", "--epochs", "1", "--eval-draws", "3", "--no-evaluate", "--out", "never-cov"],
      ["gan", "sample", "--model", "never-cov", "--eval-draws", "21", "--out", "never.png"],
    ]) {
      const r = await dl(args, work);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n").at(-1)).toMatch(/^error \[INVALID_ARGUMENT\]/);
    }
    expect(existsSync(join(work, "never.npy"))).toBe(false);
    expect(existsSync(join(work, "never-cov"))).toBe(false);
    const blind = await dl(["gan", "train", "--conditional", "--data", "mnist", "--epochs", "1", "--eval-draws", "3", "--no-evaluate", "--out", "never-cov"], work);
    expect(blind.stderr.trim().split("\n").at(-1)).toBe("error [INVALID_ARGUMENT]: --eval-draws sets how many draws of z the classifier scores, which --no-evaluate turns off; drop one of them.");
  }, 120_000);

  it("train (tiny, resumable) → sample; unknown label and a checkpoint of another architecture are rejected", async () => {
    const base = ["gan", "train", "--conditional", "--data", "mnist", "--limit", "256", "--steps-per-epoch", "3", "--no-evaluate", "--out", "cgan", "--json"];
    const first = await dl([...base, "--epochs", "1"], work);
    expect(first.code, first.stderr).toBe(0);
    const resumed = await dl([...base, "--epochs", "2", "--resume"], work);
    expect(resumed.code, resumed.stderr).toBe(0);
    const metrics = JSON.parse(resumed.stdout) as { epochs: number; allHistory: { epoch: number }[] };
    expect(metrics.epochs).toBe(2);
    expect(metrics.allHistory.map((h) => h.epoch)).toEqual([1, 2]);
    expect((await readdir(join(work, "cgan", "samples"))).sort()).toEqual(["epoch-001.png", "epoch-002.png"]);
    await expectOutputsAsReadme("`dl gan train`", join(work, "cgan"));

    const sample = await dl(["gan", "sample", "--model", "cgan", "--label", "3", "--n", "16", "--out", "s.png", "--json"], work);
    expect(sample.code, sample.stderr).toBe(0);
    expect((await readFile(join(work, "s.png"))).subarray(1, 4).toString()).toBe("PNG");
    const sampled = JSON.parse(sample.stdout) as { truncation: number | null; title: string };
    expect(sampled.truncation).toBeNull();
    // The PNG says what it shows: the label, the model's data and epoch, the latent codes and the seed.
    expect(sampled.title).toBe("16 samples of label 3: conditional mlp GAN on mnist, epoch 2; untruncated z, seed 42");
    const truncated = await dl(["gan", "sample", "--model", "cgan", "--label", "3", "--n", "16", "--truncation", "1.5", "--out", "t.png", "--json"], work);
    expect(truncated.code, truncated.stderr).toBe(0);
    const truncatedJson = JSON.parse(truncated.stdout) as { truncation: number | null; title: string };
    expect(truncatedJson.truncation).toBe(1.5);
    expect(truncatedJson.title).toMatch(/; z within ±1\.5, seed 42$/);
    // Other codes, other pixels: the truncated grid is not the untruncated one.
    expect(Buffer.compare(await readFile(join(work, "t.png")), await readFile(join(work, "s.png")))).not.toBe(0);
    // train's final samples.png is what dl gan sample draws from its checkpoint with the same seed and n.
    const hundred = await dl(["gan", "sample", "--model", "cgan", "--n", "100", "--out", "s100.png"], work);
    expect(hundred.code, hundred.stderr).toBe(0);
    expect(Buffer.compare(await readFile(join(work, "s100.png")), await readFile(join(work, "cgan", "samples.png")))).toBe(0);
    // The truncation rule scores label accuracy: an unconditional GAN is refused in one line, and nothing is written.
    const plain = await dl(["gan", "train", "--data", "mnist", "--limit", "128", "--steps-per-epoch", "1", "--epochs", "1", "--no-evaluate", "--out", "plain-gan"], work);
    expect(plain.code, plain.stderr).toBe(0);
    const plainAuto = await dl(["gan", "sample", "--model", "plain-gan", "--truncation", "auto", "--out", "auto.png"], work);
    expect(plainAuto.code).toBe(2);
    expect(plainAuto.stderr.trim().split("\n").at(-1)).toBe("error [INVALID_ARGUMENT]: --truncation auto scores label accuracy, so it needs a conditional GAN; give t as a number.");
    expect(existsSync(join(work, "auto.png"))).toBe(false);

    const badLabel = await dl(["gan", "sample", "--model", "cgan", "--label", "12", "--out", "bad.png"], work);
    expect(badLabel.code).toBe(2);
    expect(badLabel.stderr).toMatch(/Unknown label 12/);
    expect(existsSync(join(work, "bad.png"))).toBe(false);

    const otherArch = await dl(["gan", "train", "--conditional", "--arch", "dcgan", "--data", "mnist", "--limit", "256", "--steps-per-epoch", "2", "--no-evaluate", "--epochs", "3", "--resume", "--out", "cgan"], work);
    expect(otherArch.code).toBe(2);
    expect(otherArch.stderr).toMatch(/mlp GAN; rerun with the same --arch/);
    expect((await readdir(join(work, "cgan", "samples"))).length).toBe(2);

    // The checkpoint records its dataset: another one is refused in one line naming both, and nothing changes.
    const before = await readFile(join(work, "cgan", "checkpoint", "state.json"), "utf8");
    expect((JSON.parse(before) as { trainedOn: unknown }).trainedOn).toEqual({ name: "mnist/train", count: 256 });
    const otherData = await dl(["gan", "train", "--conditional", "--data", "fashion-mnist", "--limit", "256", "--steps-per-epoch", "2", "--no-evaluate", "--epochs", "3", "--resume", "--out", "cgan"], work);
    expect(otherData.code, otherData.stderr).toBe(2);
    expect(otherData.stderr.split("\n").filter((l) => l.startsWith("error"))).toEqual([
      `error [INVALID_ARGUMENT]: The checkpoint in cgan was trained on mnist/train, not fashion-mnist/train: resume with --data mnist, or train fashion-mnist into a new --out.`,
    ]);
    // Compared as one string (tens of MB of optimiser state): unchanged, byte for byte.
    expect((await readFile(join(work, "cgan", "checkpoint", "state.json"), "utf8")) === before).toBe(true);
    expect((await readdir(join(work, "cgan", "samples"))).length).toBe(2);
    // Conditional setting and data size: a different --limit on the same dataset continues, and says so.
    const unconditional = await dl(["gan", "train", "--data", "mnist", "--limit", "256", "--steps-per-epoch", "2", "--no-evaluate", "--epochs", "3", "--resume", "--out", "cgan"], work);
    expect(unconditional.code).toBe(2);
    expect(unconditional.stderr).toMatch(/conditional mlp GAN; rerun with the same --arch and --conditional/);
    const more = await dl(["gan", "train", "--conditional", "--data", "mnist", "--limit", "128", "--steps-per-epoch", "2", "--no-evaluate", "--epochs", "3", "--resume", "--out", "cgan"], work);
    expect(more.code, more.stderr).toBe(0);
    expect(more.stderr).toMatch(/resuming after epoch 2 \(seed 42 from the checkpoint\); it was trained on 256 mnist\/train images, now 128/);

    // Learning rates set up a new GAN: refused on resume, recorded in a new one's config; auto truncation needs the classifier.
    const rateOnResume = await dl([...base, "--epochs", "4", "--resume", "--learning-rate", "5e-4"], work);
    expect(rateOnResume.code).toBe(2);
    expect(rateOnResume.stderr.trim().split("\n").at(-1)).toBe(
      "error [INVALID_ARGUMENT]: --learning-rate, --d-learning-rate and --d-steps set up a new GAN; a resumed one keeps its checkpoint's settings. Drop them, or train into a new --out.",
    );
    const blindAuto = await dl([...base, "--epochs", "4", "--resume", "--truncation", "auto"], work);
    expect(blindAuto.code).toBe(2);
    expect(blindAuto.stderr.trim().split("\n").at(-1)).toMatch(/^error \[INVALID_ARGUMENT\]: --truncation auto picks t with the classifier, which --no-evaluate turns off/);
    expect((await readdir(join(work, "cgan", "samples"))).length).toBe(3);
    const rates = await dl(["gan", "train", "--conditional", "--data", "mnist", "--limit", "128", "--steps-per-epoch", "1", "--no-evaluate", "--epochs", "1", "--learning-rate", "5e-4", "--d-learning-rate", "1e-3", "--d-steps", "2", "--out", "cgan-rates", "--json"], work);
    expect(rates.code, rates.stderr).toBe(0);
    expect((JSON.parse(rates.stdout) as { config: { learningRate: number; dLearningRate: number; dSteps: number } }).config).toMatchObject({ learningRate: 5e-4, dLearningRate: 1e-3, dSteps: 2 });
    const conv = await dl(["gan", "train", "--conditional", "--data", "mnist", "--recipe", "cbn-r1-conv", "--limit", "128", "--steps-per-epoch", "1", "--no-evaluate", "--epochs", "1", "--out", "cgan-conv", "--json"], work);
    expect(conv.code, conv.stderr).toBe(0);
    expect((JSON.parse(conv.stdout) as { config: { convGenerator: unknown; r1Gamma: number } }).config).toMatchObject({ convGenerator: { channels: [32, 16], upsample: "transposed" }, r1Gamma: 1 });
    const convSampled = await dl(["gan", "sample", "--model", "cgan-conv", "--n", "4", "--label", "2", "--out", "conv-samples.png", "--json"], work);
    expect(convSampled.code, convSampled.stderr).toBe(0);
    expect((JSON.parse(convSampled.stdout) as { title: string }).title).toBe("4 samples of label 2: conditional mlp GAN (conv G) on mnist, epoch 1; untruncated z, seed 42");
    // The lazy recipe draws its final samples with standing batch-norm statistics, and dl gan sample recomputes the same
    // ones from the checkpoint (whose moving averages differ): its grid is train's samples.png, pixel for pixel.
    const lazy = await dl(["gan", "train", "--conditional", "--data", "mnist", "--recipe", "cbn-r1-conv-lazy", "--limit", "128", "--steps-per-epoch", "1", "--no-evaluate", "--epochs", "1", "--out", "cgan-lazy", "--json"], work);
    expect(lazy.code, lazy.stderr).toBe(0);
    expect((JSON.parse(lazy.stdout) as { config: { standingStatistics: unknown; emaDecay: number } }).config).toMatchObject({ standingStatistics: { batches: 25, batchSize: 256 }, emaDecay: 0.95 });
    const lazySampled = await dl(["gan", "sample", "--model", "cgan-lazy", "--n", "100", "--out", "lazy100.png", "--json"], work);
    expect(lazySampled.code, lazySampled.stderr).toBe(0);
    expect((JSON.parse(lazySampled.stdout) as { standingStatistics: unknown }).standingStatistics).toEqual({ batches: 25, batchSize: 256 });
    expect(Buffer.compare(await readFile(join(work, "lazy100.png")), await readFile(join(work, "cgan-lazy", "samples.png")))).toBe(0);
    const convDcgan = await dl(["gan", "train", "--conditional", "--data", "mnist", "--arch", "dcgan", "--recipe", "cbn-r1-conv", "--epochs", "1", "--out", "never-conv"], work);
    expect(convDcgan.stderr.trim().split("\n").at(-1)).toBe("error [INVALID_ARGUMENT]: The cbn-r1-conv recipe puts its conv generator beside the MLP discriminator; use --arch mlp with it, not dcgan.");
    expect(existsSync(join(work, "never-conv"))).toBe(false);
    const badRate = await dl(["gan", "train", "--conditional", "--data", "mnist", "--epochs", "1", "--learning-rate", "0", "--out", "never-rates"], work);
    expect(badRate.stderr).toMatch(/--learning-rate needs a number > 0 and ≤ 0\.1, got "0"/);
    expect(existsSync(join(work, "never-rates"))).toBe(false);
  }, 300_000);

  it("sample --eval-draws repeats train's final scores over draws from the checkpoint (the tiny run above, no epoch trained)", async () => {
    // Resumed at its last epoch, train trains nothing and scores the final G over 2 draws of z against the test split.
    const scored = await dl(["gan", "train", "--conditional", "--data", "mnist", "--limit", "128", "--steps-per-epoch", "2", "--epochs", "3", "--resume", "--eval-draws", "2", "--out", "cgan", "--json"], work);
    expect(scored.code, scored.stderr).toBe(0);
    const trained = JSON.parse(scored.stdout) as { epochs: number; frechet: number; overDraws: { draws: number; seeds: number[]; frechet: { values: number[] } } };
    expect(trained.epochs).toBe(3);
    expect([trained.overDraws.draws, trained.overDraws.seeds]).toEqual([2, [99, 100]]);
    const sampled = await dl(["gan", "sample", "--model", "cgan", "--eval-draws", "2", "--n", "4", "--out", "scored.png", "--json"], work);
    expect(sampled.code, sampled.stderr).toBe(0);
    const json = JSON.parse(sampled.stdout) as { frechet: number; overDraws: unknown };
    // The checkpoint read back scores as the trained G did: every figure of every draw. Equal to float32 rounding, not
    // bit for bit: the scoring CNN's products run on dl-lab's GEMM for a weight's first uses and on XNNPACK after
    // (tensor-core's matMul.ts), and the two commands call the classifier in another order.
    expectSameFigures(json.overDraws, trained.overDraws);
    expect(json.frechet).toBeCloseTo(trained.frechet, 4);
    expect(trained.overDraws.frechet.values[0]).toBe(trained.frechet);
  }, 300_000);

  it("modes (tiny): the summary is the mean and sd of the per-seed figures; result.json + samples.png; a bad method is rejected", async () => {
    const r = await dl(["gan", "modes", "--method", "bigan", "--seeds", "2", "--steps", "60", "--rejection-steps", "30", "--out", "modes", "--json"], work);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { modes: number; modesSd: number; highQuality: number; of: number; runs: { seed: number; modes: number; highQuality: number; counts: number[]; reconstructionError: number }[] };
    expect(out.of).toBe(25);
    expect(out.runs.map((x) => x.seed)).toEqual([42, 43]);
    const [a, b] = out.runs as [(typeof out.runs)[0], (typeof out.runs)[0]];
    expect(out.modes).toBeCloseTo((a.modes + b.modes) / 2, 10);
    expect(out.modesSd).toBeCloseTo(Math.abs(a.modes - b.modes) / Math.SQRT2, 10);
    expect(out.highQuality).toBeCloseTo((a.highQuality + b.highQuality) / 2, 10);
    // High-quality share = counted samples / 2,500, and a mode is covered with ≥ 20 of them.
    expect(a.counts.reduce((s, c) => s + c, 0) / 2500).toBeCloseTo(a.highQuality, 10);
    expect(a.counts.filter((c) => c >= 20).length).toBe(a.modes);
    expect(Number.isFinite(a.reconstructionError)).toBe(true);
    await expectOutputsAsReadme("`dl gan modes`", join(work, "modes"));
    // Two seeds ran in two worker processes (the default); in this process they give the same figures and picture.
    expect(r.stderr).toContain("2 seeds on 2 local workers");
    const inline = await dl(["gan", "modes", "--method", "bigan", "--seeds", "2", "--steps", "60", "--rejection-steps", "30", "--workers", "1", "--out", "modes-inline", "--json"], work);
    expect(inline.code, inline.stderr).toBe(0);
    const figures = (text: string): unknown[] => (JSON.parse(text) as { runs: Record<string, unknown>[] }).runs.map(({ seconds: _s, ...rest }) => rest);
    expect(figures(inline.stdout)).toEqual(figures(r.stdout));
    expect(readFileSync(join(work, "modes-inline", "samples.png")).equals(readFileSync(join(work, "modes", "samples.png")))).toBe(true);
    const sharded = await dl(["gan", "modes", "--method", "gan", "--shard", "0/2", "--out", "never-modes"], work);
    expect(sharded.code).toBe(2);
    expect(sharded.stderr.trim().split("\n").at(-1)).toBe("error [INVALID_ARGUMENT]: dl gan modes runs its seeds with --workers or --queue; --shard and --task-size are for dl tcav.");
    const bad = await dl(["gan", "modes", "--method", "wgan", "--out", "never-modes"], work);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n").at(-1)).toMatch(/^error \[INVALID_ARGUMENT\]: Unknown method "wgan"/);
    expect(existsSync(join(work, "never-modes"))).toBe(false);
  }, 300_000);
});
