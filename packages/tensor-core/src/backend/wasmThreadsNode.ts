/**
 * Node only: tfjs-backend-wasm's threaded SIMD binary (XNNPACK's pthreadpool on worker threads) in Node, without
 * patching the package. tfjs-wasm 4.22 turns threads off in Node (tensorflow/tfjs#3830) for three reasons, each
 * answered here while its factory runs, and undone right after:
 *
 * 1. WASM_HAS_MULTITHREAD_SUPPORT answers false in Node: the flag is set to true.
 * 2. Its pthread workers are started from a `blob:` URL, which Node's Worker refuses, and load the main script from a
 *    Blob holding the bundled factory's source, which names rollup's `require$$0` and fails in a worker. The worker
 *    script (tfjs's own, unchanged) is written once to a file, returned by `URL.createObjectURL` for it, behind a
 *    few lines that hand each worker the package's unbundled emscripten factory (wasm-out/…threaded-simd.js) instead
 *    of the Blob.
 * 3. It caps its pool at half of `os.cpus().length` (x86 hyper-threads): `os.cpus()` reports 2 × threads.
 *
 * XNNPACK splits a GEMM or convolution by output tiles and sums each output over K in the same order whatever the
 * thread count, so results are bit-identical to one thread (threadedWasm.test.ts checks a whole training run).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import type { CpuInfo } from "node:os";
import { join } from "node:path";

import * as tf from "@tensorflow/tfjs-core";

import { setWasmThreading } from "./candidates.js";
import { startGemmTeam } from "./gemmTeamNode.js";
import type { WasmModule } from "./candidates.js";

/** Emscripten's record of tfjs-wasm's pthread workers (node:worker_threads Workers). */
interface PThreads {
  runningWorkers: { unref: () => void }[];
  unusedWorkers: { terminate: () => Promise<number> }[];
}

/** tfjs-wasm starts 8 pthread workers up front and caps its pool there. */
export const MAX_WASM_THREADS = 8;

const require = createRequire(import.meta.url);
const PEER = "@tensorflow/tfjs-backend-wasm";
const MARK = Symbol.for("@dl/tensor-core/threadedWasmFactory");

/**
 * Threads for tfjs-wasm's pool: `requested`, else `DL_WASM_THREADS`, else the cores Node may use — unless the
 * 1-minute load average already reaches the core count: every pool operator ends in a barrier that waits for a
 * descheduled thread there (measured at load 25 on 2 cores: a cGAN epoch 47 s on one thread, 108 s on two).
 * Clamped to 1 … 8.
 */
export function wasmThreadsFor(requested?: number, load: number = loadavg()[0] ?? 0): number {
  const fromEnv = Number.parseInt(process.env["DL_WASM_THREADS"] ?? "", 10);
  const cores = availableParallelism();
  const wanted = requested ?? (Number.isFinite(fromEnv) ? fromEnv : load >= cores ? 1 : cores);
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(wanted)));
}

/** tfjs's pthread worker script, preceded by the hand-over of the unbundled factory; written once per content. */
function workerScript(): string {
  const { wasmWorkerContents } = require(`${PEER}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`) as { wasmWorkerContents: string };
  const factory = require.resolve(`${PEER}/wasm-out/tfjs-backend-wasm-threaded-simd.js`);
  const prelude =
    `"use strict";{const port=require("worker_threads").parentPort;const on=port.on.bind(port);` +
    `port.on=(event,listener)=>event!=="message"?on(event,listener):on("message",(data)=>{` +
    `if(data&&data.cmd==="load"&&typeof data.urlOrBlob!=="string")data.urlOrBlob=${JSON.stringify(factory)};listener(data);});}\n`;
  // tfjs escapes newlines the same way before making its Blob: the contents' string literals hold "\n".
  const text = prelude + wasmWorkerContents.replace(/\n/g, "\\n");
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 16);
  const file = join(tmpdir(), `dl-lab-tfjs-wasm-pthread-${hash}.cjs`);
  if (!existsSync(file) || readFileSync(file, "utf8") !== text) {
    const partial = `${file}.${String(process.pid)}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return file;
}

/** Runs tfjs-wasm's backend factory with the three answers above in place, and takes them back after. */
async function withThreadShims<T>(threads: number, workerFile: string, factory: () => Promise<T>): Promise<T> {
  const os = require("node:os") as { cpus: () => CpuInfo[] };
  const realCpus = os.cpus;
  const realCreateObjectURL = URL.createObjectURL.bind(URL);
  os.cpus = () => {
    const list = realCpus();
    const first = list[0];
    while (first !== undefined && list.length < 2 * threads) list.push(first);
    return list;
  };
  URL.createObjectURL = (object: Blob) => (object.type === "application/javascript" ? workerFile : realCreateObjectURL(object));
  try {
    return await factory();
  } finally {
    os.cpus = realCpus;
    URL.createObjectURL = realCreateObjectURL;
  }
}

/**
 * Before tfjs first starts "wasm" in this process: asks for `threads` threads (more than 1 loads the threaded
 * binary). Falls back to the single-threaded binary if the threaded one fails to start.
 */
export function prepareThreadedWasm(wasm: WasmModule, threads: number): void {
  if (threads <= 1 || typeof SharedArrayBuffer !== "function" || tf.engine().registry["wasm"] !== undefined) return;
  const factory = tf.findBackendFactory("wasm") as (() => Promise<tf.KernelBackend>) | null;
  if (factory === null || (factory as { [MARK]?: true })[MARK] === true) return;
  let workerFile: string;
  try {
    workerFile = workerScript();
  } catch {
    return; // no writable temp folder (or tfjs-wasm's files moved): the single-threaded binary, as before
  }
  const threaded = async (): Promise<tf.KernelBackend> => {
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
    wasm.setThreadsCount(threads);
    try {
      const backend = await withThreadShims(threads, workerFile, factory);
      const pthreads = (backend as { wasm?: { PThread?: PThreads } }).wasm?.PThread;
      // The pool's threads run in workers that emscripten leaves referenced: they must not keep Node alive.
      for (const worker of pthreads?.runningWorkers ?? []) worker.unref();
      // tfjs-wasm started 8 workers whatever the pool size and nothing creates threads after its pool: the idle
      // ones go (about 19 MB each).
      for (const worker of pthreads?.unusedWorkers.splice(0) ?? []) void worker.terminate();
      const memory = (backend as { wasm?: { wasmMemory?: WebAssembly.Memory } }).wasm?.wasmMemory;
      if (memory !== undefined) await startGemmTeam(memory, threads - 1);
      return backend;
    } catch {
      tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
      return factory();
    }
  };
  Object.defineProperty(threaded, MARK, { value: true });
  tf.removeBackend("wasm");
  tf.registerBackend("wasm", threaded, 2);
}

setWasmThreading((wasm, options) => {
  prepareThreadedWasm(wasm, wasmThreadsFor(options.wasmThreads));
});
