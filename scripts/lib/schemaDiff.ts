/**
 * What the head's migration Job will find on each shard, read from two plans: the base's migrations are taken as
 * applied on every shard the base migrates (what the base leaves once deployed), so the pending ones are the head's
 * versions the base lacks, and a shard the base does not migrate gets them all. Refusals follow the runner's rules
 * (infra/plan/migrations/pending.ts pendingFor): an applied file whose checksum changed, an applied version whose
 * file is gone, and a new version below the newest applied stop a shard before anything runs on it.
 */
import type { MigrationSummary } from "../../infra/plan/gameSchemaPlan";

/** The parts of a SchemaPlan the diff reads. */
export interface SchemaSide {
  migrations: readonly Pick<MigrationSummary, "version" | "name" | "checksum">[];
  jobConfig: { shards: readonly { id: number; state: string }[] };
}

export interface MigrationRef {
  version: number;
  name: string;
}

export type RefusalReason = "checksum-changed" | "removed" | "below-applied";

export interface SchemaRefusal extends MigrationRef {
  reason: RefusalReason;
  /** Shards that applied the base's migrations and that the head migrates: each refuses to run anything. */
  shards: number[];
  /** For below-applied: the newest version the base applied. */
  newest?: number;
}

export interface ShardPending {
  shard: number;
  state: string;
  /** Migrated by the base's Job: the base's migrations are applied there. */
  migratedByBase: boolean;
  /** The head's migrations the shard lacks, in version order. */
  pending: MigrationRef[];
  /** A refusal names the shard: nothing runs on it. */
  refused: boolean;
}

export interface SchemaDiff {
  base: boolean;
  head: boolean;
  /** One per shard the head migrates, in its order. */
  shards: ShardPending[];
  refusals: SchemaRefusal[];
}

const ref = (m: MigrationRef): MigrationRef => ({ version: m.version, name: m.name });

/** The diff; undefined when neither plan has gamedb:schema. */
export function diffSchema(base: SchemaSide | undefined, head: SchemaSide | undefined): SchemaDiff | undefined {
  if (!base && !head) return undefined;
  if (!head) return { base: true, head: false, shards: [], refusals: [] };
  const headMigrations = [...head.migrations].sort((a, b) => a.version - b.version);
  const baseByVersion = new Map((base?.migrations ?? []).map((m) => [m.version, m]));
  const headVersions = new Set(headMigrations.map((m) => m.version));
  const baseShards = new Set((base?.jobConfig.shards ?? []).map((s) => s.id));
  const applied = head.jobConfig.shards.map((s) => s.id).filter((id) => baseShards.has(id));
  const newest = Math.max(-1, ...baseByVersion.keys());

  const refusals: SchemaRefusal[] = [];
  if (applied.length > 0) {
    for (const m of headMigrations) {
      const was = baseByVersion.get(m.version);
      if (was && was.checksum !== m.checksum) refusals.push({ ...ref(m), reason: "checksum-changed", shards: applied });
      if (!was && m.version < newest) refusals.push({ ...ref(m), reason: "below-applied", shards: applied, newest });
    }
    for (const m of [...baseByVersion.values()].sort((a, b) => a.version - b.version)) {
      if (!headVersions.has(m.version)) refusals.push({ ...ref(m), reason: "removed", shards: applied });
    }
  }
  const refusedShards = new Set(refusals.flatMap((r) => r.shards));
  const shards = head.jobConfig.shards.map((s) => {
    const migratedByBase = baseShards.has(s.id);
    return {
      shard: s.id,
      state: s.state,
      migratedByBase,
      pending: headMigrations.filter((m) => !migratedByBase || !baseByVersion.has(m.version)).map(ref),
      refused: refusedShards.has(s.id),
    };
  });
  return { base: base !== undefined, head: true, shards, refusals };
}

/** Whether the diff has anything to tell: pending migrations, refusals, or gamedb:schema removed. */
export function schemaChanged(d: SchemaDiff | undefined): d is SchemaDiff {
  if (!d) return false;
  return !d.head || d.refusals.length > 0 || d.shards.some((s) => s.pending.length > 0);
}

export interface ShardGroup extends Omit<ShardPending, "shard" | "state"> {
  shards: { shard: number; state: string }[];
}

/** Shards with the same pending list, refusal and history in one group, keeping the comment short on big fleets. */
export function groupShards(shards: readonly ShardPending[]): ShardGroup[] {
  const groups = new Map<string, ShardGroup>();
  for (const s of shards) {
    const key = JSON.stringify([s.pending.map((p) => p.version), s.refused, s.migratedByBase]);
    const group = groups.get(key);
    if (group) group.shards.push({ shard: s.shard, state: s.state });
    else {
      const { shard, state, ...rest } = s;
      groups.set(key, { ...rest, shards: [{ shard, state }] });
    }
  }
  return [...groups.values()];
}
