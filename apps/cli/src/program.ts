import { readFileSync } from "node:fs";

import { Command, CommanderError, type Option } from "commander";

import { DlError, listNames } from "@dl/tensor-core/host";

import { allCommandRegistrations, commandRegistrations, type CommandRegistration } from "./commands/index.js";
import { formatError } from "./io.js";
import { InvalidOptionError } from "./options.js";

export { formatError };

/** `@dl/cli`'s version, from its package.json (`../package.json` from both src/ and dist/). */
export const CLI_VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

/**
 * Builds the `dl` program for `argv`; each command parses arguments, calls one package function and
 * prints. Only the modules of the command `argv` names are loaded (none for `dl --help` and `dl --version`).
 */
export async function buildProgram(argv: readonly string[] = ["node", "dl"]): Promise<Command> {
  return programWith(await commandRegistrations(argv));
}

/** The `dl` program with every command module registered, whatever the arguments (for tests and tools that walk every command). */
export async function buildFullProgram(): Promise<Command> {
  return programWith(await allCommandRegistrations());
}

function programWith(registrations: readonly CommandRegistration[]): Command {
  const program = new Command("dl")
    .description("dl-lab: deep-learning ideas as fast, tested tools on TensorFlow.js")
    .version(CLI_VERSION, "-V, --version", "print dl's version")
    .exitOverride()
    // Usage errors are printed by runCli in the CLI's one-line `error [CODE]: …` form, not by commander.
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => undefined });
  for (const register of registrations) register(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * commander checks required options before unknown ones, so a typo (`dl tsne --outt x`) was reported as
 * the option it misspelt being missing. Required options are checked instead just before the action runs,
 * after unknown options and arguments, with commander's own message and code. (Applied by runCli only: the
 * program that buildProgram returns still marks its required options as commander's `mandatory`.)
 */
function checkRequiredOptionsLast(program: Command): void {
  const required = new Map<Command, Option[]>();
  const collect = (command: Command): void => {
    const options = command.options.filter((o) => o.mandatory);
    for (const option of options) option.mandatory = false;
    if (options.length > 0) required.set(command, options);
    for (const sub of command.commands) collect(sub);
  };
  collect(program);
  program.hook("preAction", (_program, action) => {
    const missing = (required.get(action) ?? []).find((o) => action.getOptionValue(o.attributeName()) === undefined);
    if (missing !== undefined) action.error(`error: required option '${missing.flags}' not specified`, { code: "commander.missingMandatoryOptionValue", exitCode: 1 });
  });
}

/** commander's exits that are not errors (help and version, already printed). */
const COMMANDER_EXITS = new Set(["commander.helpDisplayed", "commander.help", "commander.version"]);

/**
 * A usage error of commander (unknown option or command, missing argument or value, a value outside
 * its choices…) as the CLI's one line: `error [USAGE]: …` (a refused choice is `INVALID_ARGUMENT`,
 * like a value our own parsers refuse), with where to read the usage.
 */
export function formatUsageError(error: CommanderError, program: Command | undefined, argv: readonly string[]): string {
  const code = error.code === "commander.invalidArgument" ? "INVALID_ARGUMENT" : "USAGE";
  const message = error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim();
  const { path } = namedCommand(program, argv);
  return `error [${code}]: ${message.replace(/\.$/, "")}. See: dl ${[...path, "--help"].join(" ")}`;
}

/** The deepest command the arguments name (its path of names), and the argument after it. */
function namedCommand(program: Command | undefined, argv: readonly string[]): { command: Command | undefined; path: string[]; next: string | undefined } {
  const path: string[] = [];
  let command = program;
  const args = argv.slice(2);
  for (const arg of args) {
    const sub = command?.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub === undefined) break;
    path.push(sub.name());
    command = sub;
  }
  return { command, path, next: args[path.length] };
}

/**
 * `dl gan` (a group) without its subcommand would print the whole help as an error; it is a usage
 * error like the others: one line listing the subcommands. `dl` alone still prints the help.
 */
function missingSubcommand(program: Command, argv: readonly string[]): string | undefined {
  const { command, path, next } = namedCommand(program, argv);
  if (command === undefined || path.length === 0 || command.commands.length === 0) return undefined;
  if (next !== undefined && (!next.startsWith("-") || next === "-h" || next === "--help")) return undefined;
  const names = command.commands.map((c) => c.name()).filter((n) => n !== "help");
  return `error [USAGE]: dl ${path.join(" ")} needs a command: ${listNames(names)}. See: dl ${path.join(" ")} --help`;
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  let program: Command | undefined;
  try {
    program = await buildProgram(argv);
    checkRequiredOptionsLast(program);
    const missing = missingSubcommand(program, argv);
    if (missing !== undefined) {
      process.stderr.write(`${missing}\n`);
      return 2;
    }
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (COMMANDER_EXITS.has(error.code)) return error.exitCode;
      process.stderr.write(`${formatUsageError(error, program, argv)}\n`);
      return 2;
    }
    process.stderr.write(`${formatError(error)}\n`);
    return error instanceof DlError || error instanceof InvalidOptionError ? 2 : 1;
  }
}

