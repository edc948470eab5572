import type { Command } from "commander";

import { registerBayesCommands } from "./bayes.js";
import { registerDoctorCommand } from "./doctor.js";
import { registerGanCommands } from "./gan.js";
import { registerMetaCommands } from "./meta.js";
import { registerTcavCommand } from "./tcav.js";
import { registerTourCommand } from "./tour.js";
import { registerTrainCommand } from "./train.js";
import { registerTsneCommands } from "./tsne.js";

/** Every command of `dl`; each topic adds one register function here. */
export const commandRegistrations: readonly ((program: Command) => void)[] = [registerDoctorCommand, registerTrainCommand, registerTourCommand, registerMetaCommands, registerGanCommands, registerTsneCommands, registerBayesCommands, registerTcavCommand];
