/**
 * dl-lab's own SIMD GEMM (`gemm` in @dl/tensor-core's assembly/fusedKernels.ts) against tfjs-wasm's product path
 * (XNNPACK, with a new right operand each call as in training) on the cGAN step's shapes:
 * `node --conditions=@dl/source --import tsx src/gemmProfile.ts [threads] [reps]`. Process CPU and wall ms per call.
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "@dl/tensor-core";

const threads = Number.parseInt(process.argv[2] ?? "1", 10);
const reps = Number.parseInt(process.argv[3] ?? "20", 10);
await initBackend({ backend: "wasm", wasmThreads: threads });
const { setOwnGemm } = await import("../../packages/tensor-core/src/backend/wasmKernels/matMul.js");

/** [m, k, n, transposeA, transposeB] of the cGAN step's products (ganProfile.ts with DL_PROFILE_SHAPES=1). */
const SHAPES: [number, number, number, boolean, boolean][] = [
  [64, 512, 784, false, false], [128, 784, 512, false, false], [784, 128, 512, true, false], [64, 784, 512, false, true],
  [64, 784, 512, false, false], [128, 512, 256, false, false], [64, 512, 784, false, true], [512, 64, 784, true, false],
  [128, 256, 512, false, true], [64, 256, 512, false, false], [512, 128, 256, true, false], [64, 80, 256, false, false],
  [128, 1, 256, false, true], [64, 16, 512, false, false], [128, 256, 1, false, false], [256, 64, 80, true, false], [64, 256, 80, false, true],
];
function time(f: () => void): { cpu: number; wall: number } {
  const c = process.cpuUsage();
  const w = performance.now();
  for (let r = 0; r < reps; r++) f();
  const used = process.cpuUsage(c);
  return { cpu: (used.user + used.system) / 1000 / reps, wall: (performance.now() - w) / reps };
}
const lines: string[] = [`${String(threads)} thread(s), load ${(await import("node:os")).loadavg()[0]?.toFixed(1) ?? "?"}`];
for (const [m, k, n, tA, tB] of SHAPES) {
  const a = tf.randomNormal(tA ? [k, m] : [m, k], 0, 1, "float32", 1);
  const b0 = tf.randomNormal(tB ? [n, k] : [k, n], 0, 1, "float32", 2);
  const run = (): void => {
    const b = tf.add(b0, 0); // a new right operand each call, as Adam makes each step
    tf.matMul(a, b, tA, tB).dispose();
    b.dispose();
  };
  const out: string[] = [];
  for (const own of [false, true, false, true]) {
    setOwnGemm(own);
    run();
    const t = time(run);
    out.push(`${own ? "own" : "xnn"} ${t.cpu.toFixed(3)}/${t.wall.toFixed(3)}`);
  }
  const gflop = (2 * m * k * n) / 1e6;
  lines.push(`${`${String(m)}x${String(k)}${tA ? "ᵀ" : ""}·${String(k)}x${String(n)}${tB ? "ᵀ" : ""}`.padEnd(18)} ${gflop.toFixed(1).padStart(6)} MFLOP  ${out.join("  ")}`);
  a.dispose();
  b0.dispose();
}
process.stdout.write(`${lines.join("\n")}\n`);
