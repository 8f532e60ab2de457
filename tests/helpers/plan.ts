/** Plans of the shipped stack files under the offline plan's mocks, and lookups in a plan, for program tests. */
import { join } from "node:path";
import { evaluate } from "../../scripts/lib/evaluate";
import { readStackConfig } from "../../scripts/lib/stackFile";
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";

/** The plan of `Pulumi.<stack>.yaml` at the repository root. */
export function planOf(stack: string): Promise<PlanDocument> {
  return evaluate(readStackConfig(join(__dirname, "..", "..", `Pulumi.${stack}.yaml`)));
}

/** The one resource of that type and name; throws when there is none. */
export function resourceOf(doc: PlanDocument, type: string, name: string): PlannedResource {
  const r = doc.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no ${type} named ${name}`);
  return r;
}

/** The plan of `Pulumi.<stack>.yaml` with some keys of one section changed (`{redis: {tls: false}}`). */
export function planOfWith(stack: string, sections: Record<string, Record<string, unknown>>): Promise<PlanDocument> {
  const file = readStackConfig(join(__dirname, "..", "..", `Pulumi.${stack}.yaml`));
  const config = { ...file.config };
  for (const [section, keys] of Object.entries(sections)) {
    const key = `gamedb:${section}`;
    config[key] = JSON.stringify({ ...(config[key] === undefined ? {} : JSON.parse(config[key])), ...keys });
  }
  return evaluate({ ...file, config });
}
