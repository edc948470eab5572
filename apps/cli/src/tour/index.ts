import type { ReportSection } from "@dl/tensor-core";

import { formatError } from "../io.js";
import type { TourContext, TourSectionFn } from "./context.js";

/** One topic of the tour; its sections follow the foundation in this order. */
export interface TourTopic {
  id: string;
  title: string;
  run: TourSectionFn;
}

/** Topic sections, wired in as each `apps/cli/src/tour/<topic>.ts` lands. */
export const TOUR_TOPICS: readonly TourTopic[] = [];

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
      sections.push(...produced);
      outcomes.push({ id: topic.id, title: topic.title, ok: true, seconds: (performance.now() - started) / 1000, sections: produced.length });
    } catch (error) {
      // Ctrl-C stops the whole tour rather than marking one topic as failed.
      if (ctx.signal?.aborted === true) throw error;
      const message = formatError(error);
      sections.push({ id: topic.id, title: topic.title, error: `This section failed: ${message}` });
      outcomes.push({ id: topic.id, title: topic.title, ok: false, seconds: (performance.now() - started) / 1000, sections: 0, error: message });
    } finally {
      done();
    }
  }
  return { sections, outcomes };
}
