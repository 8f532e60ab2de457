/**
 * How the migrate programs reach each shard: its Router's read-write port from the endpoints (routers.json of the
 * gamedb-endpoints ConfigMap, or one JSON file of that document), as gamedb_schema with the shard's password from a
 * JSON document `{"<shard id>": "<password>"}` (the Job's Secret, or the operator's file or environment variable).
 * Passwords are never taken from a command line and never printed: an error about the document names what is
 * wrong and where, never its text.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as mysql from "mysql2/promise";
import { ENDPOINT_FILES, RoutersDocument, parseDocument, routersSchema } from "../../../infra/contracts/endpoints";

export interface ShardAccess {
  routers: RoutersDocument;
  passwords: Readonly<Record<string, string>>;
  /** Where the passwords came from, for messages (a file name, or the environment variable's name). */
  passwordsFrom: string;
  user: string;
}

/** routers.json from a mounted directory, or the file itself. */
export function readRouters(location: string): RoutersDocument {
  let file = location;
  try {
    if (fs.statSync(location).isDirectory()) file = path.join(location, ENDPOINT_FILES.routers);
  } catch (e) {
    throw new Error(`endpoints ${location} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`endpoints ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return parseDocument(routersSchema, file, text);
}

/**
 * The passwords document `text`, read from `source` (a file name, or the environment variable's name). Errors
 * name the source and the entry by position: a JSON parser's message quotes the text, and a malformed document's
 * key may be a password.
 */
export function parsePasswords(source: string, text: string): Record<string, string> {
  const shape = `a JSON object of shard id -> password, such as {"1": "..."}`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).name}); it must be ${shape}`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${source}: must be ${shape}`);
  Object.entries(raw).forEach(([shard, pw], i) => {
    if (!/^\d+$/.test(shard)) {
      throw new Error(
        `${source}: the key of entry ${i + 1} is not a shard id (a number such as "1"); it must be ${shape}`,
      );
    }
    if (typeof pw !== "string" || pw === "") {
      throw new Error(`${source}: shard ${shard}'s password must be a non-empty string`);
    }
  });
  return raw as Record<string, string>;
}

export function readPasswords(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`passwords file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return parsePasswords(file, text);
}

/** A connector for the shards of `access`; refuses a shard without a Router or a password, naming it. */
export function connector(
  access: ShardAccess,
  extra: mysql.ConnectionOptions = {},
): (shard: number) => Promise<mysql.Connection> {
  return async (shard) => {
    const router = access.routers[`shard${shard}`];
    if (!router) throw new Error(`shard ${shard} has no Router in routers.json`);
    const port = router.ports.rw;
    if (port === undefined) throw new Error(`shard ${shard}'s Router has no rw port in routers.json`);
    const password = access.passwords[String(shard)];
    if (password === undefined) throw new Error(`no password for shard ${shard} in ${access.passwordsFrom}`);
    return mysql.createConnection({ ...extra, host: router.host, port, user: access.user, password });
  };
}
