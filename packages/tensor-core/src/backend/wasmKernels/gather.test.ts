import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { runOn, seededValues, startBackends } from "./test-utils/compare.js";

/** The same computation on wasm (our kernels) and cpu (tfjs's reference), compared value for value. */
async function sameOnBoth(f: () => tf.Tensor): Promise<{ wasm: Float32Array; cpu: Float32Array; shape: number[] }> {
  const wasm = await runOn("wasm", f);
  const cpu = await runOn("cpu", f);
  expect(wasm.shapes).toEqual(cpu.shapes);
  return { wasm: wasm.values[0] as Float32Array, cpu: cpu.values[0] as Float32Array, shape: wasm.shapes[0] as number[] };
}

describe("wasm GatherV2 and Greater fast paths", () => {
  beforeAll(startBackends);

  it.each([
    { name: "embedding rows (axis 0)", shape: [10, 7], indices: [3, 0, 9, 3, 5], indexShape: [5], axis: 0 },
    { name: "2-D indices", shape: [6, 4], indices: [5, 1, 1, 0, 2, 4], indexShape: [2, 3], axis: 0 },
    { name: "middle axis", shape: [3, 5, 4], indices: [4, 0, 2], indexShape: [3], axis: 1 },
    { name: "last axis, negative", shape: [4, 6], indices: [5, 5, 0], indexShape: [3], axis: -1 },
  ])("gather copies the rows tfjs-cpu gathers: $name", async ({ shape, indices, indexShape, axis }) => {
    const values = seededValues(shape.reduce((a, b) => a * b, 1), 7);
    const { wasm, cpu, shape: outShape } = await sameOnBoth(() => tf.gather(tf.tensor(values, shape), tf.tensor(indices, indexShape, "int32"), axis));
    expect(outShape.length).toBe(shape.length - 1 + indexShape.length);
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
    // An independent check of one entry: row indices[1] of the table.
    if (axis === 0) expect(wasm[shape[1] ?? 0]).toBe(values[(indices[1] ?? 0) * (shape[1] ?? 0)]);
  });

  it("an out-of-range index goes to tfjs-wasm's own kernel (its behaviour), and our output buffer is freed", async () => {
    await tf.setBackend("wasm");
    const { REPLACED_KERNEL } = await import("./index.js");
    const ours = tf.getKernel("GatherV2", "wasm") as tf.KernelConfig & { [REPLACED_KERNEL]?: tf.KernelConfig };
    const stock = ours[REPLACED_KERNEL] as tf.KernelConfig;
    const table = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const indices = tf.tensor1d([1, 2], "int32");
    const attempt = (): string => {
      const buffers = tf.engine().backend.numDataIds();
      try {
        const out = tf.gather(table, indices);
        const text = `values ${Array.from(out.dataSync()).slice(0, 2).join(",")}`;
        out.dispose();
        return text;
      } catch (error) {
        return `error ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        expect(tf.engine().backend.numDataIds()).toBe(buffers);
      }
    };
    const withOurs = attempt();
    tf.unregisterKernel("GatherV2", "wasm");
    tf.registerKernel(stock);
    try {
      expect(attempt()).toBe(withOurs);
    } finally {
      tf.unregisterKernel("GatherV2", "wasm");
      tf.registerKernel(ours);
      tf.dispose([table, indices]);
    }
  });

  it.each([
    { name: "against a scalar", b: () => tf.scalar(0) },
    { name: "same shape", b: () => tf.tensor(seededValues(24, 3), [4, 6]) },
    { name: "broadcast row (tfjs-wasm's path)", b: () => tf.tensor(seededValues(6, 4), [6]) },
  ])("greater gives tfjs-cpu's mask: $name", async ({ b }) => {
    const a = seededValues(24, 9);
    a[0] = 0; // ties are not greater
    const { wasm, cpu } = await sameOnBoth(() => tf.cast(tf.greater(tf.tensor(a, [4, 6]), b()), "float32"));
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
    expect(wasm.some((v) => v === 1) && wasm.some((v) => v === 0)).toBe(true);
  });
});
