/**
 * What the profiling scripts (cnnProfile.ts, ganProfile.ts) share: every wasm kernel wrapped to add up its calls,
 * process CPU and wall time, and each thread's CPU from /proc/self/task.
 */
import { readFileSync, readdirSync } from "node:fs";

import * as tf from "@tensorflow/tfjs-core";

export interface KernelTime {
  calls: number;
  cpuMs: number;
  wallMs: number;
}

/** The arguments a tfjs kernel receives, as far as a profiling key needs them. */
export interface KernelArgs {
  inputs: object;
  attrs?: object;
}

/**
 * Re-registers every wasm kernel wrapped by a timer; the returned map adds up calls, process CPU and wall time per
 * `keyOf(kernel name, args)` from then on (the wrapper inflates both times a little). Clear it to start over.
 */
export function timeWasmKernels(keyOf: (name: string, args: KernelArgs) => string = (name) => name): Map<string, KernelTime> {
  const perKernel = new Map<string, KernelTime>();
  for (const kernel of tf.getKernelsForBackend("wasm")) {
    const inner = kernel.kernelFunc;
    tf.unregisterKernel(kernel.kernelName, "wasm");
    tf.registerKernel({
      ...kernel,
      kernelFunc: (args) => {
        const start = process.cpuUsage();
        const wallStart = performance.now();
        const out = inner(args);
        const wall = performance.now() - wallStart;
        const used = process.cpuUsage(start);
        const key = keyOf(kernel.kernelName, args);
        const entry = perKernel.get(key) ?? { calls: 0, cpuMs: 0, wallMs: 0 };
        entry.calls += 1;
        entry.cpuMs += (used.user + used.system) / 1000;
        entry.wallMs += wall;
        perKernel.set(key, entry);
        return out;
      },
    });
  }
  return perKernel;
}

/** One line per key, most CPU first: calls, CPU ms and wall ms per step, the key padded to `width`. */
export function kernelTable(perKernel: ReadonlyMap<string, KernelTime>, steps: number, width: number): string[] {
  return [...perKernel]
    .sort((a, b) => b[1].cpuMs - a[1].cpuMs)
    .map(([name, e]) => `${name.padEnd(width)} ${(e.calls / steps).toFixed(1).padStart(6)} calls ${(e.cpuMs / steps).toFixed(2).padStart(7)} ms CPU ${(e.wallMs / steps).toFixed(2).padStart(7)} ms wall`);
}

/** Linux: CPU ticks (user + system) of each thread of this process, keyed "thread id:thread name" (empty elsewhere). */
export function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.split(") ")[1]?.split(" ") ?? [];
      ticks.set(`${tid}:${stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))}`, Number(fields[11]) + Number(fields[12]));
    }
  } catch {
    // not Linux
  }
  return ticks;
}

/** Each busy thread's CPU ms per step between two `threadTicks()` readings (ticks are 10 ms), the main thread named "main". */
export function cpuPerThread(start: ReadonlyMap<string, number>, end: ReadonlyMap<string, number>, steps: number): string {
  return [...end]
    .map(([tid, t]) => [tid, (10 * (t - (start.get(tid) ?? 0))) / steps] as const)
    .filter(([, ms]) => ms > 0.5)
    .map(([tid, ms]) => `${tid.startsWith(`${String(process.pid)}:`) ? "main" : tid} ${ms.toFixed(1)}`)
    .join(", ");
}
