import { Command } from "commander";

import { DlError, backendInfo, initBackend } from "@dl/tensor-core";

/** Builds the `dl` program; each command parses arguments, calls one package function and prints. */
export function buildProgram(): Command {
  const program = new Command("dl").description("dl-lab: deep-learning ideas as fast, tested tools on TensorFlow.js");
  program
    .command("doctor")
    .description("show the chosen backend and why, tfjs version, SIMD/threads, native backend status")
    .option("--json", "print one JSON document on stdout")
    .option("--backend <name>", "force a backend (auto, tfjs-node, wasm, cpu)")
    .action(async (opts: { json?: boolean; backend?: string }) => {
      await initBackend(opts.backend === undefined ? {} : { backend: opts.backend as never });
      const info = backendInfo();
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      } else {
        process.stdout.write(`backend: ${info.name}\n`);
      }
    });
  return program;
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    const message = error instanceof DlError ? `error [${error.code}]: ${error.message}` : `error: ${String(error)}`;
    process.stderr.write(`${message}\n`);
    return 1;
  }
}
