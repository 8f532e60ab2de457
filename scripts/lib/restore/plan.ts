/**
 * The restore plan for one shard, from the bucket's listing: which full dump to load, and which binlog files (from
 * one or several members' folders) replay the shard from the dump's gtid_executed up to the target. Pure: no I/O.
 */
import {
  type GtidSet,
  EMPTY,
  count,
  formatGtidSet,
  intersect,
  isEmpty,
  isSubset,
  parseGtidSet,
  subtract,
  union,
} from "../../../infra/contracts/gtid";
import type { BinlogSidecar, DumpManifest } from "../../../infra/contracts/backupLayout";

/** One `full/shard<N>/<ts>/` folder. */
export interface DumpEntry {
  prefix: string;
  ts: string;
  /** `@.done.json` is there: MySQL Shell finished the dump. */
  done: boolean;
  manifest?: DumpManifest;
  /** Why the manifest is unusable (unreadable, invalid, another shard). */
  problem?: string;
}

/** A binlog file that has a valid sidecar. */
export interface BinlogEntry {
  key: string;
  sidecar: BinlogSidecar;
}

export interface BackupListing {
  shard: number;
  dumps: DumpEntry[];
  binlogs: BinlogEntry[];
  /** What the listing skipped (files without sidecar, bad sidecars). */
  notes: string[];
}

export type RestoreTarget = { kind: "time"; at: Date } | { kind: "gtid"; set: GtidSet };

export interface PlannedBinlog {
  key: string;
  serverUuid: string;
  file: string;
  /** Where the printed commands download it (member folder + file: two members may both have binlog.000042). */
  local: string;
  firstEventAt: string;
  lastEventAt: string;
  gtids: string;
  sha256: string;
  bytes: number;
}

export interface RestorePlan {
  shard: number;
  target: { time: string } | { gtid: string };
  dump: {
    prefix: string;
    finishedAt: string;
    gtidExecuted: string;
    source: { address: string; serverUuid: string };
    tool: string;
  };
  /** Transactions to replay from binlogs (up to the target, minus the dump's). */
  needed: string;
  binlogs: PlannedBinlog[];
  /** mysqlbinlog --stop-datetime, UTC `YYYY-MM-DD HH:MM:SS` (time targets whose last file goes past the target). */
  stopDatetime?: string;
  /** mysqlbinlog --include-gtids (GTID targets). */
  includeGtids?: string;
  notes: string[];
}

export class PlanError extends Error {}

/** ISO instant to the second, UTC. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const ms = (iso: string): number => Date.parse(iso);

interface File {
  entry: BinlogEntry;
  prev: GtidSet;
  gtids: GtidSet;
  first: number;
  last: number;
}

interface CompleteDump {
  entry: DumpEntry;
  manifest: DumpManifest;
  gtidExecuted: GtidSet;
  finished: number;
}

function completeDumps(listing: BackupListing, notes: string[]): CompleteDump[] {
  const out: CompleteDump[] = [];
  for (const entry of [...listing.dumps].sort((a, b) => a.ts.localeCompare(b.ts))) {
    const missing = [entry.done ? undefined : "@.done.json", entry.manifest || entry.problem ? undefined : "manifest"];
    const why = entry.problem ?? missing.filter((m) => m !== undefined).join(" and ");
    if (!entry.manifest || !entry.done || entry.problem) {
      notes.push(`skipped dump ${entry.prefix}: incomplete (${entry.problem ? why : `no ${why}`})`);
      continue;
    }
    out.push({
      entry,
      manifest: entry.manifest,
      gtidExecuted: parseGtidSet(entry.manifest.gtidExecuted),
      finished: ms(entry.manifest.finishedAt),
    });
  }
  return out.sort((a, b) => a.finished - b.finished);
}

function pickDump(shard: number, dumps: CompleteDump[], target: RestoreTarget, targetText: string): CompleteDump {
  const oldest = dumps[0];
  if (!oldest) throw new PlanError(`no complete full dump of shard ${shard} in the bucket`);
  const fits =
    target.kind === "time"
      ? dumps.filter((d) => d.finished <= target.at.getTime())
      : dumps.filter((d) => isSubset(d.gtidExecuted, target.set));
  const newest = fits[fits.length - 1];
  if (newest) return newest;
  if (target.kind === "time") {
    throw new PlanError(
      `no full dump of shard ${shard} finished before ${targetText}; the oldest finished at ${oldest.manifest.finishedAt}`,
    );
  }
  throw new PlanError(
    `no full dump of shard ${shard} has a gtid_executed within ${targetText}; ` +
      `the oldest (finished at ${oldest.manifest.finishedAt}) has ${oldest.manifest.gtidExecuted}`,
  );
}

/** Among `files`, those that replay in order: everything needed before a file is already applied. */
function replayable(file: File, needed: GtidSet, applied: GtidSet): boolean {
  return isSubset(intersect(file.prev, needed), applied);
}

/**
 * Greedy chain: repeatedly take the replayable file that adds the most needed transactions (ties: same member as the
 * last pick, then earliest), then drop any file the others make redundant.
 */
