/**
 * CONTRACT: the slot fence. Every shard's `gamedb_meta.slot_fence` holds one row per slot (16384) saying whether the
 * shard owns it, and BEFORE INSERT/UPDATE/DELETE triggers on every sharded table refuse a write to a slot the shard
 * does not own with SQLSTATE 45000 and a machine-readable message (../shared/design/SLOT-MOVES.md, "The fence").
 *
 * Written by: whoever installs a shard's schema (fenceSchemaSql, fenceRowsSql, fenceTriggersSql) and the slot mover,
 *   which logs in as MOVER_ACCOUNT (exempt from the triggers) and changes rows' state and epoch.
 * Read by: the client (client/src), which turns a refused write's message into a FenceSignal with parseFenceSignal
 *   and joins scatter queries with ownedSlotsJoin; checkShardedTable (./shardedTable.ts) names the triggers.
 *
 * Statements are returned one per array element, for mysql2's query() (no DELIMITER: the server parses a trigger's
 * BEGIN ... END as one statement). They run unchanged on MySQL 8.4 and on the MariaDB 10.11 stand-ins
 * (tests/integration/slot-fence.test.ts).
 */
import { createHash } from "node:crypto";
import { MAX_SLOT, SLOT_COUNT } from "./slots";

export const FENCE_SCHEMA = "gamedb_meta";
export const FENCE_TABLE = "slot_fence";
export const SLOT_COLUMN = "gamedb_slot";
/** The account whose sessions the triggers let through (the slot mover copies rows into `importing` slots). */
export const MOVER_ACCOUNT = "gamedb_mover";
export const FENCE_SQLSTATE = "45000";
/** What MySQL and MariaDB report for an unhandled SIGNAL SQLSTATE '45000' (ER_SIGNAL_EXCEPTION). */
export const FENCE_ERRNO = 1644;

export type FenceState = "owned" | "importing" | "frozen" | "moved";
export const FENCE_STATES: readonly FenceState[] = ["owned", "importing", "frozen", "moved"];

export type FenceSignal =
  | { kind: "moved"; slot: number; shard: number; epoch: number }
  | { kind: "tryagain"; slot: number }
  | { kind: "unfenced"; slot: number }
  | { kind: "slotChange"; from: number; to: number };

/** owner_shard and epoch are INT UNSIGNED. */
const INT_UNSIGNED_MAX = 4294967295;
/** gamedb_slot is SMALLINT UNSIGNED: a row may carry a slot above MAX_SLOT, which has no fence row. */
const SMALLINT_UNSIGNED_MAX = 65535;

/**
 * The message of each signal: a word, then `name=value` fields in this order. formatFenceSignal, parseFenceSignal
 * and the triggers' CONCAT are all written from this table, so they cannot drift apart. Slots read from a fence
 * row are real slots (<= MAX_SLOT); UNFENCED and SLOT_CHANGE report the row's column, which may be anything up to
 * SMALLINT UNSIGNED.
 */
const SIGNALS = {
  moved: { word: "GAMEDB_MOVED", fields: { slot: MAX_SLOT, shard: INT_UNSIGNED_MAX, epoch: INT_UNSIGNED_MAX } },
  tryagain: { word: "GAMEDB_TRYAGAIN", fields: { slot: MAX_SLOT } },
  unfenced: { word: "GAMEDB_UNFENCED", fields: { slot: SMALLINT_UNSIGNED_MAX } },
  slotChange: { word: "GAMEDB_SLOT_CHANGE", fields: { from: SMALLINT_UNSIGNED_MAX, to: SMALLINT_UNSIGNED_MAX } },
} as const;
type Kind = keyof typeof SIGNALS;
const KINDS = Object.keys(SIGNALS) as Kind[];

const fieldsOf = (kind: Kind): [string, number][] => Object.entries(SIGNALS[kind].fields);

/** The message text of a signal, e.g. `GAMEDB_MOVED slot=1234 shard=5 epoch=7`; throws on an out-of-range field. */
export function formatFenceSignal(s: FenceSignal): string {
  const spec = SIGNALS[s.kind];
  const values = s as unknown as Record<string, unknown>;
  const parts: string[] = [spec.word];
  for (const [name, max] of fieldsOf(s.kind)) {
    const v = values[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
      throw new Error(`fence signal ${s.kind}: ${name} must be an integer from 0 to ${max}, got ${String(v)}`);
    }
    parts.push(`${name}=${v}`);
  }
  return parts.join(" ");
}

