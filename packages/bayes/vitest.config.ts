import { packageTestConfig } from "@dl/vitest-config";

// Tests import internal modules, not an entry, so the library loaders the Node entry installs are installed here for every file.
export default packageTestConfig({ name: "@dl/bayes", setupFiles: ["./src/platform/libraries.node.ts"] });
