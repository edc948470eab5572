import * as tf from "@tensorflow/tfjs-core";

import { createRng } from "@dl/tensor-core";

import { BaseBijector } from "./bijector.js";
import { ownedVariable } from "../variables.js";

const softplus = (a: number): number => (a > 30 ? a : Math.log1p(Math.exp(a)));
const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

/**
 * K planar layers (Rezende & Mohamed 2015, eq. 10–12, û as in App. A.1) fused into one op with a
 * hand-written float64 backward pass. A stack of `Planar` bijectors costs ~25 tfjs ops per layer
 * and step, which dominates training on a CPU; this does the same maths in one kernel call.
 * Parameters: W, U [K, d] and B [K]; layer k is applied k-th.
 */
export class PlanarStack extends BaseBijector {
  readonly name = "PlanarStack";
  readonly W: tf.Variable;
  readonly U: tf.Variable;
  readonly B: tf.Variable;
  readonly trainableVariables: readonly tf.Variable[];
  readonly layers: number;
  readonly dimension: number;

  constructor(params: { layers: number; dimension: number; seed: number; initScale?: number }) {
    super();
    const { layers, dimension } = params;
    const rng = createRng(params.seed);
    const scale = params.initScale ?? 0.1;
    const init = (): tf.Tensor =>
      tf.tensor2d(Float32Array.from({ length: layers * dimension }, () => scale * rng.normal()), [layers, dimension]);
    this.W = ownedVariable(init());
    this.U = ownedVariable(init());
    this.B = ownedVariable(tf.zeros([layers]));
    this.trainableVariables = [this.W, this.U, this.B];
    this.layers = layers;
    this.dimension = dimension;
  }

  /** û for every layer (float64, from host values). */
  private uHats(w: ArrayLike<number>, u: ArrayLike<number>): Float64Array {
    const { layers: k, dimension: d } = this;
    const out = new Float64Array(k * d);
    for (let l = 0; l < k; l++) {
      let wu = 0;
      let ww = 0;
      for (let j = 0; j < d; j++) {
        wu += (w[l * d + j] ?? 0) * (u[l * d + j] ?? 0);
        ww += (w[l * d + j] ?? 0) ** 2;
      }
      const alpha = (softplus(wu) - 1 - wu) / ww;
      for (let j = 0; j < d; j++) out[l * d + j] = (u[l * d + j] ?? 0) + alpha * (w[l * d + j] ?? 0);
    }
    return out;
  }

  forwardAndLogDet(z: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor } {
    return tf.tidy(() => {
      const lead = z.shape.slice(0, -1);
      const flat = tf.reshape(z, [-1, this.dimension]);
      const packed = this.fused()(flat, this.W, this.U, this.B);
      const [y, logDet] = tf.split(packed, [this.dimension, 1], -1) as [tf.Tensor, tf.Tensor];
      return { y: tf.reshape(y, [...lead, this.dimension]), logDet: tf.reshape(logDet, lead) };
    });
  }

