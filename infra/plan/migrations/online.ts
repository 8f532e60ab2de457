/**
 * How a schema change runs without blocking the game: each ALTER TABLE is tried with `ALGORITHM=INSTANT`, then
 * `ALGORITHM=INPLACE, LOCK=NONE`; the server refuses what it cannot do that way (ER_ALTER_OPERATION_NOT_SUPPORTED
 * 1845, ER_ALTER_OPERATION_NOT_SUPPORTED_REASON 1846, before touching any row), and only a statement annotated
 * `-- gamedb:allow-copy` then runs as written (the server's default algorithm: a table copy that blocks writes).
 *
 * Decisions (the server cannot be asked in these cases, so the text decides):
 * - An ALTER that names ALGORITHM or LOCK itself runs as written if what it names is online (ALGORITHM=INSTANT;
 *   ALGORITHM=INPLACE or NOCOPY with LOCK=NONE; LOCK=NONE alone); anything else (ALGORITHM=COPY or DEFAULT,
 *   LOCK=SHARED or EXCLUSIVE, INPLACE without LOCK=NONE) needs allow-copy.
 * - Partition clauses cannot carry ALGORITHM/LOCK on MariaDB (a syntax error) and only before them on MySQL 8.4
 *   (sql/sql_yacc.yy: alter_commands_modifier_list ',' standalone_alter_commands), so they run as written. Those
 *   that block writes in MySQL 8.4 need allow-copy: PARTITION BY and REMOVE PARTITIONING (ALGORITHM=COPY only),
 *   REORGANIZE, COALESCE, REBUILD, OPTIMIZE, DISCARD and IMPORT PARTITION ("Permits Concurrent DML: No"); ADD, DROP,
 *   TRUNCATE, EXCHANGE, ANALYZE, CHECK and REPAIR PARTITION do not (MySQL 8.4 manual 17.12.1 "Online DDL
 *   Operations", Partitioning Operations; ADD/DROP PARTITION copy no data for RANGE and LIST partitioning).
 * - CREATE INDEX is tried with `ALGORITHM=INPLACE LOCK=NONE` (adding an index is never INSTANT: 17.12.1, Index
 *   Operations); DROP INDEX runs as written (in place, concurrent DML permitted, and MariaDB 10.11 takes no
 *   ALGORITHM clause on it).
 */
import { Token, upper } from "./statements";
import { batchProblem, parseAlterTable, words } from "./grammar";
import type { Execution, StatementKind } from "./types";

/** Errors meaning "not with this algorithm/lock" (MySQL 8.4 and MariaDB 10.11 share the numbers). */
export const NOT_ONLINE_ERRNOS: readonly number[] = [1845, 1846];
/**
 * MySQL 8.4 errors raised only because ALGORITHM=INSTANT was asked for: an instant ADD/DROP COLUMN past the 64 row
 * versions (ER_INNODB_MAX_ROW_VERSION 4092), past the row size (ER_INNODB_INSTANT_ADD_DROP_NOT_SUPPORTED_MAX_SIZE
 * 4157) or the column count (ER_INNODB_INSTANT_ADD_NOT_SUPPORTED_MAX_FIELDS 4158); without the clause InnoDB falls
 * back to INPLACE ("INSTANT can't be done any more. Fall back to INPLACE", mysql-server
 * storage/innobase/handler/handler0alter.cc, ha_innobase::check_if_supported_inplace_alter). Taken as a refusal of
 * the INSTANT attempt only: MariaDB numbers its own errors in that range differently.
 */
export const INSTANT_ONLY_ERRNOS: readonly number[] = [4092, 4157, 4158];

/** Whether error `errno` on `attempt` means "not this way": the next attempt should be tried. */
export function refusedOnline(errno: number | undefined, attempt: string): boolean {
  if (errno === undefined) return false;
  if (NOT_ONLINE_ERRNOS.includes(errno)) return true;
  return /ALGORITHM=INSTANT$/.test(attempt) && INSTANT_ONLY_ERRNOS.includes(errno);
}

export const PARTITION_BLOCKING = ["REORGANIZE", "COALESCE", "REBUILD", "OPTIMIZE", "DISCARD", "IMPORT"];
const PARTITION_ONLINE = ["ADD", "DROP", "TRUNCATE", "EXCHANGE", "ANALYZE", "CHECK", "REPAIR"];

export interface PartitionClause {
  /** `REORGANIZE PARTITION`, `PARTITION BY`, `REMOVE PARTITIONING`, `DISCARD TABLESPACE`... */
  clause: string;
  blocksWrites: boolean;
}

/** The ALTER's partition clause, if it has one. */
export function partitionClause(actions: Token[][]): PartitionClause | undefined {
  for (const action of actions) {
    const w = words(action);
    if ((w[0] === "DISCARD" || w[0] === "IMPORT") && w[1] === "TABLESPACE") {
      return { clause: `${w[0]} TABLESPACE`, blocksWrites: true };
    }
    if (w[1] === "PARTITION" && [...PARTITION_BLOCKING, ...PARTITION_ONLINE].includes(w[0]!)) {
      return { clause: `${w[0]} PARTITION`, blocksWrites: PARTITION_BLOCKING.includes(w[0]!) };
    }
    const top = action.filter((t) => t.depth === 0).map(upper);
    for (let i = 0; i < top.length; i++) {
      if (top[i] === "PARTITION" && top[i + 1] === "BY") return { clause: "PARTITION BY", blocksWrites: true };
      if (top[i] === "REMOVE" && top[i + 1] === "PARTITIONING") {
        return { clause: "REMOVE PARTITIONING", blocksWrites: true };
      }
    }
  }
  return undefined;
}

