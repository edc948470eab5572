// The one home of gradient registration: every package that differentiates gets it by importing
// @dl/tensor-core. tfjs-core registers no op gradients by itself; tfjs-layers registers all of them on
// import, both from its Node bundle and from its ESM build in bundlers. Deep imports of
// tfjs-core/dist/* break in Node ESM.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers";

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
