/** What long-running methods report; the CLI turns it into a progress bar, the playground into a bar too. */
export interface ProgressEvent {
  /** Short name of the current phase, e.g. "epoch", "optimize", "calibrate". */
  phase: string;
  /** Steps done in this phase. */
  step: number;
  /** Total steps of this phase, when known. */
  total?: number;
  /** Figures worth showing now (loss, accuracy, KL …). */
  metrics?: Readonly<Record<string, number>>;
  message?: string;
  /**
   * Why the phase ended before `step` reached `total` (e.g. "the time budget of 300 s", "convergence");
   * set only on a phase's last event. A phase that runs to its end sends a last event with step = total.
   */
  stopped?: string;
}

export type ProgressCallback = (event: ProgressEvent) => void;

/** Options every long method takes (DESIGN.md). */
export interface RunOptions {
  seed?: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/**
 * The last event of each phase (by name, in order of first appearance) that neither reached its
 * total nor says why it stopped: what a progress bar would leave looking stuck. Empty when every
 * phase ended on its real final state; phases without a total are not judged.
 */
export function unfinishedPhases(events: readonly ProgressEvent[]): ProgressEvent[] {
  const last = new Map<string, ProgressEvent>();
  for (const event of events) {
    if (event.phase === "cache") continue;
    last.delete(event.phase);
    last.set(event.phase, event);
  }
  return [...last.values()].filter((e) => e.total !== undefined && e.step !== e.total && e.stopped === undefined);
}
