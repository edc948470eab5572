/** What every worker needs to rebuild a run's context: the command, its flags and the version that made them. */
export interface JobSpec {
  kind: "tcav" | "noop" | "sweep" | "grid25";
  /** The command's own arguments, runner flags and --out removed (for tcav: replayed on the worker). */
  argv: string[];
  /** The submitter's dl-lab (@dl/cli) version; a worker of another version refuses the task. */
  version: string;
  /** sha-256 of the prepared context (activations, gradients, draws); a worker whose context differs refuses. */
  digest?: string;
}

export interface TaskEnvelope {
  spec: JobSpec;
  id: string;
  /** Small JSON: names, seeds, indices — never tensors. */
  task: unknown;
}

/** Progress of a distributed run, in tasks. */
export type TaskProgress = (done: number, total: number) => void;

/** How to run a list of tasks; each returns the encoded result by task id. */
export interface TaskRunner {
  readonly name: string;
  run(spec: JobSpec, tasks: readonly { id: string; task: unknown }[], onProgress?: TaskProgress, signal?: AbortSignal): Promise<Map<string, string>>;
}
