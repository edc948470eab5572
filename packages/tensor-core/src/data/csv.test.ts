import { describe, expect, it } from "vitest";

import { parseCsv } from "./csv.js";

describe("parseCsv", () => {
  it("reads a numeric matrix with a detected header", () => {
    const t = parseCsv("a,b,c\n1,2,3\n-4.5,1e3, 6\n");
    expect(t.columns).toEqual(["a", "b", "c"]);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, -4.5, 1000, 6]);
  });
  it("reads without a header, quoted fields, CRLF and other delimiters", () => {
    const t = parseCsv('1;"2.5"\r\n3;4\r\n');
    expect(t.columns).toBeUndefined();
    expect(Array.from(t.data)).toEqual([1, 2.5, 3, 4]);
    expect(parseCsv("1\t2\n3\t4", { delimiter: "\t" }).shape).toEqual([2, 2]);
    expect(parseCsv("1,2\n3,4", { header: true }).columns).toEqual(["1", "2"]);
  });
  it("rejects ragged rows, text cells, missing values and NaN, naming the place", () => {
    expect(() => parseCsv("1,2\n3\n", { source: "x.csv" })).toThrow(/x\.csv: row 2 has 1 fields but the first row has 2/);
    expect(() => parseCsv("x,y\n1,2\n3,abc\n")).toThrow(/row 3, column 2 holds "abc"/);
    expect(() => parseCsv("1,2\n3,\n")).toThrow(/row 2, column 2 is empty/);
    expect(() => parseCsv("1,2\n3,NaN\n")).toThrow(/NaN at flat position 3 \(index \[1, 1\]\)/);
    expect(() => parseCsv("1,inf\n")).toThrow(/Infinity at flat position 1/);
    expect(() => parseCsv("\n\n")).toThrow(/no rows/);
  });
});
