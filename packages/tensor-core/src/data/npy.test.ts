import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { DlError } from "../errors.js";
import { encodeNpy, parseNpy } from "./npy.js";
import type { NdArray } from "./ndarray.js";
import { readNpy, writeNpy } from "./userFiles.js";

// Fixtures written by numpy 1.24 (Debian python3-numpy) with np.save; see the file names.
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

function dataOffset(bytes: Uint8Array): number {
  return 10 + (bytes[8] as number) + 256 * (bytes[9] as number);
}

/** Hand-assembled version-1 file: preamble + header (padded) + data. */
function assemble(header: string, data: Uint8Array, major = 1): Uint8Array {
  const text = `${header}${" ".repeat((64 - ((header.length + 11) % 64)) % 64)}\n`;
  const pre = major === 1 ? 10 : 12;
  const out = new Uint8Array(pre + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  if (major === 1) new DataView(out.buffer).setUint16(8, text.length, true);
  else new DataView(out.buffer).setUint32(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[pre + i] = text.charCodeAt(i);
  out.set(data, pre + text.length);
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof DlError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return "no error";
}

describe("parseNpy on numpy-written files", () => {
  it("reads float32 C-order values exactly", () => {
    const arr = parseNpy(fixture("f4_2x3.npy"));
    expect(arr.dtype).toBe("float32");
    expect(arr.shape).toEqual([2, 3]);
    expect(arr.data).toBeInstanceOf(Float32Array);
    expect(Array.from(arr.data)).toEqual([0.5, -1.25, 3, Math.fround(1e-3), 2.5e6, -0]);
  });
  it("reads big-endian float64", () => {
    const arr = parseNpy(fixture("f8_be_3.npy"));
    expect(arr.dtype).toBe("float64");
    expect(Array.from(arr.data)).toEqual([1 / 3, -2, 1e300]);
  });
  it("reads uint8 3-d, int64 (as exact doubles), bool, a 0-d int16 and an empty int32 array", () => {
    const u8 = parseNpy(fixture("u1_2x2x2.npy"));
    expect(u8.shape).toEqual([2, 2, 2]);
    expect(Array.from(u8.data)).toEqual([0, 30, 60, 90, 120, 150, 180, 210]);
    const i8 = parseNpy(fixture("i8_4.npy"));
    expect(i8.dtype).toBe("int64");
    expect(Array.from(i8.data)).toEqual([-(2 ** 40), -1, 0, 2 ** 52]);
    const b = parseNpy(fixture("b1_3.npy"));
    expect(b.dtype).toBe("bool");
    expect(Array.from(b.data)).toEqual([1, 0, 1]);
    const scalar = parseNpy(fixture("i2_scalar.npy"));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([-7]);
    const empty = parseNpy(fixture("i4_empty_0x3.npy"));
    expect(empty.shape).toEqual([0, 3]);
    expect(empty.data.length).toBe(0);
  });
  it("rejects Fortran order, object arrays and NaN with clear errors", () => {
    expect(codeOf(() => parseNpy(fixture("fortran_2x3.npy")))).toMatch(/^UNSUPPORTED_FORMAT: .*Fortran.*np\.ascontiguousarray/);
    expect(codeOf(() => parseNpy(fixture("object.npy")))).toMatch(/^UNSUPPORTED_FORMAT: .*object array/);
    expect(codeOf(() => parseNpy(fixture("nan_2x2.npy")))).toMatch(/^NON_FINITE: .*NaN at flat position 2 \(index \[1, 0\]\)/);
    expect(Array.from(parseNpy(fixture("nan_2x2.npy"), { allowNonFinite: true }).data)).toEqual([1, 2, NaN, 4]);
  });
});

describe("encodeNpy", () => {
  it("writes the same data bytes numpy writes and a 64-byte aligned header", () => {
    const numpy = fixture("f4_2x3.npy");
    const ours = encodeNpy(parseNpy(numpy));
    expect(dataOffset(ours) % 64).toBe(0);
    expect(Array.from(ours.subarray(dataOffset(ours)))).toEqual(Array.from(numpy.subarray(dataOffset(numpy))));
    const header = new TextDecoder().decode(ours.subarray(10, dataOffset(ours)));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    const oneD = new TextDecoder().decode(encodeNpy({ data: new Uint8Array(3), shape: [3], dtype: "uint8" }).subarray(10, 80));
    expect(oneD).toContain("'shape': (3,)");
  });
  it("round-trips every dtype", () => {
    const cases: NdArray[] = [
      { data: Float32Array.from([1.5, -2, 3e-8]), shape: [3], dtype: "float32" },
      { data: Float64Array.from([Math.PI, -1e-300, 0, 1, 2, 3]), shape: [2, 3], dtype: "float64" },
      { data: Uint8Array.from([0, 255, 7, 9]), shape: [2, 2], dtype: "uint8" },
      { data: Int8Array.from([-128, 127]), shape: [2], dtype: "int8" },
      { data: Int16Array.from([-32768, 32767]), shape: [2, 1], dtype: "int16" },
      { data: Uint16Array.from([65535, 1]), shape: [2], dtype: "uint16" },
      { data: Int32Array.from([-(2 ** 31), 2 ** 31 - 1]), shape: [1, 2], dtype: "int32" },
      { data: Uint32Array.from([2 ** 32 - 1]), shape: [1], dtype: "uint32" },
      { data: Float64Array.from([-(2 ** 53) + 1, 2 ** 53 - 1]), shape: [2], dtype: "int64" },
      { data: Float64Array.from([2 ** 53 - 1]), shape: [1], dtype: "uint64" },
      { data: Uint8Array.from([1, 0, 0]), shape: [3], dtype: "bool" },
    ];
    for (const arr of cases) {
      const back = parseNpy(encodeNpy(arr));
      expect(back.dtype).toBe(arr.dtype);
      expect(back.shape).toEqual(arr.shape);
      expect(back.data.constructor).toBe(arr.data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(arr.data));
    }
  });
  it("rejects data that does not fill the shape", () => {
    expect(codeOf(() => encodeNpy({ data: new Float32Array(5), shape: [2, 3], dtype: "float32" }))).toMatch(/^SHAPE_MISMATCH: .*5 elements.*needs 6/);
  });
});

describe("parseNpy on malformed input", () => {
  const f4 = new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer);
  it("accepts a hand-assembled version 1 and version 2 file", () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
    expect(Array.from(parseNpy(assemble(header, f4)).data)).toEqual([1, 2, 3, 4]);
    expect(parseNpy(assemble(header, f4, 2)).shape).toEqual([2, 2]);
  });
  it("says what is wrong", () => {
    const good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
    expect(codeOf(() => parseNpy(new Uint8Array([1, 2, 3])))).toMatch(/^MALFORMED_FILE: .*only 3 bytes/);
    expect(codeOf(() => parseNpy(new TextEncoder().encode("PK\u0003\u0004 this is a zip file")))).toMatch(/^MALFORMED_FILE: .*magic string/);
    expect(codeOf(() => parseNpy(assemble(good, f4.subarray(0, 12))))).toMatch(/^MALFORMED_FILE: .*truncated.*needs 16 bytes, found 12/);
    expect(codeOf(() => parseNpy(assemble(good, new Uint8Array(20))))).toMatch(/^MALFORMED_FILE: .*4 unexpected bytes/);
    expect(codeOf(() => parseNpy(assemble("{'descr': '<f4', 'shape': (2, 2), }", f4)))).toMatch(/^MALFORMED_FILE: .*lacks one of the keys/);
    expect(codeOf(() => parseNpy(assemble("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2), }", f4)))).toMatch(/^MALFORMED_FILE: .*negative dimension/);
    expect(codeOf(() => parseNpy(assemble("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", f4)))).toMatch(/^UNSUPPORTED_FORMAT: .*'<c8'/);
    expect(codeOf(() => parseNpy(assemble("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", f4)))).toMatch(/^UNSUPPORTED_FORMAT: .*structured/);
    const cut = assemble(good, f4);
    expect(codeOf(() => parseNpy(cut.subarray(0, 40)))).toMatch(/^MALFORMED_FILE: .*header claims/);
    const badVersion = assemble(good, f4);
    badVersion[6] = 9;
    expect(codeOf(() => parseNpy(badVersion))).toMatch(/^MALFORMED_FILE: .*version 9\.0/);
    const inf = assemble(good, new Uint8Array(Float32Array.from([1, 2, 3, -Infinity]).buffer));
    expect(codeOf(() => parseNpy(inf))).toMatch(/^NON_FINITE: .*-Infinity at flat position 3 \(index \[1, 1\]\)/);
  });
});

describe("readNpy / writeNpy", () => {
  it("round-trips through a file and names the path in errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dl-npy-"));
    try {
      const path = join(dir, "a.npy");
      await writeNpy(path, { data: Float64Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2], dtype: "float64" });
      const back = await readNpy(path);
      expect(back.shape).toEqual([3, 2]);
      expect(Array.from(back.data)).toEqual([1, 2, 3, 4, 5, 6]);
      await expect(readNpy(join(dir, "missing.npy"))).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
      await writeNpy(join(dir, "nan.npy"), { data: Float32Array.from([0, NaN]), shape: [2], dtype: "float32" });
      await expect(readNpy(join(dir, "nan.npy"))).rejects.toThrow(/nan\.npy contains NaN at flat position 1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
