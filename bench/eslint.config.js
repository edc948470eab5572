import { appConfig, baseConfig } from "@dl/eslint-config/base";

// Benchmarks print their tables: an app, not a package. assembly/ is AssemblyScript (WebAssembly types like
// f32x4), compiled by src/gemmVariants.ts, not TypeScript.
export default [{ ignores: ["assembly/**"] }, ...baseConfig, ...appConfig];
