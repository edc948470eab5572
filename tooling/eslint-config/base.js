// Shared flat config: type-aware rules for every package (STYLE.md rule 8).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Type-aware base for all TypeScript in the repo. */
export const baseConfig = tseslint.config(
  { ignores: ["dist/**", ".cache/**", "node_modules/**", "**/*.config.*", "**/*.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true } },
    linterOptions: { reportUnusedDisableDirectives: true },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "separate-type-imports" }],
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/prefer-for-of": "off",
      "@typescript-eslint/non-nullable-type-assertion-style": "off",
      "no-console": "error",
    },
  },
  {
    files: ["**/*.test.ts", "**/*.test-d.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
    },
  },
);

/** Apps may print: the CLI is where output goes. */
export const appConfig = tseslint.config({ rules: { "no-console": "off" } });
