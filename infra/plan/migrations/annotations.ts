/**
 * One SQL file read into statements with their annotations (infra/contracts/migrations.ts has the grammar):
 * `-- gamedb:sharded` may stand anywhere in a V file; `-- gamedb:allow-copy` and `-- gamedb:batch` apply to the next
 * statement and must stand on their own line between the previous statement's `;` and that statement, so which
 * statement they govern is never in doubt.
 */
import { Annotation, ShardedAnnotation, parseAnnotation } from "../../contracts/migrations";
import { Comment, splitStatements } from "./statements";
import { statementKind } from "./grammar";
import { decideExecution } from "./online";
import type { Statement } from "./types";

export interface ParsedSqlFile {
  statements: Statement[];
  sharded: ShardedAnnotation[];
  /** Every problem, each naming the file and line. */
  problems: string[];
}

/** Reads `text` (the file `file`); never throws. */
export function parseSqlFile(file: string, text: string): ParsedSqlFile {
  const split = splitStatements(text);
  const problems = split.problems.map((p) => `${file} ${p}`);
  const sharded: ShardedAnnotation[] = [];
  const at = (line: number, message: string) => problems.push(`${file} line ${line}: ${message}`);

  /** The annotation in a comment, with the misplaced kinds reported. */
  const read = (c: Comment): Annotation | undefined => {
    if (c.kind !== "dash") {
      if (/^\s*gamedb:/i.test(c.body)) at(c.line, `annotations are "-- gamedb:" line comments, not ${c.kind} comments`);
      return undefined;
    }
    const a = parseAnnotation(c.body);
    if (a === undefined) return undefined;
    if ("error" in a) {
      at(c.line, a.error);
      return undefined;
    }
    if (a.kind === "sharded") {
      sharded.push(a);
      return undefined;
    }
    return a;
  };

  const statements: Statement[] = split.statements.map((raw, index) => {
    let allowCopy = false;
    let batch: { rows?: number } | undefined;
    for (const c of raw.leading) {
      const a = read(c);
      if (!a) continue;
      if (!c.ownLine) {
        at(c.line, `-- gamedb:${a.kind} must stand on its own line, before the statement it applies to`);
      } else if (a.kind === "allow-copy") {
        allowCopy = true;
      } else if (a.kind === "batch") {
        if (batch) at(c.line, "a second -- gamedb:batch for the same statement");
        batch = a.rows === undefined ? {} : { rows: a.rows };
      }
    }
    for (const c of raw.inner) {
      const a = read(c);
      if (a) at(c.line, `-- gamedb:${a.kind} is inside a statement: put it on its own line before the statement`);
    }
    const kind = statementKind(raw.tokens);
    const decision = decideExecution(raw.tokens, raw.text, kind, { allowCopy, ...(batch ? { batch } : {}) });
    if (decision.problem) at(raw.line, decision.problem);
    return { index, line: raw.line, text: raw.text, kind, allowCopy, run: decision.run };
  });
  for (const c of split.trailing) {
    const a = read(c);
    if (a) at(c.line, `-- gamedb:${a.kind} is followed by no statement`);
  }
  return { statements, sharded, problems };
}
