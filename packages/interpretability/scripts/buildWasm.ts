// Compiles assembly/kernels.ts (AssemblyScript) into the two WebAssembly modules the t-SNE loads (one
// importing a plain memory, one a shared memory for worker threads), written base64-encoded into
// src/tsne/wasm/kernelsWasm.generated.ts. Run after editing the AssemblyScript:
//   pnpm --filter @dl/interpretability build:wasm
// wasmKernels.test.ts recompiles and fails if the committed module is stale.
import { fileURLToPath } from "node:url";

import { generatedModuleText as generate, writeGeneratedModule, type WasmModuleSpec } from "@dl/wasm-build";

const SPEC: WasmModuleSpec = {
  source: fileURLToPath(new URL("../assembly/kernels.ts", import.meta.url)),
  generated: fileURLToPath(new URL("../src/tsne/wasm/kernelsWasm.generated.ts", import.meta.url)),
  sourceLabel: "assembly/kernels.ts",
  packageName: "@dl/interpretability",
  constPrefix: "KERNELS",
};

export function generatedModuleText(): Promise<string> {
  return generate(SPEC);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`wrote ${await writeGeneratedModule(SPEC)}\n`);
}
