// Conceptual sensitivity S_{C,k,l}(x) = ∇_{h_l} logit_k(x) · v_C and the TCAV scores built on it.
import { assertArgument } from "@dl/tensor-core";

import type { ActivationMatrix } from "./cav.js";

/**
 * Directional derivatives of the class logit along a CAV, one per input: S = G v where row i of G
 * is ∇_{h_l} logit_k(x_i) (Kim et al. 2018, eq. 1). Gradients are computed once per layer and
 * reused for every CAV, so each score costs one matrix–vector product.
 */
export function directionalDerivatives(gradients: ActivationMatrix, cav: Float32Array): Float64Array {
  assertArgument(cav.length === gradients.dim, () => `The CAV has ${cav.length} entries but the layer gradients have ${gradients.dim}; use a CAV trained at the same layer.`);
  const out = new Float64Array(gradients.rows);
  const { data, dim } = gradients;
  for (let i = 0; i < gradients.rows; i++) {
    const off = i * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += (data[off + j] as number) * (cav[j] as number);
    out[i] = s;
  }
  return out;
}

/** TCAV_Q (Kim et al. 2018, eq. 2): the fraction of class-k inputs with S > 0 (ties count as not positive). */
export function tcavScore(sensitivities: ArrayLike<number>): number {
  assertArgument(sensitivities.length > 0, "A TCAV score needs at least one input of the target class.");
  let positive = 0;
  for (let i = 0; i < sensitivities.length; i++) if ((sensitivities[i] as number) > 0) positive++;
  return positive / sensitivities.length;
}

/**
 * The magnitude variant (tcav library's `magnitude` score): Σ_x max(S,0) / Σ_x |S|, the share of the
 * total sensitivity mass that is positive; 0.5 when all S are 0.
 */
export function tcavMagnitudeScore(sensitivities: ArrayLike<number>): number {
  assertArgument(sensitivities.length > 0, "A TCAV score needs at least one input of the target class.");
  let positive = 0;
  let total = 0;
  for (let i = 0; i < sensitivities.length; i++) {
    const s = sensitivities[i] as number;
    if (s > 0) positive += s;
    total += Math.abs(s);
  }
  return total === 0 ? 0.5 : positive / total;
}