/**
 * The signal in a refused write's message (mysql2's err.sqlMessage), or undefined for any other message. Strict: the
 * whole message, exact words and field order, decimal integers without sign or leading zeros, each within its range.
 */
export function parseFenceSignal(message: string): FenceSignal | undefined {
  if (typeof message !== "string") return undefined;
  for (const kind of KINDS) {
    const spec = SIGNALS[kind];
    const fields = fieldsOf(kind);
    const pattern = new RegExp(`^${spec.word}${fields.map(([n]) => ` ${n}=(0|[1-9][0-9]{0,9})`).join("")}$`);
    const m = pattern.exec(message);
    if (!m) continue;
    const out: Record<string, unknown> = { kind };
    for (const [i, [name, max]] of fields.entries()) {
      const v = Number(m[i + 1]);
      if (v > max) return undefined;
      out[name] = v;
    }
    return out as FenceSignal;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// DDL and rows

const IDENTIFIER = /^[A-Za-z0-9_$]{1,64}$/;

/** A validated identifier in backticks; throws naming the field and the allowed characters. */
function ident(field: string, name: string): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    throw new Error(
      `${field} ${JSON.stringify(name)} is not accepted: use 1 to 64 letters, digits, _ or $ ` +
        `(other names would need quoting rules the fence does not take on)`,
    );
  }
  return `\`${name}\``;
}

const FENCE = `${ident("fence schema", FENCE_SCHEMA)}.${ident("fence table", FENCE_TABLE)}`;

