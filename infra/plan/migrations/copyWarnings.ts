/**
 * Statements known to copy the table, block writes or rebuild it on MySQL 8.4, for the offline plan and the PR
 * comment: read from the text before anything runs. Every rule cites the row of the MySQL 8.4 Reference Manual,
 * 17.12.1 "Online DDL Operations" (dev.mysql.com/doc/refman/8.4/en/innodb-online-ddl-operations.html) it follows.
 *
 * These are MySQL 8.4's rules, not MariaDB's: the stand-ins (MariaDB 10.11) differ, e.g. MariaDB converts a
 * character set or widens some integer types in place or instantly where MySQL copies, and refuses ALGORITHM/LOCK
 * on partition clauses (tests/unit/migrations-copy.test.ts lists the differences).
 */
import { splitStatements, Token, upper } from "./statements";
import { identName, parseAlterTable, statementKind, words } from "./grammar";
import { partitionClause } from "./online";
import { inPrimaryKey, PrimaryKeys, trackPrimaryKeys } from "./primaryKeys";
import type { Migration } from "./types";

/**
 * - `copy`: ALGORITHM=COPY only: the table is copied and writes wait until it is done.
 * - `blocks-writes`: in place, but concurrent DML is not permitted.
 * - `rebuild`: the table is rebuilt in place (every row rewritten); writes continue, but it takes long and space.
 * - `copy-if-type-changes`: a column redefinition that copies if it changes the data type.
 */
export type CopyEffect = "copy" | "blocks-writes" | "rebuild" | "copy-if-type-changes";

export interface CopyWarning {
  table?: string;
  operation: string;
  effect: CopyEffect;
  /** The manual's section and table row the rule follows. */
  manual: string;
}

const M = "MySQL 8.4 manual 17.12.1 Online DDL Operations";
const ROW = {
  fulltext: `${M}, Index Operations: "Adding a FULLTEXT index" (In Place Yes*, Permits Concurrent DML No)`,
  spatial: `${M}, Index Operations: "Adding a SPATIAL index" (In Place Yes, Permits Concurrent DML No)`,
  addPk: `${M}, Primary Key Operations: "Adding a primary key" (Rebuilds Table Yes*; restructuring the clustered index copies the table's data)`,
  dropPk: `${M}, Primary Key Operations: "Dropping a primary key" (In Place No, Permits Concurrent DML No)`,
  replacePk: `${M}, Primary Key Operations: "Dropping a primary key and adding another" (In Place Yes, Rebuilds Table Yes)`,
  dropPkColumn: `${M}, Primary Key Operations: a primary key column dropped changes the primary key, which rebuilds the clustered index`,
  columnType: `${M}, Column Operations: "Changing the column data type" (In Place No, Permits Concurrent DML No)`,
  reorder: `${M}, Column Operations: "Reordering columns" (Instant No, Rebuilds Table Yes)`,
  autoInc: `${M}, Column Operations: "Adding a column" (Permits Concurrent DML Yes*: not when adding an AUTO_INCREMENT column)`,
  stored: `${M}, Generated Column Operations: "Adding a STORED column" / "Modifying STORED column order" (In Place No)`,
  fk: `${M}, Foreign Key Operations: "Adding a foreign key constraint" (INPLACE only with foreign_key_checks disabled, else COPY)`,
  convert: `${M}, Table Operations: "Converting a character set" (In Place No, Permits Concurrent DML No)`,
  charset: `${M}, Table Operations: "Specifying a character set" (Rebuilds Table Yes* if the new encoding differs)`,
  rowFormat: `${M}, Table Operations: "Changing the ROW_FORMAT" (Rebuilds Table Yes)`,
  keyBlock: `${M}, Table Operations: "Changing the KEY_BLOCK_SIZE" (Rebuilds Table Yes)`,
  force: `${M}, Table Operations: "Rebuilding with the FORCE option" / "Performing a null rebuild" (Rebuilds Table Yes)`,
  optimize: `${M}, Table Operations: "Optimizing a table" (Rebuilds Table Yes; a table copy if it has a FULLTEXT index)`,
  encryption: `${M}, Tablespace Operations: "Enabling or disabling file-per-table tablespace encryption" (In Place No)`,
  partitionBy: `${M}, Partitioning Operations: "PARTITION BY" / "REMOVE PARTITIONING" (ALGORITHM=COPY only, Permits Concurrent DML No)`,
  partitionBlocking: `${M}, Partitioning Operations: REORGANIZE, COALESCE, REBUILD, OPTIMIZE, DISCARD, IMPORT PARTITION (Permits Concurrent DML No)`,
  algorithmCopy: `${M}: the statement asks for ALGORITHM=COPY itself`,
  lockShared: `${M}: the statement asks for LOCK=SHARED or LOCK=EXCLUSIVE itself`,
};

