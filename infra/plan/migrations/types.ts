/** The shapes the migration modules share: a parsed statement, file and migration. */
import type { ShardedAnnotation } from "../../contracts/migrations";

export type StatementKind =
  "alter-table" | "create-index" | "drop-index" | "create-table" | "update" | "delete" | "optimize" | "other";

/**
 * How the runner executes a statement (decided from the text alone, before anything runs):
 * - `as-written`: sent unchanged.
 * - `online`: each attempt in order; an attempt the server refuses as not online (errors 1845, 1846) moves on to
 *   the next; when all are refused, `fallback` (the statement as written, present only with allow-copy) runs, or
 *   the migration stops with the server's reasons.
 * - `batch`: `chunk` (the statement with `LIMIT rows`) repeated until it affects fewer than `rows` rows.
 */
export type Execution =
  { mode: "as-written" } | { mode: "online"; attempts: string[]; fallback?: string } | { mode: "batch"; rows?: number };

export interface Statement {
  /** 0-based position in its file. */
  index: number;
  /** 1-based line of its first token. */
  line: number;
  /** As written, without the `;` and surrounding comments. */
  text: string;
  kind: StatementKind;
  /** Annotated `-- gamedb:allow-copy`. */
  allowCopy: boolean;
  run: Execution;
}

export interface MigrationFile {
  /** File name (V0001__players.sql). */
  file: string;
  text: string;
  checksum: string;
  statements: Statement[];
}

export interface Migration {
  version: number;
  description: string;
  /** `V0001__players`. */
  name: string;
  up: MigrationFile;
  /** The U file, when there is one. */
  down?: MigrationFile;
  /** `-- gamedb:sharded` annotations of the V file. */
  sharded: ShardedAnnotation[];
}