/** Idempotent: creates the schema and the fence table if missing, never alters an existing one. */
export function fenceSchemaSql(): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${ident("fence schema", FENCE_SCHEMA)}`,
    `CREATE TABLE IF NOT EXISTS ${FENCE} (` +
      "slot SMALLINT UNSIGNED NOT NULL PRIMARY KEY, " +
      `state ENUM(${FENCE_STATES.map((s) => `'${s}'`).join(",")}) NOT NULL, ` +
      "owner_shard INT UNSIGNED NOT NULL, " +
      "epoch INT UNSIGNED NOT NULL DEFAULT 0, " +
      "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)" +
      ") ENGINE=InnoDB",
  ];
}

/** A slot map run, as in infra/plan/slots.ts (SlotAssignment) and the endpoints' slot-map.json. */
export interface SlotRun {
  from: number;
  to: number;
  shard: number;
}

const rangeText = (from: number, to: number): string => (from === to ? `${from}` : `${from}-${to}`);

/** The owner of every slot; throws naming every malformed run, overlap and gap. */
export function slotOwners(slotMap: readonly SlotRun[]): Int32Array {
  const problems: string[] = [];
  const owner = new Int32Array(SLOT_COUNT).fill(-1);
  const overlaps: string[] = [];
  slotMap.forEach((run, i) => {
    const { from, to, shard } = run ?? ({} as SlotRun);
    if (![from, to].every((v) => Number.isInteger(v) && v >= 0 && v <= MAX_SLOT) || from > to) {
      problems.push(`slot map run ${i} (${JSON.stringify(run)}) needs integers 0 <= from <= to <= ${MAX_SLOT}`);
      return;
    }
    if (!Number.isInteger(shard) || shard < 0 || shard > INT_UNSIGNED_MAX) {
      problems.push(
        `slot map run ${i} has shard ${JSON.stringify(shard)}; use an integer from 0 to ${INT_UNSIGNED_MAX}`,
      );
      return;
    }
    // Overlaps are reported per run of slots that already had one same owner.
    let start = -1;
    const close = (end: number) => {
      overlaps.push(`slots ${rangeText(start, end)} are given to shard ${owner[start]} and to shard ${shard}`);
      start = -1;
    };
    for (let s = from; s <= to; s++) {
      const prior = owner[s]!;
      if (start !== -1 && prior !== owner[start]) close(s - 1);
      if (prior !== -1 && start === -1) start = s;
      if (prior === -1) owner[s] = shard;
    }
    if (start !== -1) close(to);
  });
  const malformed = problems.length > 0;
  problems.push(...overlaps.map((o) => `slot map gives a slot to two shards: ${o}`));
  // Gaps are only meaningful when every run could be read.
  if (!malformed) {
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (owner[s] !== -1) continue;
      let e = s;
      while (e + 1 < SLOT_COUNT && owner[e + 1] === -1) e++;
      problems.push(`slot map leaves slots ${rangeText(s, e)} unowned`);
      s = e;
    }
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  return owner;
}

/** Rows per INSERT: 2048 rows are ~40 kB of SQL, far under max_allowed_packet (64 MB by default on MySQL 8.4). */
export const FENCE_ROWS_PER_STATEMENT = 2048;

/**
 * The 16384 fence rows of shard `shard`: its slots `owned`, every other slot `moved` to its owner, epoch 0. INSERT
 * IGNORE, so running it again never overwrites a row that a slot move has changed since. A new, empty shard (not in
 * the map) owns nothing: every row `moved`.
 */
export function fenceRowsSql(shard: number, slotMap: readonly SlotRun[]): string[] {
  if (!Number.isInteger(shard) || shard < 0 || shard > INT_UNSIGNED_MAX) {
    throw new Error(
      `shard ${JSON.stringify(shard)} is not a shard number; use an integer from 0 to ${INT_UNSIGNED_MAX}`,
    );
  }
  const owner = slotOwners(slotMap);
  const out: string[] = [];
  for (let start = 0; start < SLOT_COUNT; start += FENCE_ROWS_PER_STATEMENT) {
    const rows: string[] = [];
    for (let s = start; s < Math.min(start + FENCE_ROWS_PER_STATEMENT, SLOT_COUNT); s++) {
      const o = owner[s]!;
      rows.push(`(${s},'${o === shard ? "owned" : "moved"}',${o},0)`);
    }
    out.push(`INSERT IGNORE INTO ${FENCE} (slot, state, owner_shard, epoch) VALUES ${rows.join(",")}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Triggers

export interface FenceTriggerNames {
  insert: string;
  update: string;
  delete: string;
}

const TRIGGER_PREFIX = { insert: "gamedb_fence_bi_", update: "gamedb_fence_bu_", delete: "gamedb_fence_bd_" };

/**
 * `gamedb_fence_bi_<table>` (bu, bd). A name over 64 characters keeps the table name's start and adds `_` and 8 hex
 * digits of the full name's SHA-256, so two long table names that share a start still get different triggers.
 */
export function fenceTriggerNames(table: string): FenceTriggerNames {
  ident("table", table);
  const name = (prefix: string): string => {
    const full = `${prefix}${table}`;
    if (full.length <= 64) return full;
    const hash = createHash("sha256").update(table, "utf8").digest("hex").slice(0, 8);
    return `${full.slice(0, 64 - 9)}_${hash}`;
  };
  return {
    insert: name(TRIGGER_PREFIX.insert),
    update: name(TRIGGER_PREFIX.update),
    delete: name(TRIGGER_PREFIX.delete),
  };
}

/**
 * The session's user name: what precedes the LAST `@` of USER() (a quoted user name may itself contain `@`, a host
 * never does), compared as bytes (user names are case-sensitive; USER()'s collation is not).
 *
 * USER(), not CURRENT_USER(): in a trigger CURRENT_USER() is the trigger's DEFINER. MySQL 8.4 Reference Manual,
 * 8.2.23 "SQL-Based Account Activity Auditing" (dev.mysql.com/doc/refman/8.4/en/account-activity-auditing.html):
 * in triggers "privilege checking is done against the DEFINER account and CURRENT_USER() refers to that account
 * ... To determine the invoking user, you can call the USER() function". USER() is the name the client sent, so an
 * anonymous account (user '') would let anyone log in under the mover's name: a shard must have none.
 */
const SESSION_USER_NAME =
  "CAST(LEFT(USER(), CHAR_LENGTH(USER()) - CHAR_LENGTH(SUBSTRING_INDEX(USER(), '@', -1)) - 1) AS BINARY)";

/** CONCAT(...) of a signal's message in SQL, from the same table as formatFenceSignal. */
function messageSql(kind: Kind, values: Record<string, string>): string {
  const parts = fieldsOf(kind).map(([name]) => `' ${name}=', ${values[name]}`);
  return `CONCAT('${SIGNALS[kind].word}', ${parts.join(", ")})`;
}

/** SIGNAL takes a variable or literal as MESSAGE_TEXT, not an expression (MySQL 8.4 manual 15.6.7.5, SIGNAL). */
const raise = (message: string): string =>
  `SET gamedb_msg = ${message}; SIGNAL SQLSTATE '${FENCE_SQLSTATE}' SET MESSAGE_TEXT = gamedb_msg;`;

function triggerBody(event: "insert" | "update" | "delete"): string {
  const row = event === "insert" ? "NEW" : "OLD";
  // Local names start with gamedb_: in a stored program a local variable hides a column of the same name.
  const slotChange =
    event === "update"
      ? `IF NEW.${SLOT_COLUMN} <> OLD.${SLOT_COLUMN} THEN ` +
        `${raise(messageSql("slotChange", { from: `OLD.${SLOT_COLUMN}`, to: `NEW.${SLOT_COLUMN}` }))} END IF; `
      : "";
  return (
    "BEGIN " +
    "DECLARE gamedb_state VARCHAR(16) DEFAULT NULL; " +
    "DECLARE gamedb_owner INT UNSIGNED DEFAULT 0; " +
    "DECLARE gamedb_epoch INT UNSIGNED DEFAULT 0; " +
    "DECLARE gamedb_msg VARCHAR(128); " +
    "DECLARE CONTINUE HANDLER FOR NOT FOUND SET gamedb_state = NULL; " +
    // Refused for everyone, the mover too: a row never changes slot (re-key = delete + insert).
    slotChange +
    `IF ${SESSION_USER_NAME} <> '${MOVER_ACCOUNT}' THEN ` +
    // The shared lock is held until the writer commits, so a mover's UPDATE of the row to `frozen` waits for every
    // open writer of the slot and every writer after it sees `frozen`: the barrier. INTO before FROM, the form
    // MySQL 8.4 does not deprecate (manual 15.2.13.1, SELECT ... INTO); LOCK IN SHARE MODE is FOR SHARE's
    // equivalent there (17.7.2.4, Locking Reads) and the only spelling MariaDB 10.11 knows.
    "SELECT f.state, f.owner_shard, f.epoch INTO gamedb_state, gamedb_owner, gamedb_epoch " +
    `FROM ${FENCE} AS f WHERE f.slot = ${row}.${SLOT_COLUMN} LOCK IN SHARE MODE; ` +
    "IF gamedb_state IS NULL THEN " +
    `${raise(messageSql("unfenced", { slot: `${row}.${SLOT_COLUMN}` }))} ` +
    "ELSEIF gamedb_state = 'frozen' THEN " +
    `${raise(messageSql("tryagain", { slot: `${row}.${SLOT_COLUMN}` }))} ` +
    "ELSEIF gamedb_state <> 'owned' THEN " +
    `${raise(messageSql("moved", { slot: `${row}.${SLOT_COLUMN}`, shard: "gamedb_owner", epoch: "gamedb_epoch" }))} ` +
    "END IF; " +
    "END IF; " +
    "END"
  );
}

/**
 * DROP TRIGGER IF EXISTS and CREATE TRIGGER for the three fence triggers of `schema`.`table`; re-running replaces
 * them. The definer (the installing account) needs SELECT on gamedb_meta.slot_fence; writers do not.
 */
export function fenceTriggersSql(schema: string, table: string): string[] {
  const s = ident("schema", schema);
  const t = ident("table", table);
  const names = fenceTriggerNames(table);
  const out: string[] = [];
  for (const event of ["insert", "update", "delete"] as const) {
    const trigger = `${s}.${ident("trigger", names[event])}`;
    out.push(`DROP TRIGGER IF EXISTS ${trigger}`);
    out.push(`CREATE TRIGGER ${trigger} BEFORE ${event.toUpperCase()} ON ${s}.${t} FOR EACH ROW ${triggerBody(event)}`);
  }
  return out;
}

/** Removes the three fence triggers of `schema`.`table` (idempotent). */
export function fenceDropSql(schema: string, table: string): string[] {
  const s = ident("schema", schema);
  const names = fenceTriggerNames(table);
  return [names.insert, names.update, names.delete].map((n) => `DROP TRIGGER IF EXISTS ${s}.${ident("trigger", n)}`);
}

/**
 * A JOIN for scatter queries (`SELECT COUNT(*) FROM players AS p ${ownedSlotsJoin("p")}` on every shard): it keeps
 * only rows of slots this shard owns (`owned`, or `frozen` while a move's write pause holds them here). During a move
 * a slot's rows exist on two shards: copies being imported on the target (`importing`) and, after the switch, the
 * old rows left on the source until cleanup (`moved`); without the join a query over all shards counts them twice.
 * This holds as long as no slot is `owned` or `frozen` on two shards at once (the mover's invariant). The reading
 * account needs SELECT on gamedb_meta.slot_fence.
 */
export function ownedSlotsJoin(alias: string): string {
  const a = ident("alias", alias);
  return (
    `JOIN ${FENCE} AS gamedb_fence ON gamedb_fence.slot = ${a}.${SLOT_COLUMN} ` +
    "AND gamedb_fence.state IN ('owned','frozen')"
  );
}
