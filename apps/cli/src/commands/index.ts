import type { Command } from "commander";

import { registerDoctorCommand } from "./doctor.js";
import { registerGanCommands } from "./gan.js";
import { registerMetaCommands } from "./meta.js";
import { registerTourCommand } from "./tour.js";
import { registerTrainCommand } from "./train.js";

/** Every command of `dl`; each topic adds one register function here. */
export const commandRegistrations: readonly ((program: Command) => void)[] = [registerDoctorCommand, registerTrainCommand, registerTourCommand, registerMetaCommands, registerGanCommands];
