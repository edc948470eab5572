import * as tf from "@tensorflow/tfjs-core";

/** A trainable variable from an initial value; the initial tensor is released (the variable keeps the data). */
export function ownedVariable(initial: tf.Tensor): tf.Variable {
  const v = tf.variable(initial);
  initial.dispose();
  return v;
}
