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
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of await commandRegistrations(argv)) register(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its one-line message; help and version exit 0.
      return error.exitCode;
    }
    process.stderr.write(`${formatError(error)}\n`);
    return error instanceof DlError || error instanceof InvalidOptionError ? 2 : 1;
  }
}

