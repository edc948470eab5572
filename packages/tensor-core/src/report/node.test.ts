import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { decode } from "fast-png";
import { afterAll, describe, expect, it } from "vitest";

import { DlError } from "../errors.js";
import { pngFigure, type Report } from "./html.js";
import { writeReport } from "./node.js";
import { createImage } from "./raster.js";

const root = await mkdtemp(join(tmpdir(), "dl-report-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const report: Report = {
  title: "r",
  sections: [{ id: "s", title: "S", figures: [pngFigure("g", "grid", createImage(2, 2, "#00ff00"))] }],
};

describe("writeReport", () => {
  it("writes index.html, report.json and the figures into a new folder", async () => {
    const dir = join(root, "a", "report");
    const written = await writeReport(dir, report);
    expect(written.indexPath).toBe(join(dir, "index.html"));
    expect((await readdir(dir)).sort()).toEqual(["figures", "index.html", "report.json"]);
    expect((await readFile(join(dir, "index.html"), "utf8")).includes("<h2>S</h2>")).toBe(true);
    const png = decode(await readFile(join(dir, "figures", "s-g.png")));
    expect([...png.data.subarray(0, 4)]).toEqual([0, 255, 0, 255]);
    expect((await readdir(join(root, "a"))).filter((n) => n.includes("partial"))).toEqual([]);
    expect((await stat(dir)).mode & 0o777).toBe(0o755);
  });

  it("updates an existing folder, keeping files it does not own", async () => {
    const dir = join(root, "b");
    await writeReport(dir, report);
    await writeFile(join(dir, "notes.txt"), "keep");
    await writeReport(dir, { ...report, title: "second" });
    expect(await readFile(join(dir, "notes.txt"), "utf8")).toBe("keep");
    expect(await readFile(join(dir, "index.html"), "utf8")).toContain("<title>second</title>");
  });

  it("fails with IO_ERROR and leaves nothing behind when the target is a file", async () => {
    const file = join(root, "c");
    await writeFile(file, "x");
    await expect(writeReport(file, report)).rejects.toBeInstanceOf(DlError);
    expect((await readdir(root)).filter((n) => n.includes("partial"))).toEqual([]);
    expect(await readFile(file, "utf8")).toBe("x");
  });

  it("writes nothing when rendering fails", async () => {
    const dir = join(root, "d");
    const bad: Report = { title: "r", sections: [{ id: "x", title: "x" }, { id: "x", title: "y" }] };
    await expect(writeReport(dir, bad)).rejects.toThrow(/unique ids/);
    expect((await readdir(root)).some((n) => n.startsWith("d") || n.startsWith(".d"))).toBe(false);
  });
});
