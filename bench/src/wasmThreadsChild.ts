/**
 * `node … src/wasmThreadsChild.ts <bench> <threads> [--quick]`: a bench's wasm figures with tfjs-wasm's pool at
 * `threads` threads (fixed once per process, so another process measures the count the runner does not run). The
 * bench module exports `wasmFigures(quick)`; its result is printed as the last stdout line, in JSON.
 */
import { pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { initBackend } from "@dl/tensor-core";

interface WasmFiguresModule {
  wasmFigures: (quick: boolean) => Promise<Record<string, number>>;
}

const [name = "", threads = "1"] = process.argv.slice(2);
const quick = process.argv.includes("--quick");
if (process.env["DL_OWN_GEMM"] === "0") (await import("../../packages/tensor-core/src/backend/wasmKernels/matMul.js")).setOwnGemm(false);
const info = await initBackend({ backend: "wasm", wasmThreads: Number(threads) });
const srcDir = dirname(fileURLToPath(import.meta.url));
const mod = (await import(pathToFileURL(join(srcDir, `${name}.bench.ts`)).href)) as WasmFiguresModule;
const figures = await mod.wasmFigures(quick);
process.stdout.write(`${JSON.stringify({ ...figures, threadCount: info.wasm?.threadCount ?? 0 })}\n`);
