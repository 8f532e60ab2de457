/** The README's config reference names every key of the schema, so it cannot silently fall behind. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { TOPOLOGY_KEYS, topologySchema } from "../../infra/config/schema";

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
  it.each(TOPOLOGY_KEYS)("documents gamedb:%s", (key) => {
    expect(reference).toContain(`### \`gamedb:${key}\``);
  });
  it("names every nested key", () => {
    const schema = topologySchema("dev");
    const missing: string[] = [];
    for (const key of TOPOLOGY_KEYS) {
      for (const path of keysOf(schema.shape[key], "")) {
        const leaf = path.split(".").pop()!;
        if (!reference.includes(`\`${leaf}\``) && !reference.includes(`\`${path}\``)) missing.push(`${key}.${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
