/**
 * A migrations directory read and checked as a whole: every problem (bad names, duplicate versions, a U file
 * without its V, annotation and statement problems, a table declared sharded by two keys) is reported at once,
 * each naming its file, so one run of `plan` shows everything to fix.
 */
import {
  MIGRATION_FILE_HELP,
  MigrationFileName,
  formatVersion,
  migrationChecksum,
  parseMigrationFileName,
} from "../../contracts/migrations";
import { parseSqlFile } from "./annotations";
import type { Migration, MigrationFile } from "./types";

export interface SourceFile {
  name: string;
  text: string;
}

export class MigrationFilesError extends Error {
  constructor(
    readonly where: string,
    readonly problems: string[],
  ) {
    super(`${where}: ${problems.length} problem(s) in the migration files:\n  ${problems.join("\n  ")}`);
    this.name = "MigrationFilesError";
  }
}

/** The migrations in `files` (name + text), sorted by version; throws MigrationFilesError with every problem. */
export function loadMigrations(files: readonly SourceFile[], where = "migrations"): Migration[] {
  const problems: string[] = [];
  const ups = new Map<number, { name: MigrationFileName; file: SourceFile }>();
  const downs = new Map<number, { name: MigrationFileName; file: SourceFile }>();
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    if (file.name.startsWith(".") || !file.name.toLowerCase().endsWith(".sql")) continue;
    const name = parseMigrationFileName(file.name);
    if (!name) {
      problems.push(`${file.name}: not a migration file name: ${MIGRATION_FILE_HELP}`);
      continue;
    }
    const into = name.kind === "up" ? ups : downs;
    const prior = into.get(name.version);
    if (prior) {
      problems.push(`${file.name} and ${prior.file.name} both have version ${formatVersion(name.version)}`);
      continue;
    }
    into.set(name.version, { name, file });
  }
  for (const [version, down] of downs) {
    const up = ups.get(version);
    if (!up) problems.push(`${down.file.name} rolls back ${formatVersion(version)}, which has no V file`);
    else if (up.name.description !== down.name.description) {
      problems.push(`${down.file.name} and ${up.file.name} have different descriptions: name them alike`);
    }
  }

  const shardKeys = new Map<string, { key: string; file: string }>();
  const migrations: Migration[] = [];
  for (const version of [...ups.keys()].sort((a, b) => a - b)) {
    const up = ups.get(version)!;
    const parsedUp = parseSqlFile(up.file.name, up.file.text);
    problems.push(...parsedUp.problems);
    if (parsedUp.statements.length === 0) problems.push(`${up.file.name}: has no SQL statement`);
    for (const s of parsedUp.sharded) {
      const prior = shardKeys.get(s.table.toLowerCase());
      if (prior && prior.key.toLowerCase() !== s.key.toLowerCase()) {
        problems.push(
          `${up.file.name}: table ${s.table} is declared sharded by ${s.key}, but ${prior.file} declares it ` +
            `sharded by ${prior.key}: a table has one shard key`,
        );
      } else if (!prior) shardKeys.set(s.table.toLowerCase(), { key: s.key, file: up.file.name });
    }
    const upFile: MigrationFile = {
      file: up.file.name,
      text: up.file.text,
      checksum: migrationChecksum(up.file.text),
      statements: parsedUp.statements,
    };
    const down = downs.get(version);
    let downFile: MigrationFile | undefined;
    if (down) {
      const parsedDown = parseSqlFile(down.file.name, down.file.text);
      problems.push(...parsedDown.problems);
      if (parsedDown.sharded.length > 0) {
        problems.push(`${down.file.name}: -- gamedb:sharded belongs in V files (a rollback declares no table)`);
      }
      downFile = {
        file: down.file.name,
        text: down.file.text,
        checksum: migrationChecksum(down.file.text),
        statements: parsedDown.statements,
      };
    }
    migrations.push({
      version,
      description: up.name.description,
      name: up.name.name,
      up: upFile,
      ...(downFile ? { down: downFile } : {}),
      sharded: parsedUp.sharded,
    });
  }
  if (problems.length > 0) throw new MigrationFilesError(where, problems);
  return migrations;
}

/** Parses the text of a rollback recorded in schema_migrations (it is run as a U file would be). */
export function parseRecordedRollback(label: string, text: string): MigrationFile {
  const parsed = parseSqlFile(label, text);
  if (parsed.problems.length > 0) throw new MigrationFilesError(label, parsed.problems);
  return { file: label, text, checksum: migrationChecksum(text), statements: parsed.statements };
}
