import * as tf from "@tensorflow/tfjs-core";

import { DlError, listNames } from "@dl/tensor-core";

import { logSumExp } from "../special/logSumExp.js";

/** The four 2-D test energies of Rezende & Mohamed (2015, Table 1); p(z) ∝ exp(−U(z)). */
export const ENERGY_NAMES = ["U1", "U2", "U3", "U4"] as const;
export type EnergyName = (typeof ENERGY_NAMES)[number];

/**
 * U2–U4 do not depend on z₁ outside the bumps, so exp(−U) has infinite mass along z₁. As in the
 * paper's figures we confine them to |z₁| ≤ 4 with a soft quadratic wall (width 0.1); U1 is proper.
 */
export const WALL = { edge: 4, width: 0.1 } as const;

export function parseEnergyName(name: string): EnergyName {
  const upper = name.toUpperCase();
  if ((ENERGY_NAMES as readonly string[]).includes(upper)) return upper as EnergyName;
  throw new DlError("UNKNOWN_NAME", `Unknown target energy "${name}". Valid targets: ${listNames(ENERGY_NAMES)}.`, {
    details: { valid: ENERGY_NAMES },
  });
}

/** U(z) for z [..., 2] as tfjs ops (differentiable). */
export function energy(name: EnergyName, z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [z1, z2] = tf.unstack(z, z.rank - 1) as [tf.Tensor, tf.Tensor];
    const w1 = tf.sin(tf.mul(Math.PI / 2, z1));
    const sq = (t: tf.Tensor, s: number): tf.Tensor => tf.mul(0.5, tf.square(tf.div(t, s)));
    const negLogSum = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.neg(tf.logSumExp(tf.stack([tf.neg(a), tf.neg(b)], -1), -1));
    const wall = (): tf.Tensor => sq(tf.relu(tf.sub(tf.abs(z1), WALL.edge)), WALL.width);
    switch (name) {
      case "U1": {
        const r = tf.sqrt(tf.add(tf.sum(tf.square(z), -1), 1e-12));
        return tf.add(sq(tf.sub(r, 2), 0.4), negLogSum(sq(tf.sub(z1, 2), 0.6), sq(tf.add(z1, 2), 0.6)));
      }
      case "U2":
        return tf.add(sq(tf.sub(z2, w1), 0.4), wall());
      case "U3": {
        const w2 = tf.mul(3, tf.exp(tf.neg(sq(tf.sub(z1, 1), 0.6))));
        return tf.add(negLogSum(sq(tf.sub(z2, w1), 0.35), sq(tf.add(tf.sub(z2, w1), w2), 0.35)), wall());
      }
      case "U4": {
        const w3 = tf.mul(3, tf.sigmoid(tf.div(tf.sub(z1, 1), 0.3)));
        return tf.add(negLogSum(sq(tf.sub(z2, w1), 0.4), sq(tf.add(tf.sub(z2, w1), w3), 0.35)), wall());
      }
    }
  });
}

/** U(z₁, z₂) in float64 on the host (the quadrature runs on this). */
export function energyScalar(name: EnergyName, z1: number, z2: number): number {
  const w1 = Math.sin((Math.PI * z1) / 2);
  const sq = (t: number, s: number): number => 0.5 * (t / s) ** 2;
  const negLogSum = (a: number, b: number): number => -logSumExp([-a, -b]);
  const wall = sq(Math.max(Math.abs(z1) - WALL.edge, 0), WALL.width);
  switch (name) {
    case "U1":
      return sq(Math.hypot(z1, z2) - 2, 0.4) + negLogSum(sq(z1 - 2, 0.6), sq(z1 + 2, 0.6));
    case "U2":
      return sq(z2 - w1, 0.4) + wall;
    case "U3":
      return negLogSum(sq(z2 - w1, 0.35), sq(z2 - w1 + 3 * Math.exp(-sq(z1 - 1, 0.6)), 0.35)) + wall;
    case "U4":
      return negLogSum(sq(z2 - w1, 0.4), sq(z2 - w1 + 3 / (1 + Math.exp(-(z1 - 1) / 0.3)), 0.35)) + wall;
  }
}

export interface Grid {
  x: readonly [number, number];
  y: readonly [number, number];
  /** Cells per axis. */
  nx: number;
  ny: number;
}

/** A box that holds all but a negligible part of each target's mass. */
export const QUADRATURE_GRID: Grid = { x: [-5, 5], y: [-7, 7], nx: 700, ny: 980 };

/** log Z = log ∫ exp(−U) by the midpoint rule on a grid (float64, log-sum-exp over cells). */
export function logNormaliser(name: EnergyName, grid: Grid = QUADRATURE_GRID): number {
  const hx = (grid.x[1] - grid.x[0]) / grid.nx;
  const hy = (grid.y[1] - grid.y[0]) / grid.ny;
  const values = new Float64Array(grid.nx * grid.ny);
  for (let i = 0; i < grid.nx; i++) {
    const z1 = grid.x[0] + (i + 0.5) * hx;
    for (let j = 0; j < grid.ny; j++) values[i * grid.ny + j] = -energyScalar(name, z1, grid.y[0] + (j + 0.5) * hy);
  }
  return logSumExp(values) + Math.log(hx * hy);
}

/** exp(−U) normalised on a grid, row-major [ny, nx] from the top row (for pictures). */
export function targetDensityGrid(name: EnergyName, grid: Grid): Float64Array {
  const logZ = logNormaliser(name);
  const out = new Float64Array(grid.nx * grid.ny);
  const hx = (grid.x[1] - grid.x[0]) / grid.nx;
  const hy = (grid.y[1] - grid.y[0]) / grid.ny;
  for (let r = 0; r < grid.ny; r++) {
    const z2 = grid.y[1] - (r + 0.5) * hy;
    for (let c = 0; c < grid.nx; c++) out[r * grid.nx + c] = Math.exp(-energyScalar(name, grid.x[0] + (c + 0.5) * hx, z2) - logZ);
  }
  return out;
}
