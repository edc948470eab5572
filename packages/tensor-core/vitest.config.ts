import { packageTestConfig } from "@dl/vitest-config";

// Tests import internal modules, not an entry, so the PNG writer the Node entries install is installed here for every file.
export default packageTestConfig({ name: "@dl/tensor-core", setupFiles: ["./src/report/pngNode.ts"] });
