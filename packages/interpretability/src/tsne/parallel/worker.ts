// A t-SNE worker thread: waits for the main thread to hand out a task, claims chunks until none are left, repeats.
import { receiveMessageOnPort, workerData, parentPort } from "node:worker_threads";

import { CONTROL } from "./control.js";
import type { WorkerData } from "./control.js";
import { TASKS, ThreadScratch, emptyKernelState } from "./kernels.js";
import type { KernelState } from "./kernels.js";

const { ctrl, params, port } = workerData as WorkerData;
const state: KernelState = { ...emptyKernelState(), params };
const scratch = new ThreadScratch();
let seen = Atomics.load(ctrl, CONTROL.generation);
parentPort?.postMessage("ready");

for (;;) {
  Atomics.wait(ctrl, CONTROL.generation, seen);
  seen = Atomics.load(ctrl, CONTROL.generation);
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) Object.assign(state, m.message);
  if (Atomics.load(ctrl, CONTROL.stop) !== 0) break;
  const count = Atomics.load(ctrl, CONTROL.chunks);
  const fn = TASKS[Atomics.load(ctrl, CONTROL.task)];
  try {
    if (fn === undefined) throw new Error(`unknown task ${Atomics.load(ctrl, CONTROL.task)}`);
    for (;;) {
      const c = Atomics.add(ctrl, CONTROL.next, 1);
      if (c >= count) break;
      fn(state, scratch, c);
    }
  } catch (e) {
    Atomics.store(ctrl, CONTROL.error, 1);
    port.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
  Atomics.add(ctrl, CONTROL.done, 1);
  Atomics.notify(ctrl, CONTROL.done);
  // The team's last task: exit now, while the main thread still works, rather than when it closes the team.
  if (Atomics.load(ctrl, CONTROL.last) !== 0) break;
}
port.close();
