import { Help, type Command } from "commander";

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
 * Each command's line in `dl --help` (its usage term and description), so `dl`, `dl --help` and `dl --version`
 * load no command module (all of them took ~1 s). index.test.ts checks the lines against the modules' own.
 */
export const commandSummaries: Readonly<Record<string, { term: string; description: string }>> = {
  doctor: { term: "doctor [options]", description: "show the chosen backend and why, tfjs version, SIMD/threads, native backend, Node version and cache" },
  train: { term: "train [options]", description: "train the default classifier on an embedded dataset; writes the model, metrics.json and training curves" },
  tour: { term: "tour [options]", description: "train (or load the cached) default MNIST model and write an HTML report of what each topic shows" },
  meta: { term: "meta", description: "metalearning: few-shot episodes, soft nearest neighbours and their temperature, sinusoid regression, layer-wise fine-tuning" },
  gan: { term: "gan", description: "GANs: change of variables, density ratios, (conditional) GAN training and sampling" },
  tsne: { term: "tsne [options]", description: "t-SNE of a .npy matrix or an embedded dataset; writes embedding.npy, a scatter PNG and an image mosaic" },
  embed: {
    term: "embed [options]",
    description: "layer-by-layer t-SNE of a model's activations on bundled data or your own images: per-layer purity and pixel overlap, mosaics, optimal grids, an HTML explorer",
  },
  bayes: { term: "bayes", description: "Bayesian deep learning: distributions, mixtures, flows, VAEs and their gaps" },
  tcav: {
    term: "tcav [options]",
    description: "TCAV: which concepts drive a class, with a calibrated randomization test, on the default model or your own; writes bars (PNG/SVG), index.html and tcav.json",
  },
  worker: {
    term: "worker [options]",
    description: "take tasks of `dl tcav` / `dl sweep` runs from a BullMQ queue in Redis until stopped (Ctrl-C or SIGTERM finishes the current task); loads each run's model and data once",
  },
  merge: { term: "merge [options] <dirs...>", description: "combine the part-*.json files of a `dl tcav --shard` run (one per array job) into its report and tcav.json" },
  sweep: {
    term: "sweep [options] <spec.json>",
    description:
      'run a grid of one dl command\'s flags × seeds as tasks (local workers or --queue) and report each figure\'s mean and 95 % CI per setting; SPEC.json: {"command": ["bayes", …], "grid": {"--flag": [a, b]}, "seeds": 5}',
  },
};

/** Registers every command as its help line only (name, usage term, description): enough for `dl --help` and `dl --version`. */
const summariesOnly: CommandRegistration = (program) => {
  for (const [name, { description }] of Object.entries(commandSummaries)) program.command(name).description(description);
  const standard = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => commandSummaries[cmd.name()]?.term ?? standard.subcommandTerm(cmd) });
};

/**
 * The registrations `argv` needs: only its command's module when the first argument names one; the help
 * lines alone when no argument names a command (`dl`, `dl --help`, `dl --version`); otherwise (`dl help
 * NAME`, a typo) all of them, so `help` can show any command and commander can suggest the closest name.
 */
export async function commandRegistrations(argv: readonly string[]): Promise<CommandRegistration[]> {
  const name = argv.slice(2).find((arg) => !arg.startsWith("-"));
  if (name === undefined) return [summariesOnly];
  const load = commandModules[name];
  if (load !== undefined) return [await load()];
  return allCommandRegistrations();
}

/** Every command module's registration, in help order (the whole program, as tests that walk every command need it). */
export function allCommandRegistrations(): Promise<CommandRegistration[]> {
  return Promise.all(Object.values(commandModules).map((loadModule) => loadModule()));
}
