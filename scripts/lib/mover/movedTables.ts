/**
 * The tables a move carries, as the shard written to defines them: every sharded table of the game database on both
 * shards (shardTables.ts), which must match column for column and in primary key (rows are written by key).
 */
import type { Connection } from "mysql2/promise";
import { MovedTable, movedTable } from "./rowSql";
import { compareShardTables, shardedTables } from "./shardTables";

/** Throws naming every table that differs or is missing on one side. */
export async function movedTables(origin: Connection, dest: Connection, database: string): Promise<MovedTable[]> {
  const [a, b] = [await shardedTables(origin, database), await shardedTables(dest, database)];
  const problems = compareShardTables(
    { label: "the shard read from", tables: a },
    { label: "the shard written to", tables: b },
  );
  if (problems.length > 0) throw new Error(`the shards' tables do not match: ${problems.join("; ")}`);
  return b.map(movedTable);
}
