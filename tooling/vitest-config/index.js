// Shared test config: read workspace packages from source through the "@dl/source" condition.
import { defineConfig } from "vitest/config";

const conditions = ["@dl/source", "module", "node", "development|production"];

/** @param {{ name: string, timeoutMs?: number, setupFiles?: string[] }} opts */
export function packageTestConfig(opts) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["@dl/source"] } },
    test: {
      name: opts.name,
      include: ["src/**/*.test.ts"],
      testTimeout: opts.timeoutMs ?? 60_000,
      setupFiles: opts.setupFiles ?? [],
      hookTimeout: 120_000,
      pool: "forks",
      // tfjs registers global state; one file per process keeps backends isolated.
      isolate: true,
    },
  });
}
