import { defineConfig } from "vitest/config";

// One root config; each package owns its vitest.config.ts (tests beside the code).
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/cli"],
  },
});
