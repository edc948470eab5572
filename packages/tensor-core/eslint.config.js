import { baseConfig } from "@dl/eslint-config/base";

// assembly/ is AssemblyScript (WebAssembly types like f32x4), compiled by scripts/buildWasm.ts, not TypeScript.
export default [{ ignores: ["assembly/**"] }, ...baseConfig];
