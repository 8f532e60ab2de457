/**
 * The primary key of each table as the migrations define it, followed statement by statement (CREATE TABLE,
 * ALTER TABLE ADD/DROP PRIMARY KEY, DROP/CHANGE COLUMN, DROP TABLE), so the copy classifier can tell that dropping
 * a column rebuilds the clustered index. Offline and best effort: a table created another way (LIKE, AS SELECT)
 * is simply unknown.
 */
import type { Token } from "./statements";
import { identName, parseAlterTable, splitTopLevel, tableNameAt, words } from "./grammar";

/** Lower-case table name -> lower-case primary key columns, in key order. */
export type PrimaryKeys = Map<string, string[]>;

const lower = (s: string | undefined) => (s ?? "").toLowerCase();

/** The key columns of `PRIMARY KEY (a, b(10), c DESC)` starting at the `(` index. */
function keyColumns(tokens: Token[], open: number): string[] {
  const depth = tokens[open]!.depth + 1;
  const inside: Token[] = [];
  for (let i = open + 1; i < tokens.length && !(tokens[i]!.text === ")" && tokens[i]!.depth === depth - 1); i++) {
    inside.push(tokens[i]!);
  }
  const parts: Token[][] = [];
  let part: Token[] = [];
  for (const t of inside) {
    if (t.depth === depth && t.text === ",") {
      parts.push(part);
      part = [];
    } else part.push(t);
  }
  parts.push(part);
  return parts.map((p) => lower(identName(p[0]))).filter((c) => c !== "");
}

/** `PRIMARY KEY (...)` inside `tokens`: its columns, or undefined. */
function primaryKeyIn(tokens: Token[]): string[] | undefined {
  const w = words(tokens);
  for (let i = 0; i < w.length - 1; i++) {
    if (w[i] === "PRIMARY" && w[i + 1] === "KEY") {
      const open = tokens.findIndex((t, k) => k > i + 1 && t.text === "(");
      return open > 0 ? keyColumns(tokens, open) : undefined;
    }
  }
  return undefined;
}

/** Applies one statement's effect on primary keys to `keys`. */
export function trackPrimaryKeys(keys: PrimaryKeys, tokens: Token[]): void {
  const w = words(tokens);
  if (w[0] === "CREATE" && w.includes("TABLE")) {
    let at = w.indexOf("TABLE") + 1;
    if (w[at] === "IF" && w[at + 1] === "NOT" && w[at + 2] === "EXISTS") at += 3;
    const name = tableNameAt(tokens, at);
    if (!name || tokens[name.next]?.text !== "(") return;
    const body = tokens.filter((t, i) => i > name.next && t.depth >= 1);
    const elements = splitTopLevel(
      body.map((t) => ({ ...t, depth: t.depth - 1 })),
      ",",
    );
    for (const element of elements) {
      const ew = words(element);
      const first = ew[0] === "CONSTRAINT" ? ew.indexOf("PRIMARY") : 0;
      if (ew[first] === "PRIMARY" && ew[first + 1] === "KEY") {
        const cols = primaryKeyIn(element);
        if (cols) keys.set(lower(name.table), cols);
      } else if (ew.includes("PRIMARY") && ew[ew.indexOf("PRIMARY") + 1] === "KEY") {
        keys.set(lower(name.table), [lower(identName(element[0]))]);
      }
    }
    return;
  }
  if (w[0] === "DROP" && w[1] === "TABLE") {
    const at = w[2] === "IF" && w[3] === "EXISTS" ? 4 : 2;
    for (const piece of splitTopLevel(tokens.slice(at), ",")) keys.delete(lower(identName(piece[piece.length - 1])));
    return;
  }
  const alter = parseAlterTable(tokens);
  if (!alter) return;
  const table = lower(alter.table);
  for (const action of alter.actions) {
    const aw = words(action);
    if (aw[0] === "DROP" && aw[1] === "PRIMARY") keys.delete(table);
    else if (aw[0] === "ADD" && aw.includes("PRIMARY")) {
      const cols = primaryKeyIn(action);
      if (cols) keys.set(table, cols);
    } else if (aw[0] === "DROP" && !["INDEX", "KEY", "FOREIGN", "CHECK", "CONSTRAINT", "PARTITION"].includes(aw[1]!)) {
      const column = lower(identName(action[aw[1] === "COLUMN" ? 2 : 1]));
      const pk = keys.get(table);
      if (pk?.includes(column))
        keys.set(
          table,
          pk.filter((c) => c !== column),
        );
    } else if (aw[0] === "CHANGE" || (aw[0] === "RENAME" && aw[1] === "COLUMN")) {
      const from = aw[0] === "CHANGE" ? (aw[1] === "COLUMN" ? 2 : 1) : 2;
      const to = aw[0] === "CHANGE" ? from + 1 : 4;
      const [a, b] = [lower(identName(action[from])), lower(identName(action[to]))];
      const pk = keys.get(table);
      if (pk && a && b)
        keys.set(
          table,
          pk.map((c) => (c === a ? b : c)),
        );
    }
  }
}

/** Whether `column` (any case) is part of `table`'s known primary key. */
export function inPrimaryKey(keys: ReadonlyMap<string, readonly string[]>, table: string, column: string): boolean {
  return keys.get(lower(table))?.includes(lower(column)) ?? false;
}
