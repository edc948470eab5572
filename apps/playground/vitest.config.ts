import { packageTestConfig } from "@dl/vitest-config";

export default packageTestConfig({ name: "@dl/playground", timeoutMs: 300_000 });
