import { DlError } from "../errors.js";

/** Element types dl-lab reads from `.npy`, by numpy name. */
export type NdDtype =
  | "float32"
  | "float64"
  | "uint8"
  | "int8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "bool";

export type NdData = Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/**
 * A dense C-order array. `int64`/`uint64` are held in a Float64Array (exact up to 2^53; larger
 * values are rejected on read), `bool` in a Uint8Array of 0/1.
 */
export interface NdArray {
  data: NdData;
  shape: number[];
  dtype: NdDtype;
}

export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The multi-index of flat position `flat` in a C-order array of `shape`, e.g. `[2, 0]`. */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    index[d] = size === 0 ? 0 : rest % size;
    rest = size === 0 ? 0 : Math.floor(rest / size);
  }
  return index;
}

/** Throws NON_FINITE naming the first NaN/±Infinity (flat and multi-index). */
export function assertFinite(data: ArrayLike<number>, shape: readonly number[], what: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) {
      const at = shape.length > 1 ? ` (index [${unravelIndex(i, shape).join(", ")}])` : "";
      throw new DlError(
        "NON_FINITE",
        `${what} contains ${String(v)} at flat position ${i}${at}; all values must be finite. Remove or impute non-finite values first.`,
        { details: { index: i, multiIndex: unravelIndex(i, shape) } },
      );
    }
  }
}
