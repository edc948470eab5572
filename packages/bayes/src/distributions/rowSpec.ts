import type { MathNode } from "mathjs/number";

import { DlError, listNames, type Rng } from "@dl/tensor-core";

import { libraries } from "../platform/libraries.js";

/**
 * A sampled, evaluable density on ℝ^dim over plain float64 rows (points n × dim row-major), for code
 * that works on numbers rather than tensors (change of variables, density-ratio checks).
 */
export interface RowDistribution {
  /** The spec it was parsed from, normalised, e.g. `normal(0, 1)`. */
  readonly spec: string;
  readonly dim: number;
  sample(n: number, rng: Rng): Float64Array;
  logProb(points: ArrayLike<number>): Float64Array;
  /** Per-coordinate [low, high] holding all but ~1e-12 of the mass; used to place grids. */
  bulk(): [number, number][];
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Normal(loc, scale), TensorFlow Probability's parameters (scale is the standard deviation). */
export function normalRows(loc: number, scale: number): RowDistribution {
  if (!(scale > 0) || !Number.isFinite(loc) || !Number.isFinite(scale)) {
    throw new DlError("INVALID_ARGUMENT", `normal(loc, scale) needs a finite loc and scale > 0, got normal(${loc}, ${scale}).`);
  }
  return mvnDiagRows([loc], [scale], `normal(${loc}, ${scale})`);
}

/** MultivariateNormalDiag(loc, scale_diag). */
export function mvnDiagRows(loc: readonly number[], scaleDiag: readonly number[], spec?: string): RowDistribution {
  const dim = loc.length;
  if (dim === 0 || scaleDiag.length !== dim || scaleDiag.some((s) => !(s > 0)) || [...loc, ...scaleDiag].some((v) => !Number.isFinite(v))) {
    throw new DlError("INVALID_ARGUMENT", `mvn_diag(loc, scale_diag) needs two equally long lists with finite values and scales > 0.`);
  }
  const logNorm = scaleDiag.reduce((a, s) => a - Math.log(s) - 0.5 * LOG_2PI, 0);
  return {
    spec: spec ?? `mvn_diag([${loc.join(", ")}], [${scaleDiag.join(", ")}])`,
    dim,
    sample(n, rng) {
      const out = new Float64Array(n * dim);
      for (let i = 0; i < n * dim; i++) out[i] = (loc[i % dim] as number) + (scaleDiag[i % dim] as number) * rng.normal();
      return out;
    },
    logProb(points) {
      const n = Math.floor(points.length / dim);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let q = 0;
        for (let d = 0; d < dim; d++) {
          const z = ((points[i * dim + d] as number) - (loc[d] as number)) / (scaleDiag[d] as number);
          q += z * z;
        }
        out[i] = logNorm - 0.5 * q;
      }
      return out;
    },
    bulk: () => loc.map((m, d) => [m - 7.5 * (scaleDiag[d] as number), m + 7.5 * (scaleDiag[d] as number)]),
  };
}

/** Laplace(loc, scale). */
export function laplaceRows(loc: number, scale: number): RowDistribution {
  if (!(scale > 0) || !Number.isFinite(loc) || !Number.isFinite(scale)) {
    throw new DlError("INVALID_ARGUMENT", `laplace(loc, scale) needs a finite loc and scale > 0, got laplace(${loc}, ${scale}).`);
  }
  return {
    spec: `laplace(${loc}, ${scale})`,
    dim: 1,
    sample(n, rng) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const u = rng.next() - 0.5;
        out[i] = loc - scale * Math.sign(u) * Math.log1p(-2 * Math.abs(u));
      }
      return out;
    },
    logProb(points) {
      return Float64Array.from(points, (x) => -Math.log(2 * scale) - Math.abs(x - loc) / scale);
    },
    bulk: () => [[loc - 28 * scale, loc + 28 * scale]],
  };
}

const FAMILIES = ["normal(loc, scale)", "laplace(loc, scale)", "mvn_diag([loc…], [scale…])"];

