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
}

export type ProgressCallback = (event: ProgressEvent) => void;

/** Options every long method takes (DESIGN.md). */
export interface RunOptions {
  seed?: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}