const COLUMN_ACTIONS_NOT_COLUMNS = [
  "INDEX",
  "KEY",
  "PRIMARY",
  "UNIQUE",
  "FULLTEXT",
  "SPATIAL",
  "CONSTRAINT",
  "FOREIGN",
];
const TABLE_OPTIONS: Record<string, { effect: CopyEffect; manual: string; operation: string }> = {
  ROW_FORMAT: { effect: "rebuild", manual: ROW.rowFormat, operation: "ROW_FORMAT change" },
  KEY_BLOCK_SIZE: { effect: "rebuild", manual: ROW.keyBlock, operation: "KEY_BLOCK_SIZE change" },
  ENGINE: { effect: "rebuild", manual: ROW.force, operation: "ENGINE (a null rebuild)" },
  ENCRYPTION: { effect: "copy", manual: ROW.encryption, operation: "ENCRYPTION change" },
  CHARACTER: { effect: "rebuild", manual: ROW.charset, operation: "table character set change" },
  CHARSET: { effect: "rebuild", manual: ROW.charset, operation: "table character set change" },
  COLLATE: { effect: "rebuild", manual: ROW.charset, operation: "table collation change" },
};

/** Whether the ALTER adds and drops a primary key (together they are one in-place rebuild). */
interface PkChange {
  adds: boolean;
  drops: boolean;
}
const isStored = (w: string[]) => (w.includes("STORED") || w.includes("PERSISTENT")) && w.includes("AS");

/** Warnings for one ALTER TABLE action (tokens between top-level commas). */
function actionWarnings(action: Token[], pk: PkChange, table: string, keys: PrimaryKeys): Omit<CopyWarning, "table">[] {
  const w = words(action);
  const out: Omit<CopyWarning, "table">[] = [];
  const add = (operation: string, effect: CopyEffect, manual: string) => out.push({ operation, effect, manual });
  const value = (i: number) => upper(action[i + 1]?.text === "=" ? action[i + 2] : action[i + 1]);
  switch (w[0]) {
    case "ALGORITHM":
      if (value(0) === "COPY") add("ALGORITHM=COPY", "copy", ROW.algorithmCopy);
      return out;
    case "LOCK":
      if (value(0) === "SHARED" || value(0) === "EXCLUSIVE") add(`LOCK=${value(0)}`, "blocks-writes", ROW.lockShared);
      return out;
    case "ADD": {
      const what = w[1] === "CONSTRAINT" ? w.find((x) => ["PRIMARY", "UNIQUE", "FOREIGN", "CHECK"].includes(x)) : w[1];
      if (what === "FULLTEXT") add("ADD FULLTEXT INDEX", "blocks-writes", ROW.fulltext);
      else if (what === "SPATIAL") add("ADD SPATIAL INDEX", "blocks-writes", ROW.spatial);
      else if (what === "PRIMARY") {
        if (pk.drops) add("DROP PRIMARY KEY, ADD PRIMARY KEY", "rebuild", ROW.replacePk);
        else add("ADD PRIMARY KEY", "rebuild", ROW.addPk);
      } else if (what === "FOREIGN") add("ADD FOREIGN KEY", "copy", ROW.fk);
      else if (!COLUMN_ACTIONS_NOT_COLUMNS.includes(what ?? "") && what !== "CHECK" && what !== "PARTITION") {
        if (isStored(w)) add("ADD a STORED generated column", "copy", ROW.stored);
        if (w.includes("AUTO_INCREMENT")) add("ADD an AUTO_INCREMENT column", "blocks-writes", ROW.autoInc);
      }
      return out;
    }
    case "DROP":
      if (w[1] === "PRIMARY") {
        if (!pk.adds) add("DROP PRIMARY KEY", "copy", ROW.dropPk);
      } else if (!["INDEX", "KEY", "FOREIGN", "CHECK", "CONSTRAINT", "PARTITION"].includes(w[1] ?? "")) {
        const column = identName(action[w[1] === "COLUMN" ? 2 : 1]);
        if (column && inPrimaryKey(keys, table, column) && !pk.adds) {
          add(`DROP COLUMN ${column} (part of the primary key)`, "rebuild", ROW.dropPkColumn);
        }
      }
      return out;
    case "MODIFY":
    case "CHANGE": {
      const nameAt = w[1] === "COLUMN" ? 2 : 1;
      const column = identName(action[nameAt]) ?? "?";
      if (isStored(w)) add(`${w[0]} ${column} (a STORED generated column)`, "copy", ROW.stored);
      else add(`${w[0]} COLUMN ${column}`, "copy-if-type-changes", ROW.columnType);
      if (w.includes("FIRST") || w.includes("AFTER")) add(`${w[0]} ${column} ... FIRST/AFTER`, "rebuild", ROW.reorder);
      return out;
    }
    case "CONVERT":
      add("CONVERT TO CHARACTER SET", "copy", ROW.convert);
      return out;
    case "FORCE":
      add("FORCE", "rebuild", ROW.force);
      return out;
  }
  // Table options, possibly several separated by spaces: ROW_FORMAT=... KEY_BLOCK_SIZE=... [DEFAULT] CHARSET=...
  for (const word of w) {
    const option = TABLE_OPTIONS[word];
    if (option && !out.some((o) => o.operation === option.operation))
      add(option.operation, option.effect, option.manual);
  }
  return out;
}

