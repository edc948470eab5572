import { munkres } from "munkres";

import { DlError } from "@dl/tensor-core";

export interface GridAssignment {
  columns: number;
  rows: number;
  /** cell index (row-major) of each point. */
  cellOfPoint: Int32Array;
  /** point index in each cell, −1 for an empty cell. */
  pointOfCell: Int32Array;
  /** Σ squared distance between each point (scaled to the unit square) and its cell centre. */
  cost: number;
}

/** Largest point count the optimal assignment accepts (a 48 × 48 grid; O(n³) Hungarian method). */
export const MAX_GRID_POINTS = 2304;

/** Points scaled into the unit square (aspect kept) and the centres of a columns × rows grid of cells. */
function normalise(points: ArrayLike<number>, n: number): Float64Array {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i] as number;
    const y = points[2 * i + 1] as number;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const span = Math.max(x1 - x0, y1 - y0, 1e-12);
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = ((points[2 * i] as number) - x0) / span + (span - (x1 - x0)) / (2 * span);
    // Grid rows run top to bottom while y grows upward.
    out[2 * i + 1] = (y1 - (points[2 * i + 1] as number)) / span + (span - (y1 - y0)) / (2 * span);
  }
  return out;
}

function cellCentre(cell: number, columns: number, rows: number): [number, number] {
  return [((cell % columns) + 0.5) / columns, (Math.floor(cell / columns) + 0.5) / rows];
}

export function gridShape(n: number, columns?: number): { columns: number; rows: number } {
  const c = columns ?? Math.ceil(Math.sqrt(n));
  return { columns: c, rows: Math.ceil(n / c) };
}

/**
 * Snaps 2-D points one-to-one onto a grid by optimal linear assignment (Kuhn–Munkres, via the `munkres`
 * package): every image appears exactly once and the total squared displacement is minimal — unlike
 * filling each cell with its nearest point, which repeats some images and drops others.
 */
export function assignToGrid(points: ArrayLike<number>, n: number, columns?: number): GridAssignment {
  if (n < 1 || points.length < 2 * n) throw new DlError("SHAPE_MISMATCH", `assignToGrid needs n × 2 coordinates for n = ${n}, got ${points.length}.`);
  if (n > MAX_GRID_POINTS) throw new DlError("INVALID_ARGUMENT", `the optimal grid takes at most ${MAX_GRID_POINTS} points (O(n³)), got ${n}; sample fewer.`);
  const { columns: c, rows } = gridShape(n, columns);
  const cells = c * rows;
  const p = normalise(points, n);
  const cost: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(cells);
    for (let cell = 0; cell < cells; cell++) {
      const [cx, cy] = cellCentre(cell, c, rows);
      row[cell] = ((p[2 * i] as number) - cx) ** 2 + ((p[2 * i + 1] as number) - cy) ** 2;
    }
    cost.push(row);
  }
  const cellOfPoint = new Int32Array(n).fill(-1);
  const pointOfCell = new Int32Array(cells).fill(-1);
  let total = 0;
  for (const [i, cell] of munkres(cost)) {
    cellOfPoint[i] = cell;
    pointOfCell[cell] = i;
    total += cost[i]?.[cell] ?? 0;
  }
  return { columns: c, rows, cellOfPoint, pointOfCell, cost: total };
}

/**
 * Karpathy's fill (cnnembed): each cell, in row-major order, takes the nearest point not used yet. Returns
 * the same structure and its cost for comparison with `assignToGrid`.
 */
export function greedyGridFill(points: ArrayLike<number>, n: number, columns?: number): GridAssignment {
  const { columns: c, rows } = gridShape(n, columns);
  const cells = c * rows;
  const p = normalise(points, n);
  const used = new Uint8Array(n);
  const cellOfPoint = new Int32Array(n).fill(-1);
  const pointOfCell = new Int32Array(cells).fill(-1);
  let total = 0;
  for (let cell = 0; cell < cells; cell++) {
    const [cx, cy] = cellCentre(cell, c, rows);
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < n; i++) {
      if (used[i] === 1) continue;
      const d = ((p[2 * i] as number) - cx) ** 2 + ((p[2 * i + 1] as number) - cy) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    if (best < 0) break;
    used[best] = 1;
    cellOfPoint[best] = cell;
    pointOfCell[cell] = best;
    total += bestD;
  }
  return { columns: c, rows, cellOfPoint, pointOfCell, cost: total };
}

/** Total cost of an explicit point → cell map on the same normalised coordinates (for tests and reports). */
export function gridCost(points: ArrayLike<number>, n: number, columns: number, rows: number, cellOfPoint: ArrayLike<number>): number {
  const p = normalise(points, n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const [cx, cy] = cellCentre(cellOfPoint[i] as number, columns, rows);
    total += ((p[2 * i] as number) - cx) ** 2 + ((p[2 * i + 1] as number) - cy) ** 2;
  }
  return total;
}
