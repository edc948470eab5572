import { appConfig, baseConfig } from "@dl/eslint-config/base";

export default [...baseConfig, ...appConfig];