  /** The fused op: (z [n, d], W, U, B) → [n, d + 1] holding y and log|det|. */
  private fused(): (z: tf.Tensor, w: tf.Tensor, u: tf.Tensor, b: tf.Tensor) => tf.Tensor {
    const { layers: k, dimension: d } = this;
    const op: (z: tf.Tensor, w: tf.Tensor, u: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [zIn, wIn, uIn, bIn] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const n = zIn.shape[0] ?? 0;
      const w = wIn.dataSync();
      const u = uIn.dataSync();
      const b = bIn.dataSync();
      const uHat = this.uHats(w, u);
      const c = new Float64Array(k); // wᵀû per layer
      for (let l = 0; l < k; l++) for (let j = 0; j < d; j++) c[l] = (c[l] ?? 0) + (w[l * d + j] ?? 0) * (uHat[l * d + j] ?? 0);
      // Keep every layer's input and tanh value for the backward pass.
      const zs = new Float64Array((k + 1) * n * d);
      const hs = new Float64Array(k * n);
      const zSrc = zIn.dataSync();
      for (let i = 0; i < n * d; i++) zs[i] = zSrc[i] ?? 0;
      const out = new Float32Array(n * (d + 1));
      for (let i = 0; i < n; i++) {
        let logDet = 0;
        for (let l = 0; l < k; l++) {
          const inOff = (l * n + i) * d;
          const outOff = ((l + 1) * n + i) * d;
          let a = b[l] ?? 0;
          for (let j = 0; j < d; j++) a += (w[l * d + j] ?? 0) * (zs[inOff + j] ?? 0);
          const h = Math.tanh(a);
          hs[l * n + i] = h;
          for (let j = 0; j < d; j++) zs[outOff + j] = (zs[inOff + j] ?? 0) + (uHat[l * d + j] ?? 0) * h;
          logDet += Math.log(Math.abs(1 + (1 - h * h) * (c[l] ?? 0)));
        }
        for (let j = 0; j < d; j++) out[i * (d + 1) + j] = zs[(k * n + i) * d + j] ?? 0;
        out[i * (d + 1) + d] = logDet;
      }
      const value = tf.tensor2d(out, [n, d + 1]);
      return {
        value,
        gradFunc: (dy: tf.Tensor) => {
          const g = dy.dataSync();
          const gz = new Float64Array(n * d);
          const gLogDet = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < d; j++) gz[i * d + j] = g[i * (d + 1) + j] ?? 0;
            gLogDet[i] = g[i * (d + 1) + d] ?? 0;
          }
          const gw = new Float64Array(k * d);
          const gb = new Float64Array(k);
          const gUHat = new Float64Array(k * d);
          for (let l = k - 1; l >= 0; l--) {
            const cl = c[l] ?? 0;
            for (let i = 0; i < n; i++) {
              const h = hs[l * n + i] ?? 0;
              const hp = 1 - h * h;
              const s = 1 + hp * cl;
              const gs = (gLogDet[i] ?? 0) / s;
              let gzDotU = 0;
              for (let j = 0; j < d; j++) gzDotU += (gz[i * d + j] ?? 0) * (uHat[l * d + j] ?? 0);
              // a → h (through y) and a → h′ → s (through the log-determinant).
              const ga = gzDotU * hp + gs * cl * (-2 * h * hp);
              const inOff = (l * n + i) * d;
              for (let j = 0; j < d; j++) {
                const wj = w[l * d + j] ?? 0;
                gw[l * d + j] = (gw[l * d + j] ?? 0) + ga * (zs[inOff + j] ?? 0) + gs * hp * (uHat[l * d + j] ?? 0);
                gUHat[l * d + j] = (gUHat[l * d + j] ?? 0) + (gz[i * d + j] ?? 0) * h + gs * hp * wj;
                gz[i * d + j] = (gz[i * d + j] ?? 0) + ga * wj;
              }
              gb[l] = (gb[l] ?? 0) + ga;
            }
          }
          // Through û = u + α w, α = (m(wᵀu) − wᵀu)/‖w‖², m(x) = softplus(x) − 1.
          const gu = new Float64Array(k * d);
          for (let l = 0; l < k; l++) {
            let wu = 0;
            let ww = 0;
            let gAlpha = 0;
            for (let j = 0; j < d; j++) {
              wu += (w[l * d + j] ?? 0) * (u[l * d + j] ?? 0);
              ww += (w[l * d + j] ?? 0) ** 2;
              gAlpha += (gUHat[l * d + j] ?? 0) * (w[l * d + j] ?? 0);
            }
            const numerator = softplus(wu) - 1 - wu;
            const alpha = numerator / ww;
            const dAlphaDwu = (sigmoid(wu) - 1) / ww;
            for (let j = 0; j < d; j++) {
              const wj = w[l * d + j] ?? 0;
              const uj = u[l * d + j] ?? 0;
              const gh = gUHat[l * d + j] ?? 0;
              gu[l * d + j] = gh + gAlpha * dAlphaDwu * wj;
              gw[l * d + j] = (gw[l * d + j] ?? 0) + alpha * gh + gAlpha * (dAlphaDwu * uj - (2 * numerator * wj) / (ww * ww));
            }
          }
          return [
            tf.tensor2d(Float32Array.from(gz), [n, d]),
            tf.tensor2d(Float32Array.from(gw), [k, d]),
            tf.tensor2d(Float32Array.from(gu), [k, d]),
            tf.tensor1d(Float32Array.from(gb)),
          ];
        },
      };
    });
    return op;
  }

  /** Layer by layer from the last: the component along w solves a monotone scalar equation (bisection + Newton). */
  inverse(y: tf.Tensor): tf.Tensor {
    const { layers: k, dimension: d } = this;
    const w = this.W.dataSync();
    const b = this.B.dataSync();
    const uHat = this.uHats(w, this.U.dataSync());
    const values = Float64Array.from(y.dataSync());
    const n = values.length / d;
    for (let l = k - 1; l >= 0; l--) {
      let c = 0;
      for (let j = 0; j < d; j++) c += (w[l * d + j] ?? 0) * (uHat[l * d + j] ?? 0);
      const bl = b[l] ?? 0;
      for (let i = 0; i < n; i++) {
        let wy = 0;
        for (let j = 0; j < d; j++) wy += (w[l * d + j] ?? 0) * (values[i * d + j] ?? 0);
        // wᵀy = a + c·tanh(a + b) with a = wᵀz; the root lies within |c| of wᵀy.
        let lo = wy - Math.abs(c);
        let hi = wy + Math.abs(c);
        let a = wy;
        for (let it = 0; it < 100; it++) {
          const t = Math.tanh(a + bl);
          const f = a + c * t - wy;
          if (f < 0) lo = a;
          else hi = a;
          let next = a - f / (1 + c * (1 - t * t));
          if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
          if (Math.abs(next - a) < 1e-13 * (1 + Math.abs(a))) {
            a = next;
            break;
          }
          a = next;
        }
        const h = Math.tanh(a + bl);
        for (let j = 0; j < d; j++) values[i * d + j] = (values[i * d + j] ?? 0) - (uHat[l * d + j] ?? 0) * h;
      }
    }
    return tf.tensor(Float32Array.from(values), y.shape);
  }
}
