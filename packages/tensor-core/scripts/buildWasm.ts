// Compiles assembly/fusedKernels.ts (AssemblyScript) into the two WebAssembly modules of the fused kernels
// (one importing a plain memory, one a shared memory: tfjs-wasm's single- and multi-threaded builds), written
// base64-encoded into src/backend/wasmKernels/fusedWasm.generated.ts. Run after editing the AssemblyScript:
//   pnpm --filter @dl/tensor-core build:wasm
// fusedWasm.test.ts recompiles and fails if the committed module is stale.
import { fileURLToPath } from "node:url";

import { generatedModuleText as generate, writeGeneratedModule, type WasmModuleSpec } from "@dl/wasm-build";

const SPEC: WasmModuleSpec = {
  source: fileURLToPath(new URL("../assembly/fusedKernels.ts", import.meta.url)),
  generated: fileURLToPath(new URL("../src/backend/wasmKernels/fusedWasm.generated.ts", import.meta.url)),
  sourceLabel: "assembly/fusedKernels.ts",
  packageName: "@dl/tensor-core",
  constPrefix: "FUSED",
};

export function generatedModuleText(): Promise<string> {
  return generate(SPEC);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`wrote ${await writeGeneratedModule(SPEC)}\n`);
}
