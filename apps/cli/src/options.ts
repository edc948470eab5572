import { Option } from "commander";

import { BACKEND_NAMES, type BackendName } from "@dl/tensor-core";

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

export function parseInteger(flag: string, min = Number.MIN_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidOptionError(`${flag} needs an integer${min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : ""}, got "${value}".`);
    return n;
  };
}

export function parseNumber(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new InvalidOptionError(`${flag} needs a number, got "${value}".`);
    return n;
  };
}

/** Thrown by argument parsers; commander reports it as a one-line error. */
export class InvalidOptionError extends Error {
  override readonly name = "InvalidOptionError";
}
