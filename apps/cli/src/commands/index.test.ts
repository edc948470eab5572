import { Command } from "commander";
import { describe, expect, it } from "vitest";

import { CLI_VERSION, buildFullProgram, buildProgram } from "../program.js";
import { commandModules, commandRegistrations, commandSummaries } from "./index.js";

const names = (argv: string[]): Promise<string[]> => buildProgram(argv).then((program) => program.commands.map((c) => c.name()));

describe("lazy command registration", () => {
  it("registers only the command that argv names", async () => {
    expect(await names(["node", "dl", "bayes", "sample", "--json"])).toEqual(["bayes"]);
    expect(await names(["node", "dl", "embed", "--help"])).toEqual(["embed"]);
  });

  it("lists every command, once each and in help order, for help, no command or an unknown name", async () => {
    const all = Object.keys(commandModules);
    expect(Object.keys(commandSummaries)).toEqual(all);
    expect(await names(["node", "dl", "--help"])).toEqual(all);
    expect(await names(["node", "dl", "--version"])).toEqual(all);
    expect(await names(["node", "dl"])).toEqual(all);
    expect(await names(["node", "dl", "gam"])).toEqual(all);
  }, 60_000);

  it("`dl --help` from the help lines alone is the help of the modules themselves, line for line", async () => {
    const help = (program: Command): string => program.helpInformation({ error: false });
    // The full program: every module registered, as `dl help NAME` and a typo build it.
    const full = await buildFullProgram();
    expect(help(await buildProgram(["node", "dl", "gam"]))).toBe(help(full));
    const light = await buildProgram(["node", "dl", "--help"]);
    expect(help(light)).toBe(help(full));
    for (const command of full.commands) {
      expect(full.createHelp().subcommandTerm(command), command.name()).toBe(commandSummaries[command.name()]?.term);
      expect(command.description(), command.name()).toBe(commandSummaries[command.name()]?.description);
    }
  }, 60_000);

  it("`dl --version` and `dl --help` load no command module", async () => {
    for (const argv of [["node", "dl", "--version"], ["node", "dl", "-h"], ["node", "dl"]]) {
      const registrations = await commandRegistrations(argv);
      const program = new Command("dl");
      for (const register of registrations) register(program);
      // Help lines only: no command has an option, argument, subcommand or action of its own.
      expect(program.commands.every((c) => c.options.length === 0 && c.registeredArguments.length === 0 && c.commands.length === 0)).toBe(true);
    }
    expect(CLI_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});
