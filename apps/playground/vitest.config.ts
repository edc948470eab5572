import { defineConfig, mergeConfig } from "vitest/config";

import { packageTestConfig } from "@dl/vitest-config";

// One Chromium at a time: the pages train models, and two cores are shared with the rest of CI.
export default mergeConfig(packageTestConfig({ name: "@dl/playground", timeoutMs: 300_000 }), defineConfig({ test: { fileParallelism: false } }));
