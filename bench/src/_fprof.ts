import { initBackend, loadDataset } from "@dl/tensor-core";
import { createGan, imageGanConfig, trainGan } from "@dl/gan";
import { kernelTable, timeWasmKernels } from "./profiling.js";
const threads = Number(process.argv[2] ?? "1");
const steps = Number(process.argv[3] ?? "16");
await initBackend({ backend: "wasm", wasmThreads: threads });
const train = await loadDataset("fashion-mnist", { split: "train" });
const g = createGan(imageGanConfig("mlp", true, "cbn-r1-conv-lazy"), 1);
const data = { points: train.images, labels: train.labels, count: train.count };
await trainGan(g, data, { epochs: 1, stepsPerEpoch: 8 });
const perKernel = timeWasmKernels();
const c0 = process.cpuUsage(); const w0 = performance.now();
await trainGan(g, data, { epochs: 2, stepsPerEpoch: steps });
const c = process.cpuUsage(c0);
let calls = 0, kms = 0; for (const v of perKernel.values()) { calls += v.calls; kms += v.cpuMs; }
console.log(`${threads} thr: ${((performance.now() - w0) / steps).toFixed(1)} ms wall/step, ${((c.user + c.system) / 1000 / steps).toFixed(1)} ms CPU/step; ${(calls / steps).toFixed(0)} kernels/step, ${(kms / steps).toFixed(1)} ms CPU in kernels`);
console.log(kernelTable(perKernel, steps, 30).slice(0, 28).join("\n"));
