/**
 * The fence rows of a move's range (infra/contracts/slotFence.ts): each change is one UPDATE guarded by the states
 * it may start from, followed by a check that every row of the range ended where it should, so a rerun after a crash
 * finds either the old or the new state and a surprise (a row in a third state) stops the move with the counts.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import { FENCE_SCHEMA, FENCE_TABLE, FenceState } from "../../../infra/contracts/slotFence";

type Queryable = Pick<Connection, "query">;
const FENCE = `\`${FENCE_SCHEMA}\`.\`${FENCE_TABLE}\``;

export interface Range {
  from: number;
  to: number;
}

export interface StateCount {
  state: FenceState;
  owner: number;
  epoch: number;
  slots: number;
}

/** The range's fence rows grouped by (state, owner, epoch). */
export async function rangeStates(conn: Queryable, range: Range): Promise<StateCount[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT state, owner_shard AS owner, epoch, COUNT(*) AS n FROM ${FENCE} WHERE slot BETWEEN ? AND ? ` +
      "GROUP BY state, owner_shard, epoch ORDER BY state, owner_shard, epoch",
    [range.from, range.to],
  );
  return rows.map((r) => ({
    state: r.state as FenceState,
    owner: Number(r.owner),
    epoch: Number(r.epoch),
    slots: Number(r.n),
  }));
}

export function describeStates(states: readonly StateCount[]): string {
  return states.map((s) => `${s.slots} ${s.state} (owner ${s.owner}, epoch ${s.epoch})`).join(", ") || "no rows";
}

/** True when every row of the range is in `state` (and, when given, with that owner and epoch). */
export function allIn(states: readonly StateCount[], range: Range, want: Partial<StateCount>): boolean {
  const size = range.to - range.from + 1;
  return (
    states.length === 1 &&
    states[0]!.slots === size &&
    states[0]!.state === want.state &&
    (want.owner === undefined || states[0]!.owner === want.owner) &&
    (want.epoch === undefined || states[0]!.epoch === want.epoch)
  );
}

async function expectAll(conn: Queryable, range: Range, want: Partial<StateCount>, what: string): Promise<void> {
  const states = await rangeStates(conn, range);
  if (!allIn(states, range, want)) {
    throw new Error(
      `${what}: slots ${range.from}-${range.to} should all be ${want.state}, found ${describeStates(states)}`,
    );
  }
}

/** Target, before the copy: `moved` (owner: the source) -> `importing`: only the mover may write the range there. */
export async function markImporting(conn: Queryable, range: Range, source: number): Promise<void> {
  await conn.query(
    `UPDATE ${FENCE} SET state = 'importing' WHERE slot BETWEEN ? AND ? AND state = 'moved' AND owner_shard = ?`,
    [range.from, range.to, source],
  );
  await expectAll(conn, range, { state: "importing", owner: source }, "marking the target importing");
}

/**
 * Source, the write pause: `owned` -> `frozen`. The UPDATE waits (at most `timeoutSeconds`, the session's
 * innodb_lock_wait_timeout) for every open writer of the range, whose trigger holds the fence row's shared lock until
 * it commits; every writer after it gets GAMEDB_TRYAGAIN.
 */
export async function freeze(conn: Queryable, range: Range, timeoutSeconds: number): Promise<void> {
  await freezeUpdate(conn, range, timeoutSeconds);
  await expectFrozen(conn, range);
}

/** The freeze's UPDATE alone: one autocommit statement, so a lock-wait timeout leaves nothing frozen. */
export async function freezeUpdate(conn: Queryable, range: Range, timeoutSeconds: number): Promise<void> {
  await conn.query("SET SESSION innodb_lock_wait_timeout = ?", [timeoutSeconds]);
  await conn.query(`UPDATE ${FENCE} SET state = 'frozen' WHERE slot BETWEEN ? AND ? AND state = 'owned'`, [
    range.from,
    range.to,
  ]);
}

export async function expectFrozen(conn: Queryable, range: Range): Promise<void> {
  await expectAll(conn, range, { state: "frozen" }, "freezing the range");
}

/**
 * Undoes a freeze (a refused or timed-out switch): `frozen` -> `owned`. READ COMMITTED, so the scan does not wait on
 * rows it does not change (InnoDB's semi-consistent read: a row another transaction holds, whose committed state is
 * not `frozen`, is skipped, MySQL 8.4 manual 17.7.2.1 "READ COMMITTED"); under REPEATABLE READ it would queue behind
 * every open writer of the range.
 */
export async function unfreeze(conn: Queryable, range: Range): Promise<void> {
  await conn.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
  await conn.query(`UPDATE ${FENCE} SET state = 'owned' WHERE slot BETWEEN ? AND ? AND state = 'frozen'`, [
    range.from,
    range.to,
  ]);
}

/** The new owner takes the range: `importing` or `moved` -> `owned` at `epoch`. Run inside the caller's transaction. */
export async function claim(conn: Queryable, range: Range, shard: number, epoch: number): Promise<void> {
  await conn.query(
    `UPDATE ${FENCE} SET state = 'owned', owner_shard = ?, epoch = ? ` +
      "WHERE slot BETWEEN ? AND ? AND state IN ('importing','moved')",
    [shard, epoch, range.from, range.to],
  );
  await expectAll(conn, range, { state: "owned", owner: shard, epoch }, "claiming the range");
}

/** The old owner lets go: `frozen` -> `moved` to `owner` at `epoch`: writers there get GAMEDB_MOVED. */
export async function release(conn: Queryable, range: Range, owner: number, epoch: number): Promise<void> {
  await conn.query(
    `UPDATE ${FENCE} SET state = 'moved', owner_shard = ?, epoch = ? WHERE slot BETWEEN ? AND ? AND state = 'frozen'`,
    [owner, epoch, range.from, range.to],
  );
  await expectAll(conn, range, { state: "moved", owner, epoch }, "releasing the range");
}

/** A cancelled copy: the target's `importing` rows go back to `moved` (owner: the source). */
export async function abandon(conn: Queryable, range: Range, owner: number): Promise<void> {
  await conn.query(
    `UPDATE ${FENCE} SET state = 'moved' WHERE slot BETWEEN ? AND ? AND state = 'importing' AND owner_shard = ?`,
    [range.from, range.to, owner],
  );
  await expectAll(conn, range, { state: "moved", owner }, "abandoning the copy");
}
