import type { Command } from "commander";

import { registerDoctorCommand } from "./doctor.js";

/** Every command of `dl`; each topic adds one register function here. */
export const commandRegistrations: readonly ((program: Command) => void)[] = [registerDoctorCommand];
