import type { UserConfig } from "vitest/config";

export declare function packageTestConfig(opts: { name: string; timeoutMs?: number; setupFiles?: string[] }): UserConfig;
