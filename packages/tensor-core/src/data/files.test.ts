import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { safeFileName } from "./fileName.js";
import { writeFilesAtomically } from "./files.js";

const root = await mkdtemp(join(tmpdir(), "dl-files-"));
afterAll(() => rm(root, { recursive: true, force: true }));

describe("names from model content stay inside the output folder", () => {
  it("safeFileName keeps letters, digits, . _ - and nothing that climbs", () => {
    expect(safeFileName("x/../../../../evil")).toBe("x_.._.._.._.._evil");
    expect(safeFileName("block_1_project_BN")).toBe("block_1_project_BN");
    expect(safeFileName("../..")).toBe("_");
    expect(safeFileName("/")).toBe("_");
    expect(safeFileName("a".repeat(300))).toHaveLength(120);
  });

  it("writeFilesAtomically refuses a path that leaves the folder and writes nothing", async () => {
    const out = join(root, "out");
    await expect(writeFilesAtomically(out, [{ path: "ok.txt", contents: "1" }, { path: "../evil.npy", contents: "2" }])).rejects.toThrow(/would land outside/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(root, "evil.npy"))).toBe(false);
    expect(await readdir(root)).toEqual([]);
    await expect(writeFilesAtomically(out, [{ path: "sub/ok.txt", contents: "1" }])).resolves.toHaveLength(1);
  });
});
