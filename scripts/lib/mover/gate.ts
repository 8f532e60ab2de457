/**
 * The gate, run before a slot map is published (the `gate` command, infra/contracts/slotMoves.ts gateSpecSchema): a
 * slot that changes owner without a completed move is refused at deploy, against the ownership the shards' fences
 * hold (issue 16, "Moves as config").
 *
 * (a) Each move whose switch (or reverse) this deploy asks for must have reached it: its state, in the control row on
 *     the target (control.ts), switched/cleaning/cleaned (reversed/cancelling/cancelled), polled up to the timeout.
 * (b) Then every shard's fence must agree with the map: each slot 'owned' on the shard the map gives it to, and
 *     'owned' or 'frozen' on no other. 'frozen' means a switch is under way: wait for it, up to the same timeout.
 * gateProblems is the pure comparison; runGate the I/O around it.
 */
import type { Connection } from "mysql2/promise";
import { SlotRun, slotOwners } from "../../../infra/contracts/slotFence";
import { SLOT_COUNT } from "../../../infra/contracts/slots";
import {
  GateSpec,
  MoveState,
  switchLimitsSchema,
  switchRefusal,
  type MovePhase,
} from "../../../infra/contracts/slotMoves";
import { readControl } from "./control";
import { FenceRow, rangeText, readFenceRows } from "./fenceRows";

type Queryable = Pick<Connection, "query">;

export type FindingKind = "notOwned" | "noRow" | "ownedElsewhere" | "frozen" | "unreadable";

/** Consecutive slots with the same disagreement between the map and one shard's fence. */
export interface GateFinding {
  kind: FindingKind;
  from: number;
  to: number;
  /** The shard whose fence says this (for "unreadable": the shard the map names). */
  shard: number;
  /** The shard the map gives the slots to. */
  mapShard: number;
  /** The fence row's state, owner and epoch (-1 when there is no row). */
  state: string;
  owner: number;
  epoch: number;
}

const HOW = "move them with gamedb:slotMoves, do not edit shards[].slots alone";

export function formatFinding(f: GateFinding): string {
  const slots = rangeText(f);
  const row = `${f.state} (owner ${f.owner}, epoch ${f.epoch})`;
  const are = f.from === f.to ? "is" : "are";
  switch (f.kind) {
    case "notOwned":
      return `${slots} ${are} given to shard ${f.mapShard} but its fence says ${row}: ${HOW}`;
    case "noRow":
      return `${slots} ${are} given to shard ${f.mapShard} but its fence has no row for them: install the fence rows`;
    case "ownedElsewhere":
      return (
        `${slots} ${are} owned on shard ${f.shard}'s fence (epoch ${f.epoch}) but the map gives them to ` +
        `shard ${f.mapShard}: ${HOW}`
      );
    case "frozen":
      return (
        `${slots} ${are} frozen on shard ${f.shard}'s fence (owner ${f.owner}, epoch ${f.epoch}): ` +
        "a switch is under way"
      );
    case "unreadable":
      return (
        `${slots} ${are} given to shard ${f.mapShard}, whose fence the gate cannot read: ` +
        "add the shard to the gate's shards"
      );
  }
}

/**
 * Pure: every disagreement between `map` and the shards' fence rows (`fences`, by shard id), grouped into maximal
 * runs per shard and kind, sorted by shard then slot. A malformed map (gaps, overlaps) throws, naming them.
 */
export function gateFindings(map: readonly SlotRun[], fences: ReadonlyMap<number, readonly FenceRow[]>): GateFinding[] {
  const owner = slotOwners(map);
  const out: GateFinding[] = [];
  const push = (f: GateFinding) => {
    const last = out[out.length - 1];
    const same =
      last &&
      last.to === f.from - 1 &&
      last.kind === f.kind &&
      last.shard === f.shard &&
      last.mapShard === f.mapShard &&
      last.state === f.state &&
      last.owner === f.owner &&
      last.epoch === f.epoch;
    if (same) last.to = f.to;
    else out.push(f);
  };
  const mapShards = new Set(map.map((r) => r.shard));
  for (const shard of [...new Set([...fences.keys(), ...mapShards])].sort((a, b) => a - b)) {
    const rows = fences.get(shard);
    const bySlot: (FenceRow | undefined)[] = new Array(SLOT_COUNT);
    for (const r of rows ?? []) bySlot[r.slot] = r;
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const mapShard = owner[slot]!;
      const base = { from: slot, to: slot, shard, mapShard };
      if (!rows) {
        if (mapShard === shard) push({ ...base, kind: "unreadable", state: "unknown", owner: -1, epoch: -1 });
        continue;
      }
      const r = bySlot[slot];
      const row = r ? { state: r.state, owner: r.owner, epoch: r.epoch } : { state: "missing", owner: -1, epoch: -1 };
      if (r?.state === "frozen") push({ ...base, kind: "frozen", ...row });
      else if (mapShard === shard && !r) push({ ...base, kind: "noRow", ...row });
      else if (mapShard === shard && r!.state !== "owned") push({ ...base, kind: "notOwned", ...row });
      else if (mapShard !== shard && r?.state === "owned") push({ ...base, kind: "ownedElsewhere", ...row });
    }
  }
  return out;
}