/** Parses a distribution written with TFP's parameters (the names of the registry: Normal, Laplace, MultivariateNormalDiag), e.g. `normal(0, 1)`, `mvn_diag([0, 0], [1, 2])`. */
export function parseDistribution(text: string): RowDistribution {
  const parse = libraries.get("parse");
  let node: MathNode;
  try {
    node = parse(text);
  } catch (error) {
    throw new DlError("INVALID_ARGUMENT", `Cannot parse distribution "${text}": ${(error as Error).message}. Write one of ${listNames(FAMILIES)}.`);
  }
  if (node.type !== "FunctionNode") throw badSpec(text);
  const fn = node as MathNode & { fn: { name?: string }; args: MathNode[] };
  const name = fn.fn.name ?? "";
  const args = fn.args.map((a) => constantValue(a, text));
  const scalar = (v: number | number[] | undefined): number => {
    if (typeof v !== "number") throw badSpec(text);
    return v;
  };
  const list = (v: number | number[] | undefined): number[] => {
    if (!Array.isArray(v)) throw badSpec(text);
    return v;
  };
  if (name === "normal" && args.length === 2) return normalRows(scalar(args[0]), scalar(args[1]));
  if (name === "laplace" && args.length === 2) return laplaceRows(scalar(args[0]), scalar(args[1]));
  if ((name === "mvn_diag" || name === "mvnDiag") && args.length === 2) return mvnDiagRows(list(args[0]), list(args[1]));
  throw badSpec(text);
}

function badSpec(text: string): DlError {
  return new DlError("INVALID_ARGUMENT", `Unknown or malformed distribution "${text}". Write one of ${listNames(FAMILIES)} (TensorFlow Probability's parameters; scale is a standard deviation).`);
}

/** Names a parameter expression may use (own-property lookups only). */
const SPEC_SYMBOLS: Readonly<Record<string, true>> = { pi: true, e: true };
const SPEC_FUNCTIONS: Readonly<Record<string, true>> = { sqrt: true, exp: true, log: true };
const FLOAT32_MAX = 3.4028234663852886e38;
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

function constantValue(node: MathNode, text: string): number | number[] {
  if (node.type === "ArrayNode") {
    return (node as MathNode & { items: MathNode[] }).items.map((item) => {
      const v = constantValue(item, text);
      if (typeof v !== "number") throw badSpec(text);
      return v;
    });
  }
  // Constant arithmetic such as `sqrt(1/8)` or `-1` is allowed; symbols, property access and the like are not.
  let allowed = true;
  node.traverse((n) => {
    const named = n as MathNode & { name?: string; fn?: { name?: string } };
    // A function's own name is a SymbolNode child too.
    if (n.type === "SymbolNode") allowed &&= Object.hasOwn(SPEC_SYMBOLS, named.name ?? "") || Object.hasOwn(SPEC_FUNCTIONS, named.name ?? "");
    else if (n.type === "FunctionNode") allowed &&= Object.hasOwn(SPEC_FUNCTIONS, named.fn?.name ?? "");
    else if (n.type !== "ConstantNode" && n.type !== "OperatorNode" && n.type !== "ParenthesisNode") allowed = false;
  });
  if (!allowed) throw badSpec(text);
  let value: unknown;
  try {
    value = node.evaluate();
  } catch {
    throw badSpec(text);
  }
  if (typeof value !== "number" || !Number.isFinite(value)) throw badSpec(text);
  // Samples and the classifier run in float32: parameters beyond its range overflow or flush to 0.
  if (value !== 0 && (Math.abs(value) > FLOAT32_MAX || Math.abs(value) < FLOAT32_MIN_NORMAL)) {
    throw new DlError("INVALID_ARGUMENT", `Distribution "${text}" has the parameter ${value}, outside float32's range (±1.18e-38 … ±3.40e+38) where samples are computed; rescale the problem.`);
  }
  return value;
}
