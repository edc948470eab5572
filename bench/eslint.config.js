import { appConfig, baseConfig } from "@dl/eslint-config/base";

// Benchmarks print their tables: an app, not a package.
export default [...baseConfig, ...appConfig];