/**
 * What `statement` (one SQL statement's text) does that MySQL 8.4 cannot do online; [] if nothing known.
 * `keys` (from trackPrimaryKeys over the earlier statements) lets a dropped primary-key column be recognised.
 */
export function copyWarnings(statement: string, keys: PrimaryKeys = new Map()): CopyWarning[] {
  const tokens = splitStatements(statement).statements[0]?.tokens ?? [];
  const kind = statementKind(tokens);
  const w = words(tokens);
  if (kind === "create-index") {
    const table = tableOn(tokens);
    if (w.includes("FULLTEXT"))
      return [{ table, operation: "CREATE FULLTEXT INDEX", effect: "blocks-writes", manual: ROW.fulltext }];
    if (w.includes("SPATIAL"))
      return [{ table, operation: "CREATE SPATIAL INDEX", effect: "blocks-writes", manual: ROW.spatial }];
    return [];
  }
  if (kind === "optimize") return [{ operation: "OPTIMIZE TABLE", effect: "rebuild", manual: ROW.optimize }];
  const alter = kind === "alter-table" ? parseAlterTable(tokens) : undefined;
  if (!alter) return [];
  const table = alter.table;
  const partition = partitionClause(alter.actions);
  if (partition?.blocksWrites) {
    const by = partition.clause === "PARTITION BY" || partition.clause === "REMOVE PARTITIONING";
    return [
      {
        table,
        operation: partition.clause,
        effect: by ? "copy" : "blocks-writes",
        manual: by ? ROW.partitionBy : ROW.partitionBlocking,
      },
    ];
  }
  if (partition) return [];
  const pk: PkChange = {
    adds: alter.actions.some((a) => words(a)[0] === "ADD" && words(a).includes("PRIMARY")),
    drops: alter.actions.some((a) => words(a)[0] === "DROP" && words(a)[1] === "PRIMARY"),
  };
  return alter.actions.flatMap((a) => actionWarnings(a, pk, table, keys).map((x) => ({ table, ...x })));
}

function tableOn(tokens: Token[]): string | undefined {
  const on = words(tokens).indexOf("ON");
  return on > 0 ? identName(tokens[on + 1]) : undefined;
}

const EFFECT_TEXT: Record<CopyEffect, string> = {
  copy: "copies the table and blocks writes",
  "blocks-writes": "blocks writes while it runs",
  rebuild: "rebuilds the table (writes continue; time and space grow with the table)",
  "copy-if-type-changes": "copies the table and blocks writes if it changes the column's data type",
};

/** `players: MODIFY COLUMN level copies the table ... (MySQL 8.4 manual ...)`. */
export function formatCopyWarning(w: CopyWarning): string {
  return `${w.table ? `${w.table}: ` : ""}${w.operation} ${EFFECT_TEXT[w.effect]} (${w.manual})`;
}

export interface StatementWarnings {
  version: number;
  file: string;
  /** 1-based. */
  statement: number;
  line: number;
  /** The statement is annotated `-- gamedb:allow-copy`. */
  allowCopy: boolean;
  warnings: CopyWarning[];
}

/** The warnings of every statement of `migrations` (in version order, primary keys followed across them). */
export function migrationCopyWarnings(migrations: readonly Migration[]): StatementWarnings[] {
  const keys: PrimaryKeys = new Map();
  const out: StatementWarnings[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    for (const s of m.up.statements) {
      const warnings = copyWarnings(s.text, keys);
      if (warnings.length > 0) {
        out.push({
          version: m.version,
          file: m.up.file,
          statement: s.index + 1,
          line: s.line,
          allowCopy: s.allowCopy,
          warnings,
        });
      }
      trackPrimaryKeys(keys, splitStatements(s.text).statements[0]?.tokens ?? []);
    }
  }
  return out;
}
