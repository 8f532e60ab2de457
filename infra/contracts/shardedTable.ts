/**
 * CONTRACT: what a sharded table must look like for the slot fence (./slotFence.ts) to guard it and for the slot
 * mover to copy it by slot: a `gamedb_slot SMALLINT UNSIGNED NOT NULL` column, an index that begins with it (the
 * primary key `(gamedb_slot, id)` is the usual one) and the three fence triggers.
 *
 * Written by: game studios' schema migrations. Read by: the client (client/src/tableDefinition.ts describes a live
 * table), schema installation and the slot mover, which refuse a table with problems.
 */
import { FenceTriggerNames, SLOT_COLUMN, fenceTriggerNames } from "./slotFence";

/** A table as information_schema describes it. */
export interface TableDefinition {
  schema: string;
  name: string;
  columns: {
    name: string;
    /** As information_schema.COLUMNS.COLUMN_TYPE: "smallint(5) unsigned" (MariaDB) or "smallint unsigned" (MySQL 8). */
    columnType: string;
    nullable: boolean;
  }[];
  /** Every index, PRIMARY included, with its columns in index order. */
  indexes: { name: string; columns: string[]; unique: boolean }[];
  /** The table's trigger names, when known; undefined skips the trigger check. */
  triggers?: string[];
}

/** SMALLINT UNSIGNED with or without a display width (MySQL 8.0.19+ no longer shows it), in any case. */
const SLOT_TYPE = /^smallint(\(\d+\))? unsigned$/i;

/** Every problem that keeps `def` from being a sharded table, each naming the table and the fix; [] if none. */
export function checkShardedTable(def: TableDefinition): string[] {
  const table = `${def.schema}.${def.name}`;
  const problems: string[] = [];
  const column = def.columns.find((c) => c.name.toLowerCase() === SLOT_COLUMN);
  if (!column) {
    problems.push(
      `${table} has no ${SLOT_COLUMN} column: add ${SLOT_COLUMN} SMALLINT UNSIGNED NOT NULL (the key's slot)`,
    );
  } else {
    if (!SLOT_TYPE.test(column.columnType.trim())) {
      problems.push(`${table}.${SLOT_COLUMN} is ${column.columnType}: make it SMALLINT UNSIGNED (slots are 0-16383)`);
    }
    if (column.nullable) {
      problems.push(`${table}.${SLOT_COLUMN} allows NULL: make it NOT NULL (a row without a slot cannot be fenced)`);
    }
  }
  const slotIndex = def.indexes.some((i) => i.columns[0]?.toLowerCase() === SLOT_COLUMN);
  if (!slotIndex) {
    problems.push(
      `${table} has no index beginning with ${SLOT_COLUMN}: make the primary key (${SLOT_COLUMN}, <id>) or add ` +
        `an index on (${SLOT_COLUMN}, ...) (the mover and the checksums read the table slot by slot)`,
    );
  }
  if (def.triggers !== undefined) {
    const have = new Set(def.triggers);
    let names: FenceTriggerNames;
    try {
      names = fenceTriggerNames(def.name);
    } catch (e) {
      return [...problems, `${table} cannot be fenced: ${(e as Error).message}; rename the table`];
    }
    for (const event of ["insert", "update", "delete"] as const) {
      if (!have.has(names[event])) {
        problems.push(
          `${table} has no fence trigger ${names[event]} (BEFORE ${event.toUpperCase()}): install it with ` +
            `fenceTriggersSql (infra/contracts/slotFence.ts)`,
        );
      }
    }
  }
  return problems;
}
