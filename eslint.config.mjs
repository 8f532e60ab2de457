// Lint: typescript-eslint's type-aware recommended rules, plus Pulumi's rule against Outputs in template literals
// (they render as "Calling [toString] on an Output<T>..." instead of the value; use pulumi.interpolate).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import layers from "./eslint.layers.mjs";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "bin/",
      "dist/",
      "client/dist/",
      "tmp/",
      ".gamedb/",
      "coverage/",
      "**/*.js",
      "!infra/mysql/adminapi/*.js",
      "**/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { pulumi },
    rules: {
      "pulumi/no-output-in-template-literal": "error",
      "pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  ...layers,
  // The MySQL Shell scripts (infra/mysql/adminapi/*.js, run by mysqlsh --js): plain scripts, not modules, with Shell's
  // globals. index.ts concatenates the helpers in front of each script, so a helper is a global used in other files:
  // names across files are checked by tsc (npx tsc -p infra/mysql/adminapi), not by no-undef, and an unused
  // top-level function is not an error.
  {
    files: ["infra/mysql/adminapi/*.js"],
    languageOptions: {
      ecmaVersion: 2017,
      sourceType: "script",
      globals: {
        dba: "readonly",
        shell: "readonly",
        session: "readonly",
        os: "readonly",
        sys: "readonly",
        println: "readonly",
        print: "readonly",
      },
    },
    rules: {
      "no-undef": "off",
      "no-unused-vars": "off",
      "@typescript-eslint/no-unused-vars": ["error", { vars: "local", caughtErrors: "none" }],
    },
  },
);
