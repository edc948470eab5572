import { describe, expect, it } from "vitest";

import { buildProgram } from "../program.js";
import { commandModules } from "./index.js";

const names = (argv: string[]): Promise<string[]> => buildProgram(argv).then((program) => program.commands.map((c) => c.name()));

describe("lazy command registration", () => {
  it("registers only the command that argv names", async () => {
    expect(await names(["node", "dl", "bayes", "sample", "--json"])).toEqual(["bayes"]);
    expect(await names(["node", "dl", "embed", "--help"])).toEqual(["embed"]);
  });

  it("registers every command, once each and in help order, for help or an unknown name", async () => {
    const all = Object.keys(commandModules);
    expect(await names(["node", "dl", "--help"])).toEqual(all);
    expect(await names(["node", "dl", "gam"])).toEqual(all);
    expect(await names(["node", "dl"])).toEqual(all);
  }, 60_000);
});
