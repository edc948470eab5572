import { availableParallelism } from "node:os";

import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "@dl/tensor-core";
import type { BackendName } from "@dl/tensor-core";

/** Starts each backend that can start here; the rest come back with the reason. */
export async function startBackends(
  wanted: readonly BackendName[],
): Promise<{ started: BackendName[]; skipped: string[] }> {
  const started: BackendName[] = [];
  const skipped: string[] = [];
  // DL_BENCH_BACKENDS=wasm,… limits a run to those backends (a cpu step takes minutes on a loaded machine).
  // DL_OWN_GEMM=0: tfjs-wasm's XNNPACK products instead of dl-lab's GEMM (before/after comparisons; children inherit it).
  if (process.env["DL_OWN_GEMM"] === "0") (await import("../../packages/tensor-core/src/backend/wasmKernels/matMul.js")).setOwnGemm(false);
  const only = process.env["DL_BENCH_BACKENDS"]?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const name of wanted) {
    if (only !== undefined && only.length > 0 && !only.includes(name)) {
      skipped.push(`${name} skipped: not in DL_BENCH_BACKENDS`);
      continue;
    }
    try {
      // wasm on every core even on a loaded machine (where tensor-core's default drops to one thread): the
      // benches measure both cores, and one thread in a child process (wasmThreadsChild.ts).
      const fromEnv = Number.parseInt(process.env["DL_WASM_THREADS"] ?? "", 10);
      await initBackend(name === "wasm" ? { backend: name, wasmThreads: Number.isFinite(fromEnv) ? fromEnv : availableParallelism() } : { backend: name });
      started.push(name);
    } catch (error) {
      skipped.push(`${name} skipped: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }
  return { started, skipped };
}

/** Threads of tfjs-wasm's pool in this process (makes wasm the active backend). */
export async function wasmThreadCount(): Promise<number> {
  return (await initBackend({ backend: "wasm" })).wasm?.threadCount ?? 1;
}

/** The tfjs name of one of our backends (tfjs-node registers as "tensorflow"). */
export function tfName(name: BackendName): string {
  return name === "tfjs-node" ? "tensorflow" : name;
}

export async function use(name: BackendName): Promise<void> {
  await tf.setBackend(tfName(name));
  await tf.ready();
}

/** The kernel dl-lab's wasm registration replaced (Symbol documented in wasmKernels/index.ts). */
const REPLACED_KERNEL = Symbol.for("@dl/tensor-core/replacedWasmKernel");

/**
 * Runs `fn` with tfjs-wasm's own kernels put back in place of dl-lab's replacements (kernels
 * tfjs-wasm lacks stay ours): the "before" of a before/after comparison.
 */
export async function withStockWasmKernels<T>(kernelNames: readonly string[], fn: () => Promise<T>): Promise<T> {
  const swapped: tf.KernelConfig[] = [];
  for (const name of kernelNames) {
    const ours = tf.getKernel(name, "wasm") as (tf.KernelConfig & { [REPLACED_KERNEL]?: tf.KernelConfig }) | undefined;
    const stock = ours?.[REPLACED_KERNEL];
    if (ours === undefined || stock === undefined) continue;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(stock);
    // Its setup (binding the wasm export) never ran: ours was registered when wasm started.
    stock.setupFunc?.(tf.backend());
    swapped.push(ours);
  }
  try {
    return await fn();
  } finally {
    for (const ours of swapped) {
      tf.unregisterKernel(ours.kernelName, "wasm");
      tf.registerKernel(ours);
    }
  }
}
