/**
 * Assets and archives in recorded inputs (a CopyToRemote's source) hold their path, text or URI as promises, which
 * JSON shows as {}. The plan records them as the engine sees them: the marker and the resolved values.
 */
import * as pulumi from "@pulumi/pulumi";

const FIELDS = ["path", "text", "uri", "assets"] as const;

function isAssetOrArchive(value: unknown): boolean {
  return pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value);
}

function holdsAsset(value: unknown): boolean {
  if (!value || typeof value !== "object") return false;
  if (isAssetOrArchive(value)) return true;
  return Object.values(value as Record<string, unknown>).some(holdsAsset);
}

async function resolved(value: unknown): Promise<unknown> {
  if (isAssetOrArchive(value)) {
    const v = value as Record<string, unknown>;
    const marker = pulumi.asset.Archive.isInstance(value) ? "__pulumiArchive" : "__pulumiAsset";
    const out: Record<string, unknown> = { [marker]: true };
    for (const f of FIELDS) if (v[f] !== undefined) out[f] = await resolved(await v[f]);
    return out;
  }
  if (Array.isArray(value)) return Promise.all(value.map(resolved));
  if (value && typeof value === "object" && holdsAsset(value)) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolved(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

/** The inputs with every asset and archive resolved; inputs without any are returned as they are. */
export async function withResolvedAssets(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  return holdsAsset(inputs) ? ((await resolved(inputs)) as Record<string, unknown>) : inputs;
}
