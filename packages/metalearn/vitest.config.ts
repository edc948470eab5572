import { packageTestConfig } from "@dl/vitest-config";

// Tests import internal modules, not an entry, so the library loader the Node entry installs is installed here for every file.
export default packageTestConfig({ name: "@dl/metalearn", setupFiles: ["./src/platform/libraries.node.ts"] });
