import * as tf from "@tensorflow/tfjs-core";

import { adamUpdate } from "@dl/tensor-core";

export interface AdamConfig {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam optimiser state, exported as plain arrays for checkpoints. */
export interface AdamState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

/**
 * Adam (Kingma & Ba 2015, Alg. 1) over an explicit variable list. Written out rather than
 * tf.train.adam because that one leaves tensors behind after dispose() and hides its state,
 * which checkpoints and resume need.
 */
export class Adam {
  private readonly vars: tf.Variable[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  learningRate: number;

  constructor(vars: readonly tf.Variable[], config: AdamConfig) {
    this.vars = [...vars];
    this.learningRate = config.learningRate;
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? 1e-8;
    this.m = this.vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = this.vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  /** One step on `loss()`; returns the loss value before the update. */
  step(loss: () => tf.Scalar): number {
    this.t += 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const lrT = (this.learningRate * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    const value = tf.tidy(() => {
      const { value: l, grads } = tf.variableGrads(loss, this.vars);
      this.vars.forEach((x, i) => {
        const g = grads[x.name];
        if (g === undefined) return;
        const m = this.m[i] as tf.Variable;
        const v = this.v[i] as tf.Variable;
        // One fused kernel per variable on wasm, bit-identical to the written-out ops elsewhere.
        const [xNew, mNew, vNew] = adamUpdate(x, g, m, v, { beta1: b1, beta2: b2, epsilon: this.epsilon, stepSize: lrT });
        m.assign(mNew);
        v.assign(vNew);
        x.assign(xNew);
      });
      return l;
    });
    const out = value.dataSync()[0] ?? Number.NaN;
    value.dispose();
    return out;
  }

  getState(): AdamState {
    return { step: this.t, m: this.m.map((x) => x.dataSync().slice() as Float32Array), v: this.v.map((x) => x.dataSync().slice() as Float32Array) };
  }

  setState(state: AdamState): void {
    this.t = state.step;
    tf.tidy(() => {
      this.m.forEach((x, i) => x.assign(tf.tensor(state.m[i] ?? new Float32Array(x.size), x.shape)));
      this.v.forEach((x, i) => x.assign(tf.tensor(state.v[i] ?? new Float32Array(x.size), x.shape)));
    });
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
