import { DlError, listNames } from "../errors.js";
import { assertFinite, shapeSize } from "./ndarray.js";
import type { NdArray, NdData, NdDtype } from "./ndarray.js";

// Format reference: numpy/lib/format.py (NEP 1): magic, version, little-endian header length,
// a Python dict literal header padded with spaces to a multiple of 64 and ended by "\n", then data.
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

interface DtypeCode {
  dtype: NdDtype;
  kind: string;
  size: number;
}

const CODES: readonly DtypeCode[] = [
  { dtype: "float32", kind: "f", size: 4 },
  { dtype: "float64", kind: "f", size: 8 },
  { dtype: "uint8", kind: "u", size: 1 },
  { dtype: "int8", kind: "i", size: 1 },
  { dtype: "int16", kind: "i", size: 2 },
  { dtype: "uint16", kind: "u", size: 2 },
  { dtype: "int32", kind: "i", size: 4 },
  { dtype: "uint32", kind: "u", size: 4 },
  { dtype: "int64", kind: "i", size: 8 },
  { dtype: "uint64", kind: "u", size: 8 },
  { dtype: "bool", kind: "b", size: 1 },
];

const SUPPORTED_DESCRS = ["<f4", "<f8", "|u1", "|i1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "|b1"];

export interface ParseNpyOptions {
  /** Accept NaN/±Infinity in float data (default false: NON_FINITE names the first one). */
  allowNonFinite?: boolean;
  /** Names the source in error messages (a file path). */
  source?: string;
}

function malformed(source: string, what: string): DlError {
  return new DlError("MALFORMED_FILE", `${source} is not a valid .npy file: ${what}.`);
}

function headerField(header: string, key: string): string | undefined {
  const match = new RegExp(`['"]${key}['"]\\s*:\\s*`).exec(header);
  if (match === null) return undefined;
  const rest = header.slice(match.index + match[0].length);
  if (rest.startsWith("(")) {
    const end = rest.indexOf(")");
    return end < 0 ? undefined : rest.slice(0, end + 1);
  }
  if (rest.startsWith("'") || rest.startsWith('"')) {
    const end = rest.indexOf(rest[0] as string, 1);
    return end < 0 ? undefined : rest.slice(0, end + 1);
  }
  if (rest.startsWith("[") || rest.startsWith("{")) return rest.slice(0, 1);
  const end = rest.search(/[,}]/);
  return (end < 0 ? rest : rest.slice(0, end)).trim();
}

function parseShape(text: string, source: string): number[] {
  const inner = /^\(\s*([^)]*)\)$/.exec(text)?.[1];
  if (inner === undefined) throw malformed(source, `the shape ${text} is not a tuple`);
  const parts = inner.split(",").map((p) => p.trim()).filter((p) => p !== "");
  return parts.map((p) => {
    // numpy writes e.g. "3" or, from some writers, "3L".
    const n = Number(p.replace(/L$/, ""));
    if (!Number.isSafeInteger(n) || n < 0) throw malformed(source, `the shape ${text} has a non-integer or negative dimension "${p}"`);
    return n;
  });
}

function parseDescr(text: string, source: string): { code: DtypeCode; littleEndian: boolean } {
  if (text === "[" || text === "{") {
    throw new DlError("UNSUPPORTED_FORMAT", `${source} holds a structured (record) array; only plain numeric arrays are supported (${listNames(CODES.map((c) => c.dtype))}). Save one field at a time.`);
  }
  const descr = text.replace(/^['"]|['"]$/g, "");
  const match = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (match === null) throw malformed(source, `the descr ${text} is not a numpy type string`);
  const [, order = "", kind = "", sizeText = ""] = match;
  if (kind === "O") {
    throw new DlError("UNSUPPORTED_FORMAT", `${source} holds a numpy object array (descr '${descr}'), which cannot be read without Python pickle. Convert it to a numeric dtype, e.g. arr.astype(np.float32), and save again.`);
  }
  const size = Number(sizeText);
  const code = CODES.find((c) => c.kind === kind && c.size === size);
  if (code === undefined) {
    throw new DlError("UNSUPPORTED_FORMAT", `${source} has element type '${descr}', which is not supported. Supported: ${listNames(SUPPORTED_DESCRS)} (big-endian variants too).`);
  }
  return { code, littleEndian: order !== ">" };
}

function readElements(view: DataView, offset: number, count: number, code: DtypeCode, littleEndian: boolean, source: string): NdData {
  switch (code.dtype) {
    case "float32": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, littleEndian);
      return out;
    }
    case "float64": {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, littleEndian);
      return out;
    }
    case "uint8":
    case "bool": {
      const out = new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
      if (code.dtype === "bool") for (let i = 0; i < count; i++) if ((out[i] as number) > 1) throw malformed(source, `bool element ${i} has byte value ${out[i]}`);
      return out;
    }
    case "int8":
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case "int16": {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, littleEndian);
      return out;
    }
    case "uint16": {
      const out = new Uint16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint16(offset + 2 * i, littleEndian);
      return out;
    }
    case "int32": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, littleEndian);
      return out;
    }
    case "uint32": {
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint32(offset + 4 * i, littleEndian);
      return out;
    }
    case "int64":
    case "uint64": {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const big = code.dtype === "int64" ? view.getBigInt64(offset + 8 * i, littleEndian) : view.getBigUint64(offset + 8 * i, littleEndian);
        const value = Number(big);
        if (!Number.isSafeInteger(value)) {
          throw new DlError("UNSUPPORTED_FORMAT", `${source}: ${code.dtype} element ${i} is ${big.toString()}, beyond ±2^53 where JavaScript numbers stay exact. Save as float64 if precision loss is acceptable.`);
        }
        out[i] = value;
      }
      return out;
    }
  }
}

