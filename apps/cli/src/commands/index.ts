import type { Command } from "commander";

export type CommandRegistration = (program: Command) => void;

/**
 * Every top-level command of `dl` → the module that registers it, in help order. Modules are imported
 * only when their command runs: each pulls in a topic package (tfjs-layers, mathjs…), and loading all
 * of them costs most of a second before any work starts.
 */
export const commandModules: Readonly<Record<string, () => Promise<CommandRegistration>>> = {
  doctor: async () => (await import("./doctor.js")).registerDoctorCommand,
  train: async () => (await import("./train.js")).registerTrainCommand,
  tour: async () => (await import("./tour.js")).registerTourCommand,
  meta: async () => (await import("./meta.js")).registerMetaCommands,
  gan: async () => (await import("./gan/index.js")).registerGanCommands,
  tsne: async () => (await import("./tsne.js")).registerTsneCommands,
  embed: async () => (await import("./embed.js")).registerEmbedCommand,
  bayes: async () => (await import("./bayes.js")).registerBayesCommands,
  tcav: async () => (await import("./tcav.js")).registerTcavCommand,
  worker: async () => (await import("./worker.js")).registerWorkerCommand,
  merge: async () => (await import("./merge.js")).registerMergeCommand,
  sweep: async () => (await import("./sweep.js")).registerSweepCommand,
};

/**
 * The registrations `argv` needs: only its command's module when the first argument names one,
 * otherwise (help, no command, a typo) all of them, so help lists everything and commander can
 * suggest the closest name.
 */
export async function commandRegistrations(argv: readonly string[]): Promise<CommandRegistration[]> {
  const name = argv.slice(2).find((arg) => !arg.startsWith("-"));
  const load = name === undefined ? undefined : commandModules[name];
  if (load !== undefined) return [await load()];
  return Promise.all(Object.values(commandModules).map((loadModule) => loadModule()));
}
