/**
 * The shapes of the custom resources a gamedb plan registers: per type token, how many and which properties the SDK
 * object carries. Pulumi makes an Output (some ten promises) for every property a resource class declares, whatever
 * the program sets, so the typed floor of the plan benchmark (scripts/cli/bench/typed.ts) registers resources of
 * these shapes to separate the provider SDKs' per-property cost from gamedb's own.
 */

export interface TypeShape {
  /** Resources of this type in the run. */
  count: number;
  /** Property names the SDK object declares (sorted); the same for every resource of the type. */
  properties: string[];
}

export interface ShapeSummary {
  /** Type token -> shape, types sorted. */
  types: Record<string, TypeShape>;
}

/** What a resource object looks like to the summary: its type token and the object itself. */
export interface ObservedResource {
  type: string;
  resource: object;
}

/**
 * The declared properties of an SDK resource object: its own enumerable keys holding Outputs. urn and id are set by
 * every resource (bare ones too); keys starting with "__" are Pulumi's internal bookkeeping.
 */
export function outputPropertyNames(resource: object, isOutput: (v: unknown) => boolean): string[] {
  return Object.keys(resource)
    .filter((k) => k !== "urn" && k !== "id" && !k.startsWith("__"))
    .filter((k) => isOutput((resource as Record<string, unknown>)[k]))
    .sort();
}

/** Groups resources by type; throws when two resources of one type declare different properties. */
export function summarizeShapes(
  resources: readonly ObservedResource[],
  isOutput: (v: unknown) => boolean,
): ShapeSummary {
  const byType = new Map<string, TypeShape>();
  for (const { type, resource } of resources) {
    const properties = outputPropertyNames(resource, isOutput);
    const shape = byType.get(type);
    if (!shape) {
      byType.set(type, { count: 1, properties });
      continue;
    }
    if (shape.properties.join(",") !== properties.join(",")) {
      throw new Error(
        `resources of type ${type} declare different properties: [${shape.properties.join(", ")}] and [${properties.join(", ")}]`,
      );
    }
    shape.count++;
  }
  const types: Record<string, TypeShape> = {};
  for (const type of [...byType.keys()].sort()) types[type] = byType.get(type)!;
  return { types };
}

/** Resources and declared properties in all, for the report. */
export function shapeTotals(summary: ShapeSummary): { resources: number; properties: number } {
  let resources = 0;
  let properties = 0;
  for (const shape of Object.values(summary.types)) {
    resources += shape.count;
    properties += shape.count * shape.properties.length;
  }
  return { resources, properties };
}

function fail(field: string, expected: string, got: unknown): never {
  throw new Error(`shape summary: ${field} must be ${expected}, got ${JSON.stringify(got)}`);
}

/** Reads a summary written by summarizeShapes (the typed worker's input), naming the first bad field. */
export function parseShapeSummary(doc: unknown): ShapeSummary {
  if (typeof doc !== "object" || doc === null) fail("the document", "an object", doc);
  const types = (doc as { types?: unknown }).types;
  if (typeof types !== "object" || types === null || Array.isArray(types))
    fail("types", "an object of type token -> shape", types);
  const out: Record<string, TypeShape> = {};
  for (const [type, shape] of Object.entries(types as Record<string, unknown>)) {
    const s = shape as { count?: unknown; properties?: unknown } | null;
    if (typeof s !== "object" || s === null) fail(`types[${type}]`, "an object with count and properties", shape);
    if (!Number.isInteger(s.count) || (s.count as number) < 1)
      fail(`types[${type}].count`, "a positive integer", s.count);
    const props = s.properties;
    if (!Array.isArray(props) || props.some((p) => typeof p !== "string" || p === "" || p === "urn" || p === "id"))
      fail(`types[${type}].properties`, 'an array of property names other than "urn" and "id"', props);
    out[type] = { count: s.count as number, properties: [...(props as string[])] };
  }
  return { types: out };
}

/**
 * The inputs a typed-floor resource registers with: every declared property undefined, as an SDK constructor sets
 * the ones the program leaves out, except `name` (when the type declares it), which gets the resource's name.
 */
export function typedInputs(properties: readonly string[], name: string): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const p of properties) inputs[p] = p === "name" ? name : undefined;
  return inputs;
}
