/** The migrations of a directory, read (infra/schema/files.ts) and checked (infra/plan/migrations/files.ts). */
import { readMigrationFiles } from "../../../infra/schema/files";
import { loadMigrations } from "../../../infra/plan/migrations/files";
import type { Migration } from "../../../infra/plan/migrations/types";

/** Throws naming the directory when it cannot be read, or MigrationFilesError with every problem. */
export function readMigrations(dir: string): Migration[] {
  return loadMigrations(readMigrationFiles(dir), dir);
}