const ALGORITHMS = ["DEFAULT", "INSTANT", "INPLACE", "COPY", "NOCOPY"];
const LOCKS = ["DEFAULT", "NONE", "SHARED", "EXCLUSIVE"];

/** ALGORITHM and LOCK the statement names itself (top level, `ALGORITHM [=] value`). */
export function namedModifiers(tokens: Token[]): { algorithm?: string; lock?: string } {
  const out: { algorithm?: string; lock?: string } = {};
  const top = tokens.filter((t) => t.depth === 0);
  for (let i = 0; i < top.length; i++) {
    const w = upper(top[i]);
    if (w !== "ALGORITHM" && w !== "LOCK") continue;
    const value = upper(top[i + 1]?.text === "=" ? top[i + 2] : top[i + 1]);
    if (w === "ALGORITHM" && ALGORITHMS.includes(value)) out.algorithm = value;
    if (w === "LOCK" && LOCKS.includes(value)) out.lock = value;
  }
  return out;
}

/** Whether what the statement names keeps writes going (see the module comment). */
export function namesOnlineOnly(m: { algorithm?: string; lock?: string }): boolean {
  const lockNone = m.lock === "NONE";
  if (m.algorithm === "INSTANT") return m.lock === undefined || m.lock === "NONE" || m.lock === "DEFAULT";
  if (m.algorithm === "INPLACE" || m.algorithm === "NOCOPY") return lockNone;
  return (m.algorithm === undefined || m.algorithm === "DEFAULT") && lockNone;
}

export interface ExecutionDecision {
  run: Execution;
  /** Why the statement cannot run as annotated (reported with the file and line before anything runs). */
  problem?: string;
}

const COPY_HINT =
  "add -- gamedb:allow-copy on the line before it to accept a table copy that blocks writes (for a large table, " +
  "use pt-online-schema-change or gh-ost instead)";

/** How `text` (a statement of `kind`) runs, given its annotations. */
export function decideExecution(
  tokens: Token[],
  text: string,
  kind: StatementKind,
  annotations: { allowCopy: boolean; batch?: { rows?: number } },
): ExecutionDecision {
  const { allowCopy, batch } = annotations;
  if (batch) {
    const problem = batchProblem(tokens, kind);
    return { run: { mode: "batch", ...(batch.rows ? { rows: batch.rows } : {}) }, ...(problem ? { problem } : {}) };
  }
  if (kind === "alter-table") return decideAlter(tokens, text, allowCopy);
  if (kind === "create-index") {
    const named = namedModifiers(tokens);
    if (named.algorithm !== undefined || named.lock !== undefined) return explicit(named, allowCopy, "CREATE INDEX");
    return {
      run: {
        mode: "online",
        attempts: [`${text} ALGORITHM=INPLACE LOCK=NONE`],
        ...(allowCopy ? { fallback: text } : {}),
      },
    };
  }
  if (allowCopy) {
    return {
      run: { mode: "as-written" },
      problem: "-- gamedb:allow-copy applies to an ALTER TABLE or CREATE INDEX statement only",
    };
  }
  return { run: { mode: "as-written" } };
}

function decideAlter(tokens: Token[], text: string, allowCopy: boolean): ExecutionDecision {
  const alter = parseAlterTable(tokens)!;
  if (alter.actions.length === 0) return { run: { mode: "as-written" } };
  const partition = partitionClause(alter.actions);
  if (partition) {
    if (partition.blocksWrites && !allowCopy) {
      return {
        run: { mode: "as-written" },
        problem:
          `ALTER TABLE ${alter.table} ... ${partition.clause} blocks writes in MySQL 8.4 (manual 17.12.1, ` +
          `Partitioning Operations) and partition clauses take no ALGORITHM/LOCK that both MySQL and MariaDB ` +
          `accept: ${COPY_HINT}`,
      };
    }
    return { run: { mode: "as-written" } };
  }
  const named = namedModifiers(tokens);
  if (named.algorithm !== undefined || named.lock !== undefined) return explicit(named, allowCopy, "ALTER TABLE");
  return {
    run: {
      mode: "online",
      attempts: [`${text}, ALGORITHM=INSTANT`, `${text}, ALGORITHM=INPLACE, LOCK=NONE`],
      ...(allowCopy ? { fallback: text } : {}),
    },
  };
}

function explicit(named: { algorithm?: string; lock?: string }, allowCopy: boolean, what: string): ExecutionDecision {
  if (namesOnlineOnly(named) || allowCopy) return { run: { mode: "as-written" } };
  const said = [named.algorithm && `ALGORITHM=${named.algorithm}`, named.lock && `LOCK=${named.lock}`]
    .filter(Boolean)
    .join(", ");
  return {
    run: { mode: "as-written" },
    problem:
      `this ${what} names ${said}, which may copy the table or block writes: remove ALGORITHM/LOCK to let ` +
      `gamedb try ALGORITHM=INSTANT then ALGORITHM=INPLACE, LOCK=NONE, or ${COPY_HINT}`,
  };
}

/** The text of the refusal when no attempt was accepted: the server's reason for each. */
export function notOnlineMessage(statementText: string, reasons: string[], line: number): string {
  const head = statementText.replace(/\s+/g, " ").slice(0, 120);
  return `line ${line}: "${head}" cannot run online: ${reasons.join("; ")}. To run it anyway, ${COPY_HINT}`;
}
