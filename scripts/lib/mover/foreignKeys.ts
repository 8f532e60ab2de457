/**
 * Foreign keys and slot moves: a move cannot carry a sharded table that has a foreign key or is referenced by one.
 * - Cascades: InnoDB runs ON DELETE/UPDATE CASCADE and SET NULL inside the engine and writes no row event for the
 *   child rows it changes, so the stream that follows the binlog never sees them and the target keeps rows the source
 *   deleted. MySQL 8.4 Reference Manual 17.19 "InnoDB and MySQL Replication" (innodb-and-mysql-replication.html),
 *   "Replication and CASCADE": cascades reach a replica only when its tables are InnoDB too, that is only by being
 *   executed again there, "whether you are using statement-based or row-based replication"; MySQL bug #32506
 *   ("Foreign key cascades do not appear when binlog_format = 'ROW'", SHOW BINLOG EVENTS has no child row); MariaDB
 *   KB "Replication and Foreign Keys": cascading deletes or updates "are not written to the binary log". The mover's
 *   own applier writes with the target's cascades and checks, which would then fire a second time, on rows of the
 *   copy. Nor do cascades fire the child's fence triggers (manual 15.1.20.5 "FOREIGN KEY Constraints": cascaded
 *   foreign key actions do not activate triggers), so one could change a frozen or moved slot.
 * - Any foreign key: the copy and the deletes go table by table and chunk by chunk (a child row can land before its
 *   parent, a parent be deleted before its children), so a checked constraint would fail the move half-way.
 * The check sees what the mover account sees: INFORMATION_SCHEMA lists a constraint only to an account with a
 * privilege on its table (manual 28.1, "INFORMATION_SCHEMA Usage Notes"), so a child table in a schema the mover has
 * no grant on is not found.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";

type Queryable = Pick<Connection, "query">;

/** One foreign key constraint: the child table holds it and references the parent. */
export interface ForeignKey {
  schema: string;
  name: string;
  table: string;
  columns: string[];
  parentSchema: string;
  parentTable: string;
  parentColumns: string[];
  onUpdate: string;
  onDelete: string;
}

/**
 * The foreign keys of `tables` of `database` and those that reference them, from any schema, each once, ordered by
 * schema, table and name. information_schema.KEY_COLUMN_USAGE gives the columns and the referenced table,
 * REFERENTIAL_CONSTRAINTS the rules (manual 28.3.16 and 28.3.25).
 */
export async function readForeignKeys(
  conn: Queryable,
  database: string,
  tables: readonly string[],
): Promise<ForeignKey[]> {
  if (tables.length === 0) return [];
  const list = tables.map(() => "?").join(", ");
  const [rows] = await conn.query<RowDataPacket[]>(
    "SELECT k.CONSTRAINT_SCHEMA AS cs, k.CONSTRAINT_NAME AS name, k.TABLE_NAME AS child, k.COLUMN_NAME AS col, " +
      "k.REFERENCED_TABLE_SCHEMA AS ps, k.REFERENCED_TABLE_NAME AS parent, k.REFERENCED_COLUMN_NAME AS pcol, " +
      "r.UPDATE_RULE AS upd, r.DELETE_RULE AS del " +
      "FROM information_schema.KEY_COLUMN_USAGE AS k JOIN information_schema.REFERENTIAL_CONSTRAINTS AS r " +
      "ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME " +
      "AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME " +
      "WHERE k.REFERENCED_TABLE_NAME IS NOT NULL AND (" +
      `(k.TABLE_SCHEMA = ? AND k.TABLE_NAME IN (${list})) OR ` +
      `(k.REFERENCED_TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IN (${list}))) ` +
      "ORDER BY k.CONSTRAINT_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
    [database, ...tables, database, ...tables],
  );
  const byKey = new Map<string, ForeignKey>();
  for (const r of rows) {
    const key = `${r.cs}\u0000${r.child}\u0000${r.name}`;
    let fk = byKey.get(key);
    if (!fk) {
      fk = {
        schema: String(r.cs),
        name: String(r.name),
        table: String(r.child),
        columns: [],
        parentSchema: String(r.ps),
        parentTable: String(r.parent),
        parentColumns: [],
        onUpdate: String(r.upd),
        onDelete: String(r.del),
      };
      byKey.set(key, fk);
    }
    fk.columns.push(String(r.col));
    fk.parentColumns.push(String(r.pcol));
  }
  return [...byKey.values()];
}

const CASCADING = new Set(["CASCADE", "SET NULL", "SET DEFAULT"]);

/** Pure: one problem per foreign key, naming it, its tables and rules, why a move cannot carry it, and the fix. */
export function foreignKeyProblems(fks: readonly ForeignKey[]): string[] {
  return fks.map((fk) => {
    const child = `${fk.schema}.${fk.table}`;
    const cascades = [fk.onDelete, fk.onUpdate].some((rule) => CASCADING.has(rule.toUpperCase()));
    const why = cascades
      ? "InnoDB writes no binlog row for the child rows a cascade changes (MySQL 8.4 manual 17.19 'InnoDB and MySQL " +
        "Replication', 'Replication and CASCADE'), so the mover's stream would miss them"
      : "the copy and the deletes go table by table, so a checked constraint would fail the move half-way";
    return (
      `${child} has foreign key ${fk.name} (${fk.columns.join(", ")}) REFERENCES ${fk.parentSchema}.` +
      `${fk.parentTable} (${fk.parentColumns.join(", ")}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}: a slot ` +
      `move cannot carry tables tied by a foreign key (${why}); drop it (ALTER TABLE ${child} DROP FOREIGN KEY ` +
      `${fk.name}) and keep the relation in the application`
    );
  });
}
