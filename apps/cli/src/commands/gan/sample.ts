import { dirname } from "node:path";

import type { Command } from "commander";

import type * as tfl from "@tensorflow/tfjs-layers";

import { applyStandingStatistics, chooseTruncation, generateImages, scoreDraws, type Gan } from "@dl/gan";
import { loadGanCheckpoint } from "@dl/gan/checkpoint";
import { DlError, encodePng, imageGrid, loadDataset, parseDatasetName, type DatasetName } from "@dl/tensor-core";

import { runAction } from "../../action.js";
import { assertWritableDir, writeFileAtomic } from "../../io.js";
import { backendOption, parseInteger, parseTruncation, seedOption, type CommonOptions } from "../../options.js";
import { drawScoresJson, drawScoresSummary, evalDrawsOption } from "./drawScores.js";
import { drawnTruncation, latentTitle, sampleLayout, trainedDataset } from "./sampleFigure.js";
import { loadScoringClassifier } from "./scoringClassifier.js";

interface SampleOptions extends CommonOptions {
  out: string;
  model: string;
  label?: number;
  n: number;
  truncation?: number | "auto";
  evalDraws?: number;
}

export function registerSample(gan: Command): void {
  gan
    .command("sample")
    .description("draw samples from a trained GAN into a PNG grid")
    .requiredOption("--model <dir>", "the --out folder of dl gan train")
    .option("--label <l>", "label for a conditional GAN (default: all labels in turn)", parseInteger("--label", 0, 1000))
    .option("--n <n>", "number of samples (at most 4096)", parseInteger("--n", 1, 4096), 64)
    .option(
      "--truncation <t|auto>",
      "latent codes kept within ±t (the truncation trick: more faithful, less diverse; default: untruncated); auto: the t that dl gan train --truncation auto picks (the largest whose samples the classifier labels right ≥ 97.5 % of the time, or as often as it labels real test images where that is less; a conditional GAN only)",
      parseTruncation,
    )
    .addOption(evalDrawsOption("also score the GAN with the classifier, as dl gan train's final scores (the same seeds 99, 100, …, 1,000 samples each against the test split, at the --truncation drawn): the first draw's figures and overDraws (mean, sd, values); default: no scores"))
    .requiredOption("--out <file.png>", "PNG file")
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print one JSON document on stdout")
    // --out names one PNG file here, not a folder: the work writes it itself.
    .action(({ out, ...opts }: SampleOptions) =>
      runAction("sample", opts, async ({ seed }) => {
        await assertWritableDir(dirname(out));
        const g = await loadGanCheckpoint(opts.model);
        try {
          // As dl gan train draws its final samples: with standing batch-norm statistics where the config asks for them.
          if (g.config.standingStatistics) applyStandingStatistics(g, g.config.standingStatistics);
          if (opts.label !== undefined && g.config.numClasses > 0 && opts.label >= g.config.numClasses) {
            throw new DlError("INVALID_ARGUMENT", `Unknown label ${opts.label}: this GAN knows labels 0–${g.config.numClasses - 1}.`);
          }
          // One classifier serves --truncation auto and --eval-draws; both are checked before anything is drawn or written.
          const scoring = await scoringFor(g, opts);
          try {
            const rule = opts.truncation === "auto" && scoring ? await chooseTruncation(g, scoring.classifier, { realAccuracy: scoring.testAccuracy }) : undefined;
            const truncation = drawnTruncation(opts.truncation, rule);
            const scores = opts.evalDraws !== undefined && scoring ? await scoreDraws(g, scoring.classifier, await loadDataset(scoring.data, { split: "test" }), { draws: opts.evalDraws, ...(truncation === undefined ? {} : { truncation }) }) : undefined;
            const { images } = generateImages(g, opts.n, seed, opts.label, truncation);
            const [h = 28, w = 28] = g.config.dataShape;
            const layout = sampleLayout(g, opts.n, opts.label, seed, latentTitle(truncation, rule));
            await writeFileAtomic(out, encodePng(imageGrid(images, opts.n, h, w, { padding: 2, scale: 2, ...layout })));
            const first = scores?.evaluations[0];
            const json = {
              model: opts.model,
              n: opts.n,
              label: opts.label ?? null,
              truncation: truncation ?? null,
              ...(rule ? { truncationRule: rule } : {}),
              out,
              title: layout.title,
              arch: g.config.arch,
              conditional: g.config.numClasses > 0,
              epoch: g.epoch,
              standingStatistics: g.config.standingStatistics ?? null,
              ...(first ? { accuracy: first.labelAccuracy, precision: first.precision, recall: first.recall, frechet: first.frechet, frechetRealBaseline: first.frechetRealBaseline } : {}),
              ...(scores ? { overDraws: drawScoresJson(scores) } : {}),
            };
            return { json, summary: `wrote ${opts.n} samples to ${out}${scores ? `; scored ${drawScoresSummary(scores)}` : ""}` };
          } finally {
            scoring?.classifier.dispose();
          }
        } finally {
          g.dispose();
        }
      }),
    );
}

/**
 * The default classifier of the data G was trained on, for `--truncation auto` (the rule of `dl gan train`) and
 * `--eval-draws k` (dl gan train's final scores over k draws, against that data's test split); undefined when neither is asked.
 */
async function scoringFor(g: Gan, opts: Pick<SampleOptions, "truncation" | "evalDraws">): Promise<{ data: DatasetName; classifier: tfl.LayersModel; testAccuracy: number } | undefined> {
  const auto = opts.truncation === "auto";
  if (!auto && opts.evalDraws === undefined) return undefined;
  if (auto && g.config.numClasses === 0) throw new DlError("INVALID_ARGUMENT", "--truncation auto scores label accuracy, so it needs a conditional GAN; give t as a number.");
  const trained = trainedDataset(g);
  if (trained === undefined) {
    throw new DlError(
      "INVALID_ARGUMENT",
      auto
        ? "--truncation auto needs the dataset this GAN was trained on, which its checkpoint does not record; give t as a number."
        : "--eval-draws scores against the test split of the dataset this GAN was trained on, which its checkpoint does not record; drop --eval-draws.",
    );
  }
  const data = parseDatasetName(trained);
  const { model: classifier, testAccuracy } = await loadScoringClassifier(data);
  return { data, classifier, testAccuracy };
}
