import type { Command } from "commander";

import { registerCov } from "./cov.js";
import { registerEncoder } from "./encoder.js";
import { registerModes } from "./modes.js";
import { registerRatio } from "./ratio.js";
import { registerSample } from "./sample.js";
import { registerTrain } from "./train.js";

export function registerGanCommands(program: Command): void {
  const gan = program.command("gan").description("GANs: change of variables, density ratios, (conditional) GAN training and sampling");
  registerCov(gan);
  registerRatio(gan);
  registerTrain(gan);
  registerSample(gan);
  registerEncoder(gan);
  registerModes(gan);
}
