import { Option } from "commander";

import { BACKEND_NAMES, type BackendName } from "@dl/tensor-core/host";

export interface CommonOptions {
  json?: boolean;
  backend?: BackendName | "auto";
  seed?: number;
  out?: string;
}

/** Backends that can run in Node; webgpu and webgl exist only in a browser (the playground). */
const NODE_BACKENDS = BACKEND_NAMES.filter((name) => name !== "webgpu" && name !== "webgl");

/** `--backend` shared by every command that computes. */
export function backendOption(): Option {
  return new Option(
    "--backend <name>",
    "TensorFlow.js backend; auto (default, or DL_BACKEND) tries tfjs-node if installed, then wasm, then cpu. webgpu and webgl run only in the browser (the playground)",
  ).choices(["auto", ...NODE_BACKENDS]);
}

/** `--seed S` as a safe integer. */
export function seedOption(defaultSeed = 42): Option {
  return new Option("--seed <n>", "random seed").default(defaultSeed).argParser(parseInteger("--seed"));
}

/**
 * An integer flag in [min, max]. Every size flag sets a `max` (and says it in its help), so an absurd
 * value fails here, naming the flag, before any work or allocation.
 */
export function parseInteger(flag: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    const range = max < Number.MAX_SAFE_INTEGER ? ` in ${min} … ${max}` : min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : "";
    if (value.trim() === "" || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidOptionError(`${flag} needs an integer${range}, got "${value}".`);
    return n;
  };
}

export function parseNumber(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidOptionError(`${flag} needs a number, got "${value}".`);
    return n;
  };
}

/** A number > 0 and ≤ max (learning rates, temperatures, time budgets). */
export function parsePositiveNumber(flag: string, max = Number.MAX_VALUE): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > max) {
      throw new InvalidOptionError(`${flag} needs a number > 0${max < Number.MAX_VALUE ? ` and ≤ ${max}` : ""}, got "${value}".`);
    }
    return n;
  };
}

/** `--truncation <t|auto>` for GAN sampling: a number in [0.5, 100] (values are kept within ±t; about 1.5–2 is usual), or "auto" (the rule picks t from G's own samples). */
export function parseTruncation(value: string): number | "auto" {
  if (value.trim() === "auto") return "auto";
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0.5 || n > 100) {
    throw new InvalidOptionError(
      `--truncation needs a number in 0.5 … 100 (latent values are kept within ±t; about 1.5–2 trades a little diversity for fidelity) or auto (t picked from G's own samples), got "${value}".`,
    );
  }
  return n;
}

/** Largest finite float32 and smallest normal float32: parameters outside them overflow or flush to 0 in tensors. */
export const FLOAT32_MAX = 3.4028234663852886e38;
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/** A number that float32 tensors hold without overflow or underflow to zero. */
export function parseFloat32(flag: string): (value: string) => number {
  return (value: string) => {
    const n = parseNumber(flag)(value);
    if (Math.abs(n) > FLOAT32_MAX || (n !== 0 && Math.abs(n) < FLOAT32_MIN_NORMAL)) {
      throw new InvalidOptionError(`${flag} = ${value} is outside float32's range (±${FLOAT32_MIN_NORMAL.toPrecision(3)} … ±${FLOAT32_MAX.toPrecision(3)}), where the computation runs; rescale the problem.`);
    }
    return n;
  };
}

/** Thrown by argument parsers; commander reports it as a one-line error. */
export class InvalidOptionError extends Error {
  override readonly name = "InvalidOptionError";
}