/** Decodes a `.npy` file (format versions 1–3, C order, numeric or bool dtypes). */
export function parseNpy(bytes: Uint8Array, options: ParseNpyOptions = {}): NdArray {
  const source = options.source ?? "the input";
  if (bytes.length < 10) throw malformed(source, `it is only ${bytes.length} bytes long, shorter than the 10-byte preamble`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw malformed(source, 'it does not start with the magic string "\\x93NUMPY"');
  }
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw malformed(source, "the version 2 preamble is truncated");
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    throw malformed(source, `format version ${major}.${bytes[7]} is unknown (expected 1.0, 2.0 or 3.0)`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw malformed(source, `the header claims ${headerLength} bytes but the file ends after ${bytes.length - headerStart}`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(headerStart, dataStart)).trim();
  if (!header.startsWith("{") || !header.endsWith("}")) throw malformed(source, `the header "${header.slice(0, 80)}" is not a dict literal`);

  const descrText = headerField(header, "descr");
  const fortranText = headerField(header, "fortran_order");
  const shapeText = headerField(header, "shape");
  if (descrText === undefined || fortranText === undefined || shapeText === undefined) {
    throw malformed(source, `the header "${header}" lacks one of the keys 'descr', 'fortran_order', 'shape'`);
  }
  const { code, littleEndian } = parseDescr(descrText, source);
  if (fortranText === "True") {
    throw new DlError("UNSUPPORTED_FORMAT", `${source} is stored in Fortran (column-major) order; only C order is supported. Save np.ascontiguousarray(arr) instead.`);
  }
  if (fortranText !== "False") throw malformed(source, `fortran_order is "${fortranText}" (expected True or False)`);
  const shape = parseShape(shapeText, source);
  const count = shapeSize(shape);
  const expectedBytes = count * code.size;
  const available = bytes.length - dataStart;
  if (available < expectedBytes) {
    throw malformed(source, `the data is truncated: shape (${shape.join(", ")}) of ${code.dtype} needs ${expectedBytes} bytes, found ${available}`);
  }
  if (available > expectedBytes) {
    throw malformed(source, `${available - expectedBytes} unexpected bytes follow the ${expectedBytes} data bytes of shape (${shape.join(", ")}) ${code.dtype}`);
  }
  const data = readElements(view, dataStart, count, code, littleEndian, source);
  if (options.allowNonFinite !== true && (code.dtype === "float32" || code.dtype === "float64")) assertFinite(data, shape, source);
  return { data, shape, dtype: code.dtype };
}

function descrOf(dtype: NdDtype): string {
  const code = CODES.find((c) => c.dtype === dtype);
  if (code === undefined) throw new DlError("UNSUPPORTED_FORMAT", `Cannot encode dtype "${String(dtype)}"; supported: ${listNames(CODES.map((c) => c.dtype))}.`);
  return `${code.size === 1 ? "|" : "<"}${code.kind}${code.size}`;
}

/** Encodes a C-order array as a version 1.0 `.npy` file (header padded to 64 bytes, as numpy does). */
export function encodeNpy(arr: NdArray): Uint8Array {
  const count = shapeSize(arr.shape);
  if (arr.data.length !== count) {
    throw new DlError("SHAPE_MISMATCH", `The array has ${arr.data.length} elements but shape (${arr.shape.join(", ")}) needs ${count}.`);
  }
  const descr = descrOf(arr.dtype);
  const shapeText = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  if (header.length > 65535) throw new DlError("INVALID_ARGUMENT", `The shape (${arr.shape.join(", ")}) makes a header too long for .npy version 1.0.`);
  const code = CODES.find((c) => c.dtype === arr.dtype) as DtypeCode;
  const out = new Uint8Array(10 + header.length + count * code.size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const offset = 10 + header.length;
  const data = arr.data;
  for (let i = 0; i < count; i++) {
    const v = data[i] as number;
    const at = offset + i * code.size;
    switch (arr.dtype) {
      case "float32":
        view.setFloat32(at, v, true);
        break;
      case "float64":
        view.setFloat64(at, v, true);
        break;
      case "uint8":
        view.setUint8(at, v);
        break;
      case "bool":
        view.setUint8(at, v === 0 ? 0 : 1);
        break;
      case "int8":
        view.setInt8(at, v);
        break;
      case "int16":
        view.setInt16(at, v, true);
        break;
      case "uint16":
        view.setUint16(at, v, true);
        break;
      case "int32":
        view.setInt32(at, v, true);
        break;
      case "uint32":
        view.setUint32(at, v, true);
        break;
      case "int64":
        view.setBigInt64(at, BigInt(Math.trunc(v)), true);
        break;
      case "uint64":
        view.setBigUint64(at, BigInt(Math.trunc(v)), true);
        break;
    }
  }
  return out;
}
