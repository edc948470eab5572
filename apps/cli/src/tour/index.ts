import { DlError, renderReportHtml, type ReportSection } from "@dl/tensor-core";

import { bayesTourSection } from "./bayes.js";
import type { TourContext, TourSectionFn } from "./context.js";
import { ganTourSection } from "./gan.js";
import { interpretabilityTourSection } from "./interpretability.js";
import { metalearnTourSection } from "./metalearn.js";
import { tcavTourSection } from "./tcav.js";

/** One topic of the tour; its sections follow the foundation in this order. */
export interface TourTopic {
  id: string;
  title: string;
  run: TourSectionFn;
}

/** Topic sections, wired in as each `apps/cli/src/tour/<topic>.ts` lands. */
export const TOUR_TOPICS: readonly TourTopic[] = [
  { id: "interpretability", title: "Interpretability: layer-by-layer t-SNE", run: interpretabilityTourSection },
  { id: "tcav", title: "TCAV: concept sensitivity", run: tcavTourSection },
  { id: "bayes", title: "Bayesian deep learning: mixtures, samplers, flows, VAEs", run: bayesTourSection },
  { id: "metalearn", title: "Metalearning: few-shot classification", run: metalearnTourSection },
  { id: "gan", title: "GANs: change of variables, density ratios, conditional samples", run: ganTourSection },
];

export interface TopicOutcome {
  id: string;
  title: string;
  ok: boolean;
  seconds: number;
  sections: number;
  error?: string;
}

/**
 * Runs each topic in turn; a topic that throws becomes an error section in the report instead of
 * ending the tour, so one broken topic never hides the others.
 */
export async function runTourTopics(
  topics: readonly TourTopic[],
  makeContext: (topic: TourTopic) => { ctx: TourContext; done: () => void },
): Promise<{ sections: ReportSection[]; outcomes: TopicOutcome[] }> {
  const sections: ReportSection[] = [];
  const outcomes: TopicOutcome[] = [];
  for (const topic of topics) {
    const started = performance.now();
    const { ctx, done } = makeContext(topic);
    try {
      const produced = await topic.run(ctx);
      // Render alone first: a malformed section fails its topic here, not the whole report later.
      renderReportHtml({ title: topic.title, sections: produced });
      const taken = new Set(sections.map((s) => s.id));
      sections.push(...produced.map((s) => (taken.has(s.id) ? { ...s, id: `${topic.id}-${s.id}` } : s)));
      outcomes.push({ id: topic.id, title: topic.title, ok: true, seconds: (performance.now() - started) / 1000, sections: produced.length });
    } catch (error) {
      // Ctrl-C stops the whole tour rather than marking one topic as failed.
      if (ctx.signal?.aborted === true) throw error;
      const message = errorLine(error);
      sections.push({ id: topic.id, title: topic.title, error: `This section failed: ${message}` });
      outcomes.push({ id: topic.id, title: topic.title, ok: false, seconds: (performance.now() - started) / 1000, sections: 0, error: message });
    } finally {
      done();
    }
  }
  return { sections, outcomes };
}

/** A failed section's error in the CLI's one-line form: `error [CODE]: message` for a DlError. */
function errorLine(error: unknown): string {
  if (error instanceof DlError) return `error [${error.code}]: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}
