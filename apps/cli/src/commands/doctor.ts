import type { Command } from "commander";

import { backendInfo, initBackend } from "@dl/tensor-core";

import { backendOption, type CommonOptions } from "../options.js";
import { printJson } from "../io.js";

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("show the chosen backend and why, tfjs version, SIMD/threads, native backend status")
    .option("--json", "print one JSON document on stdout")
    .addOption(backendOption())
    .action(async (opts: CommonOptions) => {
      await initBackend(opts.backend === undefined ? {} : { backend: opts.backend });
      const info = backendInfo();
      if (opts.json === true) {
        printJson(info);
        return;
      }
      process.stdout.write(`backend: ${info.name} (${info.requestedBy})\n`);
      for (const t of info.tried) process.stdout.write(`  ${t.ok ? "✓" : "✗"} ${t.name}${t.reason ? ` — ${t.reason}` : ""}\n`);
    });
}