function chooseFiles(files: File[], needed: GtidSet): File[] | GtidSet {
  const chosen: File[] = [];
  let applied: GtidSet = EMPTY;
  for (;;) {
    const remaining = subtract(needed, applied);
    if (isEmpty(remaining)) break;
    const lastUuid = chosen[chosen.length - 1]?.entry.sidecar.serverUuid;
    let best: { file: File; gain: number } | undefined;
    for (const file of files) {
      if (chosen.includes(file) || !replayable(file, needed, applied)) continue;
      const gain = count(intersect(file.gtids, remaining));
      if (gain === 0) continue;
      if (!best || better(file, gain, best, lastUuid)) best = { file, gain };
    }
    if (!best) return remaining;
    chosen.push(best.file);
    applied = union(applied, best.file.gtids);
  }
  for (let i = 0; i < chosen.length;) {
    const without = chosen.filter((_, j) => j !== i);
    if (validChain(without, needed)) chosen.splice(i, 1);
    else i += 1;
  }
  return chosen;
}

function better(file: File, gain: number, best: { file: File; gain: number }, lastUuid?: string): boolean {
  if (gain !== best.gain) return gain > best.gain;
  const same = (f: File): boolean => f.entry.sidecar.serverUuid === lastUuid;
  if (same(file) !== same(best.file)) return same(file);
  if (file.first !== best.file.first) return file.first < best.file.first;
  return file.entry.key < best.file.entry.key;
}

function validChain(chain: File[], needed: GtidSet): boolean {
  let applied: GtidSet = EMPTY;
  for (const file of chain) {
    if (!replayable(file, needed, applied)) return false;
    applied = union(applied, file.gtids);
  }
  return isSubset(needed, applied);
}

function holeError(shard: number, hole: GtidSet, files: File[], dump: CompleteDump, targetText: string): PlanError {
  const before = files.filter((f) => isEmpty(intersect(hole, union(f.prev, f.gtids))));
  const after = files.filter((f) => !isEmpty(intersect(hole, f.prev)));
  const t1 =
    before.length > 0 ? isoSeconds(new Date(Math.max(...before.map((f) => f.last)))) : dump.manifest.finishedAt;
  const t2 = after.length > 0 ? isoSeconds(new Date(Math.min(...after.map((f) => f.first)))) : targetText;
  return new PlanError(
    `binlogs of shard ${shard} do not cover ${formatGtidSet(hole)} (between ${t1} and ${t2}); ` +
      `the files holding these transactions are missing from every member's folder: ` +
      `restore to ${t1} at the latest, or put the missing files back`,
  );
}

export function planRestore(listing: BackupListing, target: RestoreTarget): RestorePlan {
  const { shard } = listing;
  const notes = [...listing.notes];
  const targetText = target.kind === "time" ? isoSeconds(target.at) : formatGtidSet(target.set);
  const dump = pickDump(shard, completeDumps(listing, notes), target, targetText);

  const all: File[] = listing.binlogs.map((entry) => ({
    entry,
    prev: parseGtidSet(entry.sidecar.previousGtids),
    gtids: parseGtidSet(entry.sidecar.gtids),
    first: ms(entry.sidecar.firstEventAt),
    last: ms(entry.sidecar.lastEventAt),
  }));
  // Files with any event at or before the target (one straddling it is cut by --stop-datetime).
  const files = target.kind === "time" ? all.filter((f) => f.first <= target.at.getTime()) : all;
  const upTo =
    target.kind === "time"
      ? union(...files.map((f) => union(f.prev, f.gtids))) // previous_gtids reveals files missing in between
      : target.set;
  const needed = subtract(upTo, dump.gtidExecuted);

  const hole = subtract(needed, union(...files.map((f) => f.gtids)));
  if (!isEmpty(hole)) throw holeError(shard, hole, files, dump, targetText);
  const chosen = chooseFiles(files, needed);
  if (!Array.isArray(chosen)) throw holeError(shard, chosen, files, dump, targetText);

  if (chosen.length === 0) notes.push(`the dump already holds every transaction up to the target: no binlog to replay`);
  const newest = Math.max(...all.map((f) => f.last));
  if (target.kind === "time" && (all.length === 0 || newest < target.at.getTime())) {
    const at = all.length === 0 ? "none" : isoSeconds(new Date(newest));
    notes.push(
      `the newest binlog event of shard ${shard} in the bucket is at ${at}, before the target: ` +
        `transactions after it are not in the bucket (upload lag?)`,
    );
  }
  const uuids = new Set(chosen.map((f) => f.entry.sidecar.serverUuid));
  if (uuids.size > 1) notes.push(`binlogs come from ${uuids.size} members (a failover inside the window)`);

  const cut = target.kind === "time" && chosen.some((f) => f.last >= target.at.getTime());
  return {
    shard,
    target: target.kind === "time" ? { time: targetText } : { gtid: targetText },
    dump: {
      prefix: dump.entry.prefix,
      finishedAt: dump.manifest.finishedAt,
      gtidExecuted: formatGtidSet(dump.gtidExecuted),
      source: dump.manifest.source,
      tool: dump.manifest.tool,
    },
    needed: formatGtidSet(needed),
    binlogs: chosen.map(({ entry: { key, sidecar } }) => ({
      key,
      serverUuid: sidecar.serverUuid,
      file: sidecar.file,
      local: `${sidecar.serverUuid}/${sidecar.file}`,
      firstEventAt: sidecar.firstEventAt,
      lastEventAt: sidecar.lastEventAt,
      gtids: formatGtidSet(parseGtidSet(sidecar.gtids)),
      sha256: sidecar.sha256,
      bytes: sidecar.bytes,
    })),
    ...(cut && target.kind === "time" ? { stopDatetime: targetText.replace("T", " ").replace("Z", "") } : {}),
    ...(target.kind === "gtid" && chosen.length > 0 ? { includeGtids: targetText } : {}),
    notes,
  };
}
