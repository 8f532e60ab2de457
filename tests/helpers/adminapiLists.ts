/**
 * Lists the AdminAPI helper scripts define (infra/mysql/adminapi/grants.js), read from the script's text: it is a
 * MySQL Shell script, not a module, and tests must use its lists rather than copies of them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const GRANTS_JS = join(__dirname, "../../infra/mysql/adminapi/grants.js");

/** The lists grants.js defines. */
export type GrantsListName =
  | "BACKUP_PRIVILEGES"
  | "ADMIN_EXTRA_PRIVILEGES"
  | "SCHEMA_DATABASE_PRIVILEGES"
  | "SCHEMA_META_PRIVILEGES"
  | "APP_DATABASE_PRIVILEGES"
  | "APP_META_PRIVILEGES"
  | "MOVER_GLOBAL_PRIVILEGES"
  | "MOVER_DATABASE_PRIVILEGES"
  | "MOVER_META_PRIVILEGES"
  | "MOVER_PERFORMANCE_SCHEMA_PRIVILEGES";

/** The string array `var NAME = [...]` in grants.js. */
export function grantsList(name: GrantsListName): string[] {
  const m = new RegExp(`var ${name} = (\\[[^\\]]*\\]);`).exec(readFileSync(GRANTS_JS, "utf8"));
  if (!m) throw new Error(`grants.js defines no ${name}`);
  return JSON.parse(m[1]!.replace(/,\s*\]$/, "]")) as string[];
}
