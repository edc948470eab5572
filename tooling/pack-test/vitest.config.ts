import { packageTestConfig } from "@dl/vitest-config";

export default packageTestConfig({ name: "@dl/pack-test", timeoutMs: 600_000 });
