import { Option } from "commander";

import { BACKEND_NAMES, type BackendName } from "@dl/tensor-core";

export interface CommonOptions {
  json?: boolean;
  backend?: BackendName | "auto";
  seed?: number;
  out?: string;
}

/** `--backend` shared by every command that computes. */
export function backendOption(): Option {
  return new Option("--backend <name>", "TensorFlow.js backend (default: DL_BACKEND or best available)").choices([
    "auto",
    ...BACKEND_NAMES,
  ]);
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
