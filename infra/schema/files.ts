/**
 * Reads the migrations directory (gamedb:schema.migrations): every regular file's name and text, dot files and
 * directories skipped (a mounted ConfigMap's `..data` links among them). Parsing and checking them is the plan's
 * (infra/plan/migrations/files.ts loadMigrations); the program and the migrate programs read through this one function.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { SourceFile } from "../plan/migrations/files";

export function readMigrationFiles(dir: string): SourceFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new Error(`migrations directory ${dir} cannot be read: ${(e as Error).message}`);
  }
  const files: SourceFile[] = [];
  for (const name of names.sort()) {
    if (name.startsWith(".")) continue;
    const full = path.join(dir, name);
    if (!fs.statSync(full).isFile()) continue;
    files.push({ name, text: fs.readFileSync(full, "utf8") });
  }
  return files;
}
