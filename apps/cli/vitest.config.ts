import { packageTestConfig } from "@dl/vitest-config";

export default packageTestConfig({ name: "@dl/cli" });
