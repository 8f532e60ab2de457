/**
 * Just enough of MySQL's statement grammar, over the tokens of statements.ts, to tell what a statement is, which
 * table it names and what an ALTER TABLE's actions are. The clause lists follow MySQL 8.4's sql/sql_yacc.yy
 * (alter_table_stmt: alter_commands_modifier_list, alter_list, standalone_alter_commands, alter_table_partition_options).
 */
import { Token, upper } from "./statements";
import type { StatementKind } from "./types";

/** An identifier's name: a word as written, a backtick-quoted one unquoted. */
export function identName(t: Token | undefined): string | undefined {
  if (!t) return undefined;
  if (t.type === "word") return t.text;
  if (t.type === "ident") return t.text.slice(1, -1).replace(/``/g, "`");
  return undefined;
}

/** `[db.]name` at `at`: the table's name and the index after it. */
export function tableNameAt(tokens: Token[], at: number): { table: string; next: number } | undefined {
  const first = identName(tokens[at]);
  if (first === undefined) return undefined;
  if (tokens[at + 1]?.text === "." && identName(tokens[at + 2]) !== undefined) {
    return { table: identName(tokens[at + 2])!, next: at + 3 };
  }
  return { table: first, next: at + 1 };
}

/** Index after the optional words at `at`, in any order. */
function skipWords(tokens: Token[], at: number, words: string[]): number {
  while (words.includes(upper(tokens[at]))) at++;
  return at;
}

export interface AlterTable {
  table: string;
  /** The actions between top-level commas; each non-empty. */
  actions: Token[][];
}

/** `ALTER [ONLINE] [IGNORE] TABLE [IF EXISTS] name actions...`, or undefined for any other statement. */
export function parseAlterTable(tokens: Token[]): AlterTable | undefined {
  if (upper(tokens[0]) !== "ALTER") return undefined;
  let at = skipWords(tokens, 1, ["ONLINE", "IGNORE"]);
  if (upper(tokens[at]) !== "TABLE") return undefined;
  at++;
  if (upper(tokens[at]) === "IF" && upper(tokens[at + 1]) === "EXISTS") at += 2;
  const name = tableNameAt(tokens, at);
  if (!name) return undefined;
  return { table: name.table, actions: splitTopLevel(tokens.slice(name.next), ",") };
}

/** Splits at `separator` tokens of depth 0; empty pieces are dropped. */
export function splitTopLevel(tokens: Token[], separator: string): Token[][] {
  const out: Token[][] = [];
  let piece: Token[] = [];
  for (const t of tokens) {
    if (t.depth === 0 && t.type === "punct" && t.text === separator) {
      if (piece.length > 0) out.push(piece);
      piece = [];
    } else {
      piece.push(t);
    }
  }
  if (piece.length > 0) out.push(piece);
  return out;
}

export const words = (tokens: Token[]): string[] => tokens.map(upper);

/** What the statement is, from its first words. */
export function statementKind(tokens: Token[]): StatementKind {
  const w = words(tokens);
  if (w[0] === "ALTER" && parseAlterTable(tokens)) return "alter-table";
  if (w[0] === "CREATE") {
    const at = skipWords(tokens, 1, ["OR", "REPLACE", "ONLINE", "OFFLINE", "UNIQUE", "FULLTEXT", "SPATIAL"]);
    if (w[at] === "INDEX") return "create-index";
    const table = skipWords(tokens, 1, ["TEMPORARY"]);
    if (w[table] === "TABLE") return "create-table";
  }
  if (w[0] === "DROP" && w[skipWords(tokens, 1, ["ONLINE", "OFFLINE"])] === "INDEX") return "drop-index";
  if (w[0] === "UPDATE") return "update";
  if (w[0] === "DELETE") return "delete";
  if (w[0] === "OPTIMIZE") return "optimize";
  return "other";
}

/**
 * Why a batched UPDATE or DELETE cannot take `LIMIT n`, or undefined if it can: MySQL allows LIMIT only on a
 * single-table UPDATE or DELETE (MySQL 8.4 manual 15.2.17 UPDATE and 15.2.2 DELETE: "For the multiple-table
 * syntax, ... LIMIT cannot be used").
 */
export function batchProblem(tokens: Token[], kind: StatementKind): string | undefined {
  if (kind !== "update" && kind !== "delete") {
    return "-- gamedb:batch applies to an UPDATE or DELETE statement only";
  }
  const top = tokens.filter((t) => t.depth === 0);
  const w = words(top);
  if (w.includes("LIMIT")) return "a batched statement must not have its own LIMIT: gamedb adds LIMIT <rows>";
  if (w.includes("JOIN") || w.includes("USING")) return "a batched statement must name one table (no JOIN/USING)";
  if (kind === "update") {
    const set = w.indexOf("SET");
    if (set < 0 || top.slice(0, set).some((t) => t.text === ",")) {
      return "a batched UPDATE must name one table (UPDATE t SET ... WHERE ...)";
    }
  } else {
    const from = skipWords(top, 1, ["LOW_PRIORITY", "QUICK", "IGNORE"]);
    const name = w[from] === "FROM" ? tableNameAt(top, from + 1) : undefined;
    const after = name ? (w[name.next] ?? "") : "";
    if (!name || !(after === "" || after === "WHERE" || after === "ORDER" || after === "AS" || after === "PARTITION")) {
      return "a batched DELETE must name one table (DELETE FROM t WHERE ...)";
    }
  }
  if (kind === "update" && !w.includes("WHERE")) {
    return (
      "a batched statement needs a WHERE that stops matching a row once it is changed (UPDATE ... WHERE col IS " +
      "NULL), or its chunks never end"
    );
  }
  if (kind === "update") return updateWhereProblem(top, w);
  return undefined;
}

/**
 * A batched UPDATE's chunks end only when changed rows stop matching, so its WHERE must test a column it sets
 * (`SET v = 2 WHERE v = 1`). One that does not (`SET x = x + 1 WHERE y = 1`) would change the same rows again in
 * every chunk: refused before it runs, since no guard at run time can undo a row changed twice. Necessary, not
 * sufficient: `SET v = v + 1 WHERE v > 0` passes and still never ends (the README asks for a WHERE that excludes
 * changed rows).
 */
function updateWhereProblem(top: Token[], w: string[]): string | undefined {
  const set = w.indexOf("SET");
  const where = w.indexOf("WHERE");
  const assigned = splitTopLevel(top.slice(set + 1, where), ",").flatMap((piece) => {
    const eq = piece.findIndex((t) => t.type === "punct" && t.text === "=");
    const name = eq > 0 ? identName(piece[eq - 1]) : undefined;
    return name ? [name.toLowerCase()] : [];
  });
  const tested = new Set(top.slice(where + 1).flatMap((t) => identName(t)?.toLowerCase() ?? []));
  if (assigned.length === 0 || assigned.some((c) => tested.has(c))) return undefined;
  return (
    `a batched UPDATE must test in its WHERE a column it sets, so a changed row stops matching (SET v = 2 WHERE ` +
    `v = 1); it sets ${assigned.join(", ")} and its WHERE tests none of them, so every chunk would change the ` +
    "same rows again"
  );
}
