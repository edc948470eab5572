import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { buildFullProgram } from "../program.js";
import { expectOutputsAsReadme, readmeOutputTable } from "./outputs.js";

describe("the README's --out table", () => {
  it("has a row for every command whose --out is a folder", async () => {
    const program = await buildFullProgram();
    const folderCommands: string[] = [];
    const walk = (cmd: typeof program, path: string): void => {
      const out = cmd.options.find((o) => o.long === "--out");
      if (out?.flags.includes("<dir>") === true) folderCommands.push(path);
      for (const sub of cmd.commands) walk(sub, `${path} ${sub.name()}`);
    };
    for (const c of program.commands) walk(c, `dl ${c.name()}`);
    const rows = [...readmeOutputTable().keys()].map((k) => /`([^`]+)`/.exec(k)?.[1]);
    expect(folderCommands.length).toBeGreaterThan(10);
    expect(folderCommands.filter((c) => !rows.includes(c))).toEqual([]);
    expect(rows.filter((r) => r !== undefined && !folderCommands.includes(r))).toEqual([]);
  }, 60_000);

  it("accepts a folder that matches its row and refuses an extra or a missing file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dl-outputs-"));
    try {
      await mkdir(join(dir, "figures"));
      for (const f of ["index.html", "report.json", "figures/a-b.png", "tcav.json"]) await writeFile(join(dir, f), "");
      await expectOutputsAsReadme("`dl tcav`", dir);
      await writeFile(join(dir, "stray.svg"), "");
      await expect(expectOutputsAsReadme("`dl tcav`", dir)).rejects.toThrow(/does not list/);
      await rm(join(dir, "stray.svg"));
      await rm(join(dir, "tcav.json"));
      await expect(expectOutputsAsReadme("`dl tcav`", dir)).rejects.toThrow(/did not write/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
