/**
 * How the migrate programs reach each shard: its Router's read-write port from the endpoints (routers.json of the
 * gamedb-endpoints ConfigMap, or one JSON file of that document), as gamedb_schema with the shard's password from a
 * JSON file `{"<shard id>": "<password>"}` (the Job's Secret). Passwords are read from the file only, never taken
 * from a command line, and never printed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as mysql from "mysql2/promise";
import { ENDPOINT_FILES, RoutersDocument, parseDocument, routersSchema } from "../../../infra/contracts/endpoints";

export interface ShardAccess {
  routers: RoutersDocument;
  passwords: Readonly<Record<string, string>>;
  user: string;
}

/** routers.json from a mounted directory, or the file itself. */
export function readRouters(location: string): RoutersDocument {
  const file = fs.statSync(location).isDirectory() ? path.join(location, ENDPOINT_FILES.routers) : location;
  return parseDocument(routersSchema, file, fs.readFileSync(file, "utf8"));
}

export function readPasswords(file: string): Record<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    // The text may hold passwords: the message says only what is wrong.
    throw new Error(`${file}: not a JSON object of shard id -> password (${(e as Error).name})`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error(`${file}: must be a JSON object of shard id -> password, such as {"1": "..."}`);
  }
  for (const [shard, pw] of Object.entries(raw)) {
    if (!/^\d+$/.test(shard) || typeof pw !== "string" || pw === "") {
      throw new Error(`${file}: entry "${shard}" must be a shard id with a non-empty password string`);
    }
  }
  return raw as Record<string, string>;
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
    if (password === undefined) throw new Error(`no password for shard ${shard} in the passwords file`);
    return mysql.createConnection({ ...extra, host: router.host, port, user: access.user, password });
  };
}
