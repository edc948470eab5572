import { join, resolve } from "node:path";

import { Option, type Command } from "commander";

import {
  DlError,
  backendInfo,
  formatMetric,
  listNames,
  loadDataset,
  loadDefaultModel,
  parseArch,
  reportFiles,
  throwIfAborted,
  type DatasetName,
  type DefaultArch,
  type ProgressCallback,
} from "@dl/tensor-core";

import { runAction, type ActionOutcome } from "../action.js";
import { log, progressReporter, type OutputFile } from "../io.js";
import { backendOption, seedOption, type CommonOptions } from "../options.js";
import type { TourContext } from "../tour/context.js";
import { foundationTourSection } from "../tour/foundation.js";
import { TOUR_TOPICS, runTourTopics, type TourTopic } from "../tour/index.js";

/** Epochs of the quick tour's model (cached apart from the full recipe's). */
const QUICK_EPOCHS = 4;

interface TourOptions extends CommonOptions {
  out: string;
  quick?: boolean;
  arch?: string;
  only?: string[];
}

interface TourPlan {
  out: string;
  quick: boolean;
  data: DatasetName;
  arch: DefaultArch;
  seed: number;
  topics: readonly TourTopic[];
  signal: AbortSignal;
  onProgress: ProgressCallback;
  started: number;
}

/** Topics to run: all, or those named by `--only` (unknown names are an error listing the valid ones). */
function selectTopics(only: readonly string[] | undefined): readonly TourTopic[] {
  if (only === undefined) return TOUR_TOPICS;
  const valid = TOUR_TOPICS.map((t) => t.id);
  for (const name of only) {
    if (!valid.includes(name)) {
      throw new DlError("UNKNOWN_NAME", `Unknown tour topic "${name}". Valid topics: ${valid.length === 0 ? "none yet" : listNames(valid)}.`, {
        details: { valid },
      });
    }
  }
  return TOUR_TOPICS.filter((t) => only.includes(t.id));
}

export function registerTourCommand(program: Command): void {
  program
    .command("tour")
    .description("train (or load the cached) default MNIST model and write an HTML report of what each topic shows")
    .option("--out <dir>", "folder that receives index.html, report.json and the figures", "out/tour")
    .option("--quick", "small samples, few iterations and a model trained for only a few epochs (the MLP unless --arch is given)")
    .option("--arch <name>", "default model architecture: cnn or mlp (default cnn, mlp with --quick)")
    .addOption(new Option("--only <topics...>", "run only these topics (ids as in the report)"))
    .addOption(seedOption())
    .addOption(backendOption())
    .option("--json", "print a JSON summary on stdout")
    .action((opts: TourOptions) => {
      const started = performance.now();
      const quick = opts.quick === true;
      const arch = opts.arch === undefined ? (quick ? "mlp" : "cnn") : parseArch(opts.arch);
      const topics = selectTopics(opts.only);
      return runAction("tour", opts, ({ seed, signal, onProgress }) => runTour({ out: opts.out, quick, data: "mnist", arch, seed, topics, signal, onProgress, started }));
    });
}

async function runTour(plan: TourPlan): Promise<ActionOutcome> {
  const { data, arch, seed, quick, signal } = plan;
  const backend = backendInfo();
  log(`dl tour: ${arch} on ${data}, backend ${backend.name}${quick ? ", quick" : ""}`);
  const loaded = await loadDefaultModel({ data, arch, seed, signal, onProgress: plan.onProgress, ...(quick ? { epochs: QUICK_EPOCHS } : {}) });
  try {
    log(`model: ${loaded.cached ? "loaded from cache" : `trained in ${loaded.trainSeconds.toFixed(1)} s`}, test accuracy ${(loaded.testAccuracy * 100).toFixed(2)}%`);
    const dataset = { train: await loadDataset(data, { split: "train" }), test: await loadDataset(data, { split: "test" }) };
    // Each section draws its own progress line under its own label.
    const context = (label: string): { ctx: TourContext; done: () => void } => {
      const progress = progressReporter(label);
      return { ctx: { model: loaded.model, dataset, seed, onProgress: progress.onProgress, quick, signal }, done: progress.stop };
    };

    const foundationStarted = performance.now();
    const foundation = context("foundation");
    const foundationSections = await foundationTourSection(foundation.ctx, {
      data,
      arch,
      backend,
      testAccuracy: loaded.testAccuracy,
      trainSeconds: loaded.trainSeconds,
      cached: loaded.cached,
      modelDir: loaded.dir,
      history: loaded.training.history,
    }).finally(foundation.done);
    const foundationSeconds = (performance.now() - foundationStarted) / 1000;

    const { sections, outcomes } = await runTourTopics(plan.topics, (topic) => {
      log(`section: ${topic.title}`);
      return context(topic.id);
    });
    for (const o of outcomes) if (!o.ok) log(`section ${o.id} failed: ${o.error ?? ""}`);
    throwIfAborted(signal);

    const all = [...foundationSections, ...sections];
    const files = reportFiles({
      title: "dl-lab tour",
      subtitle: `What each topic shows on the default ${arch.toUpperCase()} ${data} model · backend ${backend.name} · seed ${seed}${quick ? " · quick" : ""}`,
      sections: all,
    }).map((f): OutputFile => [f.path, f.contents]);
    // A closing summary: one line per section with its first figures, then where the report is.
    const failed = outcomes.filter((o) => !o.ok).length;
    log("");
    log(`tour finished in ${((performance.now() - plan.started) / 1000).toFixed(0)} s: ${all.length} sections${failed > 0 ? `, ${failed} failed (see the report)` : ""}`);
    for (const section of all) {
      const headline = Object.entries(section.metrics ?? {})
        .slice(0, 3)
        .map(([k, v]) => `${k} ${formatMetric(v)}`)
        .join(" · ");
      log(`  ${section.error === undefined ? "✓" : "✗"} ${section.title}${headline === "" ? "" : `: ${headline}`}`);
    }
    const report = join(resolve(plan.out), "index.html");
    const json = {
      report,
      backend: backend.name,
      quick,
      model: { data, arch, testAccuracy: loaded.testAccuracy, trainSeconds: loaded.trainSeconds, cached: loaded.cached, dir: loaded.dir },
      sections: [{ id: "foundation", title: "Foundation", ok: true, seconds: foundationSeconds, sections: foundationSections.length }, ...outcomes],
      failed: outcomes.filter((o) => !o.ok).map((o) => o.id),
      seconds: (performance.now() - plan.started) / 1000,
    };
    return { files, json, summary: `report: ${report} (open it in a browser)` };
  } finally {
    loaded.model.dispose();
  }
}
