/** The README's config reference names every key of the schema, so it cannot silently fall behind. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { CONFIG_KEYS, stackConfigSchema } from "../../infra/config/schema";

const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
const reference = readme.slice(readme.indexOf("## Config reference"), readme.indexOf("## What the network declares"));

function keysOf(schema: z.core.$ZodType, prefix: string): string[] {
  const def = schema._zod.def as {
    type: string;
    innerType?: z.core.$ZodType;
    shape?: Record<string, z.core.$ZodType>;
    options?: z.core.$ZodType[];
    element?: z.core.$ZodType;
  };
  if (def.innerType) return keysOf(def.innerType, prefix);
  if (def.type === "array" && def.element) return keysOf(def.element, prefix);
  if (def.type === "union" && def.options) return def.options.flatMap((o) => keysOf(o, prefix));
  if (def.type !== "object" || !def.shape) return [];
  return Object.entries(def.shape).flatMap(([k, v]) => [`${prefix}${k}`, ...keysOf(v, `${prefix}${k}.`)]);
}

describe("README config reference", () => {
  it.each(CONFIG_KEYS)("documents gamedb:%s", (key) => {
    expect(reference).toContain(`### \`gamedb:${key}\``);
  });
  it("names every nested key", () => {
    const schema = stackConfigSchema("dev");
    const missing: string[] = [];
    for (const key of CONFIG_KEYS) {
      for (const path of keysOf(schema.shape[key], "")) {
        const leaf = path.split(".").pop()!;
        if (!reference.includes(`\`${leaf}\``) && !reference.includes(`\`${path}\``)) missing.push(`${key}.${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("README runbooks and commands", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const schema = stackConfigSchema("prod");
  const known = new Set(CONFIG_KEYS.flatMap((key) => [key, ...keysOf(schema.shape[key], `${key}.`)]));

  it("names only npm scripts the project has", () => {
    const used = [...readme.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(5);
    expect([...new Set(used)].filter((s) => !(s in pkg.scripts))).toEqual([]);
  });

  it("names only config keys the schema has, in its runbooks", () => {
    const runbooks = readme.slice(readme.indexOf("## Runbooks"), readme.indexOf("## Testing"));
    const sections = new Set<string>(CONFIG_KEYS);
    // `section.key` or `section.key.sub` in backticks, where section is a gamedb config namespace key.
    const used = [...runbooks.matchAll(/`([a-z]+(?:\.[A-Za-z]+)+)`/g)]
      .map((m) => m[1]!)
      // A file of the endpoints (`redis.json`) is not a key.
      .filter((k) => sections.has(k.split(".")[0]!) && !k.endsWith(".json"));
    expect(used.length).toBeGreaterThan(5);
    expect([...new Set(used)].filter((k) => !known.has(k))).toEqual([]);
  });
});
