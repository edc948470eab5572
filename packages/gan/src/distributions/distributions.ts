import { parse, type MathNode } from "mathjs/number";

import { DlError, listNames, type Rng } from "@dl/tensor-core";

/** A sampled, evaluable density on ℝ^dim (points n × dim row-major). */
export interface Distribution {
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
export function normal(loc: number, scale: number): Distribution {
  if (!(scale > 0) || !Number.isFinite(loc) || !Number.isFinite(scale)) {
    throw new DlError("INVALID_ARGUMENT", `normal(loc, scale) needs a finite loc and scale > 0, got normal(${loc}, ${scale}).`);
  }
  return mvnDiag([loc], [scale], `normal(${loc}, ${scale})`);
}

/** MultivariateNormalDiag(loc, scale_diag). */
export function mvnDiag(loc: readonly number[], scaleDiag: readonly number[], spec?: string): Distribution {
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
export function laplace(loc: number, scale: number): Distribution {
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

/** Parses a distribution written with TFP's parameters, e.g. `normal(0, 1)`, `mvn_diag([0, 0], [1, 2])`. */
export function parseDistribution(text: string): Distribution {
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
  if (name === "normal" && args.length === 2) return normal(scalar(args[0]), scalar(args[1]));
  if (name === "laplace" && args.length === 2) return laplace(scalar(args[0]), scalar(args[1]));
  if ((name === "mvn_diag" || name === "mvnDiag") && args.length === 2) return mvnDiag(list(args[0]), list(args[1]));
  throw badSpec(text);
}

function badSpec(text: string): DlError {
  return new DlError("INVALID_ARGUMENT", `Unknown or malformed distribution "${text}". Write one of ${listNames(FAMILIES)} (TensorFlow Probability's parameters; scale is a standard deviation).`);
}

function constantValue(node: MathNode, text: string): number | number[] {
  if (node.type === "ArrayNode") {
    return (node as MathNode & { items: MathNode[] }).items.map((item) => {
      const v = constantValue(item, text);
      if (typeof v !== "number") throw badSpec(text);
      return v;
    });
  }
  // Constant arithmetic such as `sqrt(1/8)` or `-1` is allowed; symbols are not.
  let symbols = false;
  node.traverse((n) => {
    if (n.type === "SymbolNode" && !/^(sqrt|exp|log|pi|e)$/.test((n as MathNode & { name: string }).name)) symbols = true;
  });
  if (symbols) throw badSpec(text);
  const value: unknown = node.evaluate();
  if (typeof value !== "number" || !Number.isFinite(value)) throw badSpec(text);
  return value;
}
