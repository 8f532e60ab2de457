// Lint: typescript-eslint's type-aware recommended rules, plus Pulumi's rule against Outputs in template literals
// (they render as "Calling [toString] on an Output<T>..." instead of the value; use pulumi.interpolate).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import layers from "./eslint.layers.mjs";

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", "dist/", "coverage/", "**/*.js", "**/*.mjs"] },
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
);
