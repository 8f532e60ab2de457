/**
 * The MySQL Shell AdminAPI scripts (plain JavaScript for `mysqlsh --js`, MySQL Shell 8.4) that form and converge each
 * shard's InnoDB Cluster. Each script is the helpers (ADMINAPI_HELPERS, plus SCRIPT_HELPERS for some) followed by the
 * script itself, read from this directory, so the scripts share helpers without mysqlsh's `require`. The remote
 * command runs one as `mysqlsh --js --no-wizard -f SCRIPT PARAMS_JSON SECRETS_JSON` (infra/mysql/remoteScript.ts).
 *
 * tests/model/adminapi runs this same text under Node against a model of the AdminAPI.
 */
import * as fs from "fs";
import * as path from "path";

export const ADMINAPI_SCRIPTS = [
  "configure-instance",
  "converge-cluster",
  "join-member",
  "leave-member",
  "setup-accounts",
] as const;
export type AdminApiScriptName = (typeof ADMINAPI_SCRIPTS)[number];

const cache = new Map<string, string>();

function read(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = fs.readFileSync(path.join(__dirname, file), "utf8");
    cache.set(file, text);
  }
  return text;
}

/** The helper files every script starts with, in this order (later ones use the earlier ones). */
export const ADMINAPI_HELPERS = ["common.js", "args.js", "cluster.js", "grants.js"] as const;

/** Helper files only some scripts use, after ADMINAPI_HELPERS. */
const SCRIPT_HELPERS: Partial<Record<AdminApiScriptName, readonly string[]>> = {
  "converge-cluster": ["restart.js"],
};

/** The files one script is made of, in order: the helpers it uses, then `<name>.js`. */
export function adminApiScriptFiles(name: AdminApiScriptName): string[] {
  if (!(ADMINAPI_SCRIPTS as readonly string[]).includes(name)) throw new Error(`unknown AdminAPI script "${name}"`);
  return [...ADMINAPI_HELPERS, ...(SCRIPT_HELPERS[name] ?? []), `${name}.js`];
}

/** The text of one script: its files (adminApiScriptFiles), joined with newlines. */
export function adminApiScript(name: AdminApiScriptName): string {
  return adminApiScriptFiles(name).map(read).join("\n");
}
