/**
 * Where a cGAN training step's time goes on wasm: `node --conditions=@dl/source --import tsx src/ganProfile.ts
 * [threads] [steps]` (DL_OWN_GEMM=0: XNNPACK's products) trains the bench's network (gan.bench.ts) and prints per step the kernels run and, per tfjs
 * kernel, its calls, process CPU time (with one thread, the main thread's) and wall time. CPU time rather than wall time, so
 * a loaded machine shifts the figures less; the rest of the step's CPU is JS outside kernels (engine, tape, layers).
 */
import type * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "@dl/tensor-core";
import { createGan, trainGan } from "@dl/gan";

import { config } from "./gan.bench.js";
import { cpuPerThread, kernelTable, threadTicks, timeWasmKernels, type KernelArgs } from "./profiling.js";

const threads = Number.parseInt(process.argv[2] ?? "1", 10);
// DL_OWN_GEMM=0: tfjs-wasm's XNNPACK products instead of dl-lab's GEMM, for before/after comparisons.
if (process.env["DL_OWN_GEMM"] === "0") (await import("../../packages/tensor-core/src/backend/wasmKernels/matMul.js")).setOwnGemm(false);
const steps = Number.parseInt(process.argv[3] ?? "20", 10);
await initBackend({ backend: "wasm", wasmThreads: threads });
const count = 512;
const points = Float32Array.from({ length: count * 784 }, (_, i) => Math.sin(i) * 0.9);
const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
const gan = createGan(config, 1);
await trainGan(gan, { points, labels, count }, { epochs: 1, stepsPerEpoch: 3 });

/** With DL_PROFILE_SHAPES=1, products are split by their operands' shapes and transpose flags. */
const byShape = process.env["DL_PROFILE_SHAPES"] === "1";
/** Kernels split by their inputs' dtypes and shapes under DL_PROFILE_SHAPES=1. */
const ELEMENTWISE = new Set(["Add", "Multiply", "Sub", "Square", "Cast", "Concat", "RealDiv"]);
function keyOf(name: string, args: KernelArgs): string {
  if (!byShape) return name;
  if (name !== "BatchMatMul" && name !== "_FusedMatMul") {
    const shapes = Object.values(args.inputs as Record<string, tf.TensorInfo | undefined>).map((t) => `${t?.dtype ?? ""}[${t?.shape.join("x") ?? ""}]`);
    return ELEMENTWISE.has(name) ? `${name} ${shapes.join(" ")}` : name;
  }
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  return `${name === "BatchMatMul" ? "MatMul" : "Fused"} ${a.shape.join("x")}${attrs.transposeA === true ? "ᵀ" : ""}·${b.shape.join("x")}${attrs.transposeB === true ? "ᵀ" : ""}`;
}
const perKernel = timeWasmKernels(keyOf);
const ticksStart = threadTicks();
const cpuStart = process.cpuUsage();
const start = performance.now();
await trainGan(gan, { points, labels, count }, { epochs: 2, stepsPerEpoch: steps });
const cpu = process.cpuUsage(cpuStart);
const ticksEnd = threadTicks();
gan.dispose();
let calls = 0;
let kernelMs = 0;
let kernelWallMs = 0;
for (const { calls: c, cpuMs, wallMs } of perKernel.values()) {
  calls += c;
  kernelMs += cpuMs;
  kernelWallMs += wallMs;
}
const out: string[] = [
  `${String(threads)} thread(s), load ${(await import("node:os")).loadavg()[0]?.toFixed(1) ?? "?"}: ${((performance.now() - start) / steps).toFixed(1)} ms/step wall, ${((cpu.user + cpu.system) / 1000 / steps).toFixed(1)} ms CPU`,
  `CPU ms per step by thread: ${cpuPerThread(ticksStart, ticksEnd, steps)}`,
  `${(calls / steps).toFixed(0)} kernels per step, ${(kernelMs / steps).toFixed(1)} ms CPU (${(kernelWallMs / steps).toFixed(1)} ms wall) in them`,
  ...kernelTable(perKernel, steps, 34),
];
process.stdout.write(`${out.join("\n")}\n`);
