/**
 * The arithmetic of the state-size benchmark (scripts/cli/bench/state-size.ts): how many bytes of recorded inputs
 * one more shard adds, and an estimate of the Pulumi state a fleet of some size would have. Pure: plan documents
 * in, figures out.
 *
 * Sizes are UTF-8 bytes of compact JSON (JSON.stringify), the way the plan records each resource's inputs.
 */
import type { PlanDocument } from "../planDocument";
import { SECRET_PLACEHOLDER } from "../stackFile";

/**
 * The estimate of a secret in the state. The engine stores a secret as an envelope,
 * {"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270","ciphertext":"..."}, whose ciphertext
 * is about base64 of the JSON-encoded plaintext; the signature key, the field names and the cipher's nonce and tag
 * come to about ENVELOPE_BYTES more.
 */
export const ENVELOPE_BYTES = 80;
/**
 * The plan shows secrets as "[secret]" only (scripts/lib/stackFile.ts SECRET_PLACEHOLDER), so the plaintext's
 * size is a constant per kind: a `connection` input holds an ED25519 SSH connection, host, port, user and an
 * OpenSSH private key of about 420 JSON-escaped bytes: about 600 bytes of JSON.
 */
export const CONNECTION_PLAINTEXT_BYTES = 600;
/** Any other secret counts as a 40-character password: 42 bytes of JSON with its quotes. Larger secrets (a
 * stdin document, a Kubernetes Secret's stringData) make this a low estimate. */
export const PASSWORD_PLAINTEXT_BYTES = 42;

/** What the plan writes in place of a secret: 10 bytes of JSON with its quotes. */
const PLACEHOLDER_BYTES = jsonBytes(SECRET_PLACEHOLDER);

/** One kilobyte in the report: 1000 bytes. */
export const KB = 1000;
/** Issue 17's target: one more 3-node shard adds at most this much recorded inputs. */
export const SHARD_GROWTH_TARGET_BYTES = 40 * KB;

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
}

/** Bytes of a secret envelope whose plaintext is `plaintextBytes` of JSON. */
export function ciphertextBytes(plaintextBytes: number): number {
  return 4 * Math.ceil(plaintextBytes / 3) + ENVELOPE_BYTES;
}

/**
 * The estimated state bytes of one secret found at `path` in a resource's inputs: any secret under a top-level
 * `connection` input is an SSH connection, any other a 40-character password.
 */
export function secretStateBytes(path: readonly string[]): number {
  return ciphertextBytes(path[0] === "connection" ? CONNECTION_PLAINTEXT_BYTES : PASSWORD_PLAINTEXT_BYTES);
}

/** The paths of the "[secret]" placeholders in a recorded value. */
export function secretPaths(value: unknown, path: string[] = []): string[][] {
  if (value === SECRET_PLACEHOLDER) return [path];
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => secretPaths(v, [...path, k]));
}

/** What the benchmark keeps of each planned resource (the plan document itself can then be freed). */
export interface ResourceSize {
  type: string;
  name: string;
  custom: boolean;
  /** Bytes of its recorded inputs. */
  inputBytes: number;
  /** Where its secrets are in its inputs. */
  secrets: string[][];
}

export function resourceSizes(doc: PlanDocument): ResourceSize[] {
  return doc.resources.map((r) => ({
    type: r.type,
    name: r.name,
    custom: r.custom,
    inputBytes: jsonBytes(r.inputs),
    secrets: secretPaths(r.inputs),
  }));
}

/**
 * One resource's estimated share of the state: the engine stores a custom resource's inputs and again its outputs;
 * the outputs are estimated as the inputs (the mocks return the inputs as the state), with each secret as its
 * envelope. Components count nothing here, nor does what every resource has besides (URN, type, dependencies).
 */
export function resourceStateBytes(r: ResourceSize): number {
  if (!r.custom) return 0;
  const secrets = r.secrets.reduce((sum, p) => sum + secretStateBytes(p) - PLACEHOLDER_BYTES, 0);
  return 2 * (r.inputBytes + secrets);
}

export interface StateEstimate {
  shards: number;
  resources: number;
  customResources: number;
  secrets: number;
  /** Recorded inputs of every resource. */
  inputBytes: number;
  /** Estimated state (resourceStateBytes summed). */
  stateBytes: number;
}

export function stateEstimate(shards: number, sizes: readonly ResourceSize[]): StateEstimate {
  const sum = (f: (r: ResourceSize) => number) => sizes.reduce((s, r) => s + f(r), 0);
  return {
    shards,
    resources: sizes.length,
    customResources: sizes.filter((r) => r.custom).length,
    secrets: sum((r) => r.secrets.length),
    inputBytes: sum((r) => r.inputBytes),
    stateBytes: sum(resourceStateBytes),
  };
}

/**
 * "shard12-node0-member" -> "shardN-nodeN-member": the same resource of every shard and node. A content hash in a
 * name (8 or more hex digits, as in "gamedb-migrate-dedbb41338") becomes HASH, so a renamed Job stays one row.
 */
export function namePattern(name: string): string {
  return name.replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/g, "HASH").replace(/\d+/g, "N");
}

export interface GrowthRow {
  type: string;
  pattern: string;
  /** Resources only in the larger plan. */
  added: number;
  /** Resources in both whose inputs changed size (e.g. a shared ConfigMap listing the shards). */
  grown: number;
  /** Resources only in the smaller plan. */
  removed: number;
  /** Recorded input bytes the larger plan has more (negative: fewer). */
  bytes: number;
}

export interface Growth {
  /** Bytes of recorded inputs the larger plan has more, over every resource. */
  bytes: number;
  /** By type and name pattern, most bytes first. */
  rows: GrowthRow[];
}

/** What the larger plan adds to the smaller's recorded inputs: new resources and growth of existing ones. */
export function growth(smaller: readonly ResourceSize[], larger: readonly ResourceSize[]): Growth {
  const key = (r: ResourceSize) => `${r.type}::${r.name}`;
  const before = new Map(smaller.map((r) => [key(r), r]));
  const after = new Map(larger.map((r) => [key(r), r]));
  const rows = new Map<string, GrowthRow>();
  const row = (r: ResourceSize) => {
    const k = `${r.type}::${namePattern(r.name)}`;
    let g = rows.get(k);
    if (!g) rows.set(k, (g = { type: r.type, pattern: namePattern(r.name), added: 0, grown: 0, removed: 0, bytes: 0 }));
    return g;
  };
  for (const r of larger) {
    const old = before.get(key(r));
    if (!old) {
      const g = row(r);
      g.added++;
      g.bytes += r.inputBytes;
    } else if (old.inputBytes !== r.inputBytes) {
      const g = row(r);
      g.grown++;
      g.bytes += r.inputBytes - old.inputBytes;
    }
  }
  for (const r of smaller) {
    if (after.has(key(r))) continue;
    const g = row(r);
    g.removed++;
    g.bytes -= r.inputBytes;
  }
  const sorted = [...rows.values()].sort(
    (a, b) => b.bytes - a.bytes || a.type.localeCompare(b.type) || a.pattern.localeCompare(b.pattern),
  );
  return { bytes: sorted.reduce((s, g) => s + g.bytes, 0), rows: sorted };
}

/** One measured size: the plan at `shards` and what one more shard adds to it. */
export interface StatePoint {
  state: StateEstimate;
  next: StateEstimate;
  growth: Growth;
}

export function statePoint(shards: number, at: readonly ResourceSize[], next: readonly ResourceSize[]): StatePoint {
  return { state: stateEstimate(shards, at), next: stateEstimate(shards + 1, next), growth: growth(at, next) };
}
