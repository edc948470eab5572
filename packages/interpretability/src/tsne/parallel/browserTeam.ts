// The browser build of "#team": no worker threads, everything on the calling thread.
import { SerialTeam } from "./team.js";
import type { Team } from "./team.js";

/** Threads `tsne` uses when `threads` is not given: one outside Node. */
export function defaultThreads(): number {
  return 1;
}

/** A team of one: worker threads are available in the Node build only. */
export function createTeam(_threads: number): Promise<Team> {
  return Promise.resolve(new SerialTeam());
}
