import { readFileSync } from "node:fs";

import { Command, CommanderError } from "commander";

import { DlError } from "@dl/tensor-core";

import { commandRegistrations } from "./commands/index.js";
import { formatError } from "./io.js";
import { InvalidOptionError } from "./options.js";

export { formatError };

/** `@dl/cli`'s version, from its package.json (`../package.json` from both src/ and dist/). */
export const CLI_VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

/**
 * Builds the `dl` program for `argv`; each command parses arguments, calls one package function and
 * prints. Only the modules of the command `argv` names are loaded (all of them for help).
 */
export async function buildProgram(argv: readonly string[] = ["node", "dl"]): Promise<Command> {
  const program = new Command("dl")
    .description("dl-lab: deep-learning ideas as fast, tested tools on TensorFlow.js")
    .version(CLI_VERSION, "-V, --version", "print dl's version")
    .exitOverride()
    // Usage errors are printed by runCli in the CLI's one-line `error [CODE]: …` form, not by commander.
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => undefined });
  for (const register of await commandRegistrations(argv)) register(program);
  for (const command of program.commands) command.exitOverride();
  return program;
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
  // The deepest command the arguments name, for its --help.
  const path: string[] = [];
  let command = program;
  for (const arg of argv.slice(2)) {
    const sub = command?.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub === undefined) break;
    path.push(sub.name());
    command = sub;
  }
  return `error [${code}]: ${message.replace(/\.$/, "")}. See: dl ${[...path, "--help"].join(" ")}`;
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  let program: Command | undefined;
  try {
    program = await buildProgram(argv);
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

