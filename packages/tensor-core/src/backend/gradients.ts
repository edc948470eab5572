// The one home of gradient registration: every package that differentiates gets it by importing
// @dl/tensor-core. tfjs-core registers no op gradients by itself; tfjs-layers registers all of them on
// import, both from its Node bundle and from its ESM build in bundlers. Deep imports of
// tfjs-core/dist/* break in Node ESM.
import * as tf from "@tensorflow/tfjs-core";
import { util } from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers";

import { LEAKY_RELU_GRAD, RELU_GRAD } from "./wasmKernels/leakyRelu.js";

// Comparisons are piecewise constant, so their gradient is zero (TensorFlow treats them as
// non-differentiable); tfjs registers none and throws when a `tf.where` condition depends on a
// parameter, as in the branch choices of xlogy, log1pmx, ndtr and the Stirling forms.
const BINARY = ["Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual", "LogicalAnd", "LogicalOr"];
const UNARY = ["IsFinite", "IsNan", "IsInf", "LogicalNot"];
for (const kernelName of BINARY) {
  if (tf.getGradient(kernelName) !== undefined) continue;
  tf.registerGradient({
    kernelName,
    inputsToSave: ["a", "b"],
    gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      return { a: () => tf.zeros(a.shape, "float32"), b: () => tf.zeros(b.shape, "float32") };
    },
  });
}
for (const kernelName of UNARY) {
  if (tf.getGradient(kernelName) !== undefined) continue;
  tf.registerGradient({
    kernelName,
    inputsToSave: ["x"],
    gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [x] = saved as [tf.Tensor];
      return { x: () => tf.zeros(x.shape, "float32") };
    },
  });
}

/**
 * dy where x > 0, else dy·alpha: one kernel where the backend has one (wasm: backend/wasmKernels/leakyRelu.ts),
 * else tfjs's where(greater(x, 0), dy, mul(dy, alpha)); the two agree bit for bit.
 */
function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  if (dy.dtype === "float32" && x.dtype === "float32" && util.arraysEqual(dy.shape, x.shape) && tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha });
  }
  return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
}

tf.registerGradient({
  kernelName: "LeakyRelu",
  inputsToSave: ["x"],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => leakyReluGrad(dy as tf.Tensor, x, attrs["alpha"] as number) };
  },
});
// Linear in dy with x's mask fixed, so its own gradient (for gradient penalties) is the same map of the upstream gradient.
tf.registerGradient({
  kernelName: LEAKY_RELU_GRAD,
  inputsToSave: ["x"],
  gradFunc: (ddx: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x] = saved as [tf.Tensor];
    return { dy: () => leakyReluGrad(ddx as tf.Tensor, x, attrs["alpha"] as number), x: () => tf.zeros(x.shape, "float32") };
  },
});

/** dy · step(x): one kernel where the backend has one (wasm), else tfjs's own mul(dy, cast(step(x))); the two agree bit for bit. */
function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (dy.dtype === "float32" && x.dtype === "float32" && util.arraysEqual(dy.shape, x.shape) && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(RELU_GRAD, { dy, x });
  }
  return tf.mul(dy, tf.cast(tf.step(x), "float32"));
}

tf.registerGradient({
  kernelName: "Relu",
  inputsToSave: ["x"],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => reluGrad(dy as tf.Tensor, x) };
  },
});
// Linear in dy with x's mask fixed: its own gradient is the same map of the upstream gradient.
tf.registerGradient({
  kernelName: RELU_GRAD,
  inputsToSave: ["x"],
  gradFunc: (ddx: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x] = saved as [tf.Tensor];
    return { dy: () => reluGrad(ddx as tf.Tensor, x), x: () => tf.zeros(x.shape, "float32") };
  },
});

/**
 * `_FusedMatMul` run as a kernel (tf.engine().runKernel), linear activation: one thunk per input, so backprop computes
 * only the gradients it asks for. tf.fused.matMul differentiates through a customGrad that computes dA, dB and the
 * bias's gradient whenever it is called — a dense layer whose weights are not being trained (D's layers in G's step)
 * or whose input needs no gradient (D's first layer in D's step) pays for products it throws away. Other
 * activations are refused: their gradient needs the saved output.
 */
tf.registerGradient({
  kernelName: "_FusedMatMul",
  inputsToSave: ["a", "b"],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const d = dy as tf.Tensor;
    const transposeA = attrs["transposeA"] === true;
    const transposeB = attrs["transposeB"] === true;
    if ((attrs["activation"] ?? "linear") !== "linear") {
      throw new Error(`The gradient of a _FusedMatMul kernel is implemented for a linear activation only (got ${JSON.stringify(attrs["activation"])}); use tf.fused.matMul.`);
    }
    // tfjs's fused matMul gradient, input by input.
    const gradA = (): tf.Tensor => (transposeA ? (transposeB ? tf.matMul(b, d, true, true) : tf.matMul(b, d, false, true)) : transposeB ? tf.matMul(d, b) : tf.matMul(d, b, false, true));
    const gradB = (): tf.Tensor => (transposeB ? (transposeA ? tf.matMul(d, a, true, true) : tf.matMul(d, a, true, false)) : transposeA ? tf.matMul(a, d) : tf.matMul(a, d, true, false));
    const gradBias = (): tf.Tensor => tf.reshape(tf.sum(d, [...Array(d.rank - 1).keys()]), [d.shape[d.rank - 1] ?? 1]);
    return { a: gradA, b: gradB, bias: gradBias };
  },
});
