import { baseConfig } from "@dl/eslint-config/base";

export default baseConfig;
