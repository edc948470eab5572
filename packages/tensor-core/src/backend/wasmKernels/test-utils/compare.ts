import "@tensorflow/tfjs-layers"; // registers tfjs-core's gradients
import * as tf from "@tensorflow/tfjs-core";

import "../../candidates.js";
import { initBackend } from "../../registry.js";

/** Starts cpu (the reference) and wasm (with our kernels), leaving wasm active. */
export async function startBackends(): Promise<void> {
  await initBackend({ backend: "cpu" });
  await initBackend({ backend: "wasm" });
}

export interface Computed {
  values: Float32Array[];
  shapes: number[][];
}

/** Runs `f` on one backend and copies its outputs to plain arrays (leak-free). */
export async function runOn(backend: "wasm" | "cpu", f: () => tf.Tensor | tf.Tensor[]): Promise<Computed> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(f);
  const list = Array.isArray(outs) ? outs : [outs];
  const computed: Computed = {
    values: list.map((t) => Float32Array.from(t.dataSync())),
    shapes: list.map((t) => t.shape),
  };
  tf.dispose(list);
  if (tf.memory().numTensors !== before) throw new Error(`leaked ${tf.memory().numTensors - before} tensors on ${backend}`);
  return computed;
}

/** max |a − b| / max |b|: the relative error of a whole tensor against its reference. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] ?? 0) - (expected[i] ?? 0)));
    scale = Math.max(scale, Math.abs(expected[i] ?? 0));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Same computation on wasm and cpu: shapes equal, every output within `tolerance`. */
export async function compareWithCpu(f: () => tf.Tensor | tf.Tensor[]): Promise<number[]> {
  const onWasm = await runOn("wasm", f);
  const onCpu = await runOn("cpu", f);
  await tf.setBackend("wasm");
  if (JSON.stringify(onWasm.shapes) !== JSON.stringify(onCpu.shapes)) {
    throw new Error(`shapes differ: wasm ${JSON.stringify(onWasm.shapes)} vs cpu ${JSON.stringify(onCpu.shapes)}`);
  }
  return onWasm.values.map((v, i) => relativeError(v, onCpu.values[i] ?? new Float32Array()));
}

/** Deterministic pseudo-random values (no tf RNG: both backends must see the same numbers). */
export function seededValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export function seededTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** The geometry of an im2col: x's [batch, h, w, c], filter [fh, fw], strides, dilations and top/left padding, output [oh, ow]. */
export interface Im2colCase {
  x: [number, number, number, number];
  filter: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: [number, number];
  out: [number, number];
}

/** cols[(b·OH+oh)·OW+ow, (kh·KW+kw)·C+c] = x[b, oh·sh+kh·dh−pt, ow·sw+kw·dw−pl, c], 0 outside: the definition, element by element. */
export function naiveIm2col(x: Float32Array, g: Im2colCase): Float32Array {
  const [batch, h, w, c] = g.x;
  const [fh, fw] = g.filter;
  const [oh, ow] = g.out;
  const k = fh * fw * c;
  const cols = new Float32Array(batch * oh * ow * k);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let kh = 0; kh < fh; kh++) {
          for (let kw = 0; kw < fw; kw++) {
            const y = i * g.strides[0] + kh * g.dilations[0] - g.pad[0];
            const z = j * g.strides[1] + kw * g.dilations[1] - g.pad[1];
            for (let ch = 0; ch < c; ch++) {
              const inside = y >= 0 && y < h && z >= 0 && z < w;
              cols[((b * oh + i) * ow + j) * k + (kh * fw + kw) * c + ch] = inside ? (x[((b * h + y) * w + z) * c + ch] ?? Number.NaN) : 0;
            }
          }
        }
      }
    }
  }
  return cols;
}

/**
 * y[b, i, j, co] = Σ x[b, i + kh − pt, j + kw − pl, ci] · w[kh, kw, ci, co] in float64 (0 outside x): a stride-1,
 * dilation-1 NHWC convolution, the reference of the Winograd kernels. x is [batch, h, w, cin], w [fh, fw, cin, cout].
 */
export function naiveConv2d(x: Float32Array, w: Float32Array, xShape: readonly number[], wShape: readonly number[], pad: readonly [top: number, left: number], out: readonly [oh: number, ow: number]): Float64Array {
  const [n = 0, h = 0, wd = 0, ci = 0] = xShape;
  const [fh = 0, fw = 0, , co = 0] = wShape;
  const [oh, ow] = out;
  const y = new Float64Array(n * oh * ow * co);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const yo = ((b * oh + i) * ow + j) * co;
        for (let kh = 0; kh < fh; kh++) {
          const hi = i + kh - pad[0];
          if (hi < 0 || hi >= h) continue;
          for (let kw = 0; kw < fw; kw++) {
            const wi = j + kw - pad[1];
            if (wi < 0 || wi >= wd) continue;
            for (let c = 0; c < ci; c++) {
              const xv = x[((b * h + hi) * wd + wi) * ci + c] ?? 0;
              const wo = ((kh * fw + kw) * ci + c) * co;
              for (let o = 0; o < co; o++) y[yo + o] = (y[yo + o] ?? 0) + xv * (w[wo + o] ?? 0);
            }
          }
        }
      }
    }
  }
  return y;
}
