/**
 * Where a CNN training step's time goes on wasm, and why it varies: `node --conditions=@dl/source --import tsx
 * src/cnnProfile.ts [threads] [steps] [--kernels]` trains the bench's network (cnn.bench.ts) and prints each step's
 * wall and CPU time (median, spread), the garbage collections that fell in the steps, each thread's CPU per step and,
 * with --kernels, per tfjs kernel its calls, CPU and wall time (the wrapper inflates both a little).
 */
import { loadavg } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";

import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "@dl/tensor-core";

import { createTrainingStep } from "./cnn.bench.js";
import { median } from "./harness.js";
import { cpuPerThread, kernelTable, threadTicks, timeWasmKernels, type KernelArgs, type KernelTime } from "./profiling.js";

const threads = Number.parseInt(process.argv[2] ?? "2", 10);
const steps = Number.parseInt(process.argv[3] ?? "40", 10);
const kernels = process.argv.includes("--kernels") || process.argv.includes("--shapes");
/** --shapes: kernels split by their first input's shape. */
const byShape = process.argv.includes("--shapes");
if (process.env["DL_OWN_GEMM"] === "0") (await import("../../packages/tensor-core/src/backend/wasmKernels/matMul.js")).setOwnGemm(false);
// DL_CONV_FILTER=im2col|xnnpack, DL_CONV_INPUT=col2im|xnnpack: how the convolutions' gradients run (default: auto).
const filterStrategy = process.env["DL_CONV_FILTER"];
if (filterStrategy === "im2col" || filterStrategy === "xnnpack") (await import("../../packages/tensor-core/src/backend/wasmKernels/conv2dBackpropFilter.js")).setConv2DBackpropFilterStrategy(filterStrategy);
const inputStrategy = process.env["DL_CONV_INPUT"];
if (inputStrategy === "col2im" || inputStrategy === "xnnpack") (await import("../../packages/tensor-core/src/backend/wasmKernels/conv2dBackpropInput.js")).setConv2DBackpropInputStrategy(inputStrategy);
// DL_CONV2D=winograd|xnnpack: how 3 × 3 stride-1 convolutions (forward, and the input gradient's) run (default: auto).
const convStrategy = process.env["DL_CONV2D"];
if (convStrategy === "winograd" || convStrategy === "xnnpack") (await import("../../packages/tensor-core/src/backend/wasmKernels/winogradConv2d.js")).setConv2DStrategy(convStrategy);
await initBackend({ backend: "wasm", wasmThreads: threads });

/** With --shapes, kernels are split by their first input's shape. */
const keyOf = (name: string, args: KernelArgs): string => {
  if (!byShape) return name;
  const first = Object.values(args.inputs as Record<string, tf.TensorInfo | undefined>)[0];
  return `${name} ${first?.shape.join("x") ?? ""}`;
};
const perKernel = kernels ? timeWasmKernels(keyOf) : new Map<string, KernelTime>();

const q = (v: number[], p: number): number => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(p * v.length))] ?? Number.NaN;

const { step, dispose } = createTrainingStep();
for (let i = 0; i < 5; i++) step();
perKernel.clear();

// --ab-team: blocks of 6 steps alternating with and without dl-lab's helper team (without it, the products go to
// XNNPACK's pool: one pool instead of two), in this one process, so both see the same machine state.
if (process.argv.includes("--ab-team")) {
  const { startGemmTeam } = await import("../../packages/tensor-core/src/backend/gemmTeamNode.js");
  const memory = (tf.backend() as unknown as { wasm: { wasmMemory: WebAssembly.Memory } }).wasm.wasmMemory;
  const figures = { team: { wall: [] as number[], cpu: [] as number[] }, "no team": { wall: [] as number[], cpu: [] as number[] } };
  for (let round = 0; round < Math.max(1, Math.round(steps / 12)); round++) {
    for (const config of ["team", "no team"] as const) {
      await startGemmTeam(memory, config === "team" ? threads - 1 : 0);
      step();
      for (let i = 0; i < 6; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        step();
        figures[config].wall.push(performance.now() - t0);
        const used = process.cpuUsage(c0);
        figures[config].cpu.push((used.user + used.system) / 1000);
      }
    }
  }
  for (const [config, f] of Object.entries(figures)) {
    process.stdout.write(`${config}: wall median ${median(f.wall).toFixed(1)} ms (p10 ${q(f.wall, 0.1).toFixed(1)}, p90 ${q(f.wall, 0.9).toFixed(1)}), CPU median ${median(f.cpu).toFixed(1)} ms, ${String(f.wall.length)} steps, load ${loadavg()[0]?.toFixed(2) ?? "?"}\n`);
  }
  await startGemmTeam(memory, threads - 1);
}

const gcs: { start: number; ms: number }[] = [];
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration });
});
observer.observe({ entryTypes: ["gc"] });
const wall: number[] = [];
const cpu: number[] = [];
const bounds: [number, number][] = [];
const ticksStart = threadTicks();
for (let i = 0; i < steps; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  step();
  const t1 = performance.now();
  const used = process.cpuUsage(c0);
  wall.push(t1 - t0);
  cpu.push((used.user + used.system) / 1000);
  bounds.push([t0, t1]);
}
const ticksEnd = threadTicks();
await new Promise((resolve) => setTimeout(resolve, 50));
observer.disconnect();
const inSteps = gcs.filter((g) => bounds.some(([a, b]) => g.start >= a && g.start < b));
const out = [
  `${String(threads)} thread(s), load ${loadavg()[0]?.toFixed(2) ?? "?"}, ${String(steps)} steps: wall median ${median(wall).toFixed(1)} ms (p10 ${q(wall, 0.1).toFixed(1)}, p90 ${q(wall, 0.9).toFixed(1)}, max ${Math.max(...wall).toFixed(1)}), CPU median ${median(cpu).toFixed(1)} ms (p10 ${q(cpu, 0.1).toFixed(1)}, p90 ${q(cpu, 0.9).toFixed(1)})`,
  `GC in steps: ${String(inSteps.length)} pauses, ${inSteps.reduce((s, g) => s + g.ms, 0).toFixed(1)} ms total (${(inSteps.reduce((s, g) => s + g.ms, 0) / steps).toFixed(2)} ms/step)`,
  `CPU ms per step by thread: ${cpuPerThread(ticksStart, ticksEnd, steps)}`,
  `wall per step: ${wall.map((w) => w.toFixed(0)).join(" ")}`,
];
if (kernels) {
  let calls = 0;
  for (const e of perKernel.values()) calls += e.calls;
  out.push(`${(calls / steps).toFixed(0)} kernels per step`);
  out.push(...kernelTable(perKernel, steps, byShape ? 44 : 26));
}
process.stdout.write(`${out.join("\n")}\n`);
dispose();
