/**
 * The slot fence on a shard: its gamedb_meta.slot_fence rows (INSERT IGNORE: a slot a move has changed is never
 * overwritten), and, after each migration, every table declared `-- gamedb:sharded` so far checked against the
 * sharded-table contract (infra/contracts/shardedTable.ts) with its fence triggers installed or refreshed
 * (infra/contracts/slotFence.ts). Triggers are recreated only when missing or different, so a rerun changes nothing.
 */
import { createHash } from "node:crypto";
import type { Connection, RowDataPacket } from "mysql2/promise";
import { describeTable } from "../../../client/src/tableDefinition";
import type { ShardedAnnotation } from "../../../infra/contracts/migrations";
import { checkShardedTable } from "../../../infra/contracts/shardedTable";
import { SlotRun, fenceRowsSql, fenceSchemaSql, fenceTriggersSql } from "../../../infra/contracts/slotFence";

/** Creates gamedb_meta.slot_fence and inserts the shard's rows (idempotent). */
export async function ensureFence(conn: Pick<Connection, "query">, shard: number, slotMap: readonly SlotRun[]) {
  for (const sql of [...fenceSchemaSql(), ...fenceRowsSql(shard, slotMap)]) await conn.query(sql);
}

export interface FenceCheck {
  /** "table X does not honour the sharded-table contract: ..." for each failing table. */
  problems: string[];
  /** Tables whose triggers were (re)created. */
  installed: string[];
}

const BODY_MARK = " FOR EACH ROW ";

/** The fence triggers `schema`.`table` should have: name -> [DROP, CREATE] and the body the server stores. */
function expectedTriggers(schema: string, table: string) {
  const sql = fenceTriggersSql(schema, table);
  const out: { name: string; drop: string; create: string; body: string }[] = [];
  for (let i = 0; i < sql.length; i += 2) {
    const create = sql[i + 1]!;
    const name = /^CREATE TRIGGER `[^`]+`\.`([^`]+)`/.exec(create)![1]!;
    out.push({ name, drop: sql[i]!, create, body: create.slice(create.indexOf(BODY_MARK) + BODY_MARK.length) });
  }
  return out;
}

async function tableExists(conn: Connection, schema: string, table: string): Promise<boolean> {
  const [rows] = await conn.query<RowDataPacket[]>(
    "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
    [schema, table],
  );
  return rows.length > 0;
}

/**
 * Checks every table in `sharded` and installs its fence triggers. A table missing is a problem only when
 * `declaredNow` (the migration just applied) declares it; a table an earlier migration declared and a later one
 * dropped is skipped.
 */
export async function checkShardedTables(
  conn: Connection,
  schema: string,
  sharded: readonly ShardedAnnotation[],
  declaredNow: ReadonlySet<string>,
): Promise<FenceCheck> {
  const result: FenceCheck = { problems: [], installed: [] };
  const seen = new Set<string>();
  for (const { table, key } of sharded) {
    if (seen.has(table)) continue;
    seen.add(table);
    const refuse = (why: string) =>
      result.problems.push(`table ${table} does not honour the sharded-table contract: ${why}`);
    if (!(await tableExists(conn, schema, table))) {
      if (declaredNow.has(table)) refuse(`${schema}.${table} does not exist after the migration that declares it`);
      continue;
    }
    // Columns and index first: a trigger on a table without gamedb_slot cannot even be created.
    const def = await describeTable(conn, schema, table);
    const shape = checkShardedTable({ ...def, triggers: undefined });
    if (!def.columns.some((c) => c.name.toLowerCase() === key.toLowerCase())) {
      shape.push(`${schema}.${table} has no column ${key}, its declared shard key (-- gamedb:sharded ... key=${key})`);
    }
    if (shape.length > 0) {
      refuse(shape.join("; "));
      continue;
    }
    const [rows] = await conn.query<RowDataPacket[]>(
      "SELECT TRIGGER_NAME AS name, ACTION_STATEMENT AS body FROM information_schema.TRIGGERS " +
        "WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?",
      [schema, table],
    );
    const present = new Map(rows.map((r) => [String(r.name), String(r.body)]));
    let changed = false;
    for (const t of expectedTriggers(schema, table)) {
      if (present.get(t.name) === t.body) continue;
      if (!present.has(t.name)) {
        await conn.query(t.drop);
        await conn.query(t.create);
      } else {
        // Replacing a trigger in place (DROP, then CREATE) leaves the table unfenced in between, and neither MySQL
        // 8.4 nor MariaDB has an atomic replace both accept: a stand-in with the new body goes first (both take
        // several triggers per table, event and timing: MySQL 8.4 manual, CREATE TRIGGER Statement), and is dropped
        // once the trigger is back.
        const swap = `gamedb_fence_swap_${createHash("sha256").update(t.name, "utf8").digest("hex").slice(0, 16)}`;
        const swapRef = `\`${schema}\`.\`${swap}\``;
        await conn.query(`DROP TRIGGER IF EXISTS ${swapRef}`);
        await conn.query(t.create.replace(/^CREATE TRIGGER `[^`]+`\.`[^`]+`/, () => `CREATE TRIGGER ${swapRef}`));
        await conn.query(t.drop);
        await conn.query(t.create);
        await conn.query(`DROP TRIGGER IF EXISTS ${swapRef}`);
      }
      changed = true;
    }
    if (changed) result.installed.push(table);
    const problems = checkShardedTable(await describeTable(conn, schema, table));
    if (problems.length > 0) refuse(problems.join("; "));
  }
  return result;
}
