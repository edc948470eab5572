import * as tf from "@tensorflow/tfjs-core";

import { ADAM_UPDATE, EMA_UPDATE } from "../backend/wasmKernels/optimizerUpdates.js";
import type { AdamUpdateAttrs } from "../backend/wasmKernels/optimizerUpdates.js";

export type { AdamUpdateAttrs } from "../backend/wasmKernels/optimizerUpdates.js";

const fused = (kernelName: string): boolean => tf.getKernel(kernelName, tf.getBackend()) !== undefined;

/**
 * One Adam step (Kingma & Ba 2015, Alg. 1, with the bias corrections folded into `stepSize`) on one
 * variable's data: returns [x′, m′, v′]. On wasm a single fused kernel; elsewhere the same float32
 * operations as separate ops — the two give bit-identical results. Not recorded for gradients.
 */
export function adamUpdate(x: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: AdamUpdateAttrs): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (fused(ADAM_UPDATE)) return tf.engine().runKernel(ADAM_UPDATE, { x, g, m, v }, { ...attrs }) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
  return unfusedAdamUpdate(x, g, m, v, attrs);
}

/** The reference: Adam written out in tfjs ops (what `adamUpdate` fuses). */
export function unfusedAdamUpdate(x: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: AdamUpdateAttrs): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const { beta1, beta2, epsilon, stepSize } = attrs;
  return tf.tidy(() => {
    const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
    const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
    return [tf.sub(x, tf.div(tf.mul(mNew, stepSize), tf.add(tf.sqrt(vNew), epsilon))), mNew, vNew];
  });
}

/** θ̄·decay + θ·(1 − decay): an exponential moving average of weights, fused on wasm (bit-identical elsewhere). */
export function emaUpdate(average: tf.Tensor, x: tf.Tensor, decay: number): tf.Tensor {
  if (fused(EMA_UPDATE)) return tf.engine().runKernel(EMA_UPDATE, { average, x }, { decay });
  return unfusedEmaUpdate(average, x, decay);
}

/** The reference: the average written out in tfjs ops. */
export function unfusedEmaUpdate(average: tf.Tensor, x: tf.Tensor, decay: number): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(average, decay), tf.mul(x, 1 - decay)));
}
