// Lints source texts with the layer rules alone (eslint.layers.mjs, typescript-eslint's parser without type
// information, so it takes a second, not the full config's half minute). Run by tests/unit/layers.test.ts as a child
// process: ESLint loads configs with dynamic import, which jest's VM does not allow.
// stdin: [{file, text}]; stdout: [[message, ...], ...] (the no-restricted-imports messages of each).
import { readFileSync } from "node:fs";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import layers from "../../eslint.layers.mjs";

const cases = JSON.parse(readFileSync(0, "utf8"));
const eslint = new ESLint({
  cwd: new URL("../..", import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } }, ...layers],
});
const out = [];
for (const c of cases) {
  const [result] = await eslint.lintText(c.text, { filePath: c.file });
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`${c.file}: ${fatal[0].message}`);
  out.push(result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message));
}
process.stdout.write(JSON.stringify(out));