/** Pure: the gate's verdict on one reading: problems (refuse) and waits (frozen slots: a switch is under way). */
export function gateProblems(
  map: readonly SlotRun[],
  fences: ReadonlyMap<number, readonly FenceRow[]>,
): { problems: string[]; waiting: string[] } {
  let findings: GateFinding[];
  try {
    findings = gateFindings(map, fences);
  } catch (e) {
    return { problems: [`the slot map cannot be published: ${(e as Error).message}`], waiting: [] };
  }
  return {
    problems: findings.filter((f) => f.kind !== "frozen").map(formatFinding),
    waiting: findings.filter((f) => f.kind === "frozen").map(formatFinding),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// I/O

/** The states a move's target must report before the map that follows its phase may be published. */
export const GATE_STATES: Partial<Record<MovePhase, readonly MoveState[]>> = {
  switch: ["switched", "cleaning", "cleaned"],
  reverse: ["reversed", "cancelling", "cancelled"],
};

export interface GateOptions {
  /** Between polls (default 1000 ms). */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Progress lines (what it waits for). */
  log?: (line: string) => void;
}

export interface GateResult {
  ok: boolean;
  problems: string[];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Why move `m` has not reached its phase, from what its control row says (the last reading). */
async function moveNotReady(conn: Queryable, m: GateSpec["moves"][number]): Promise<string | undefined> {
  const wanted = GATE_STATES[m.phase];
  if (!wanted) return undefined;
  const row = await readControl(conn, m.id);
  if (!row) return `move ${m.id} has no control row on shard ${m.to}: its mover has not started`;
  if (wanted.includes(row.state)) return undefined;
  const why =
    row.status?.lastError ??
    (m.phase === "switch" && row.status
      ? switchRefusal({ ...row.status, state: row.state }, switchLimitsSchema.parse({}))
      : undefined);
  return `move ${m.id} is ${row.state}, not yet ${wanted.join("/")}${why ? `: ${why}` : ""}`;
}

/**
 * Runs the gate against `conns` (the mover account's connection to each shard of spec.shards, by shard id).
 * Read errors are retried until the timeout, then reported; ok only when every move is there and the fences agree.
 */
export async function runGate(
  spec: GateSpec,
  conns: ReadonlyMap<number, Queryable>,
  opts: GateOptions = {},
): Promise<GateResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollMs = opts.pollMs ?? 1000;
  const deadline = now() + spec.timeoutSeconds * 1000;
  const log = opts.log ?? (() => undefined);

  // (a) the moves this deploy switches or reverses
  let pending = spec.moves.filter((m) => GATE_STATES[m.phase]);
  for (const m of pending) {
    if (!conns.has(m.to))
      return { ok: false, problems: [`move ${m.id}: the gate has no connection to its target, shard ${m.to}`] };
  }
  for (;;) {
    const reasons = new Map<number, string>();
    for (const m of pending) {
      const why = await moveNotReady(conns.get(m.to)!, m).catch(
        (e) => `cannot read move ${m.id} on shard ${m.to}: ${message(e)}`,
      );
      if (why) reasons.set(m.id, why);
    }
    pending = pending.filter((m) => reasons.has(m.id));
    if (pending.length === 0) break;
    if (now() >= deadline) {
      return {
        ok: false,
        problems: [...reasons.values()].map((r) => `${r} (waited ${spec.timeoutSeconds} s; the map is not published)`),
      };
    }
    log(`waiting: ${[...reasons.values()].join("; ")}`);
    await sleep(pollMs);
  }

  // (b) the fences against the map
  for (;;) {
    const fences = new Map<number, FenceRow[]>();
    const readErrors: string[] = [];
    for (const shard of spec.shards) {
      const conn = conns.get(shard.shard);
      if (!conn) {
        readErrors.push(`the gate has no connection to shard ${shard.shard}`);
        continue;
      }
      try {
        fences.set(shard.shard, await readFenceRows(conn));
      } catch (e) {
        readErrors.push(`cannot read shard ${shard.shard}'s fence: ${message(e)}`);
      }
    }
    const verdict = gateProblems(spec.slotMap, fences);
    const transient = readErrors.length > 0 || verdict.waiting.length > 0;
    if (!transient && verdict.problems.length === 0) return { ok: true, problems: [] };
    if (!transient || now() >= deadline) {
      const late = transient ? ` (still so after ${spec.timeoutSeconds} s)` : "";
      return { ok: false, problems: [...readErrors, ...verdict.waiting, ...verdict.problems].map((p) => p + late) };
    }
    log(`waiting: ${[...readErrors, ...verdict.waiting].join("; ")}`);
    await sleep(pollMs);
  }
}
