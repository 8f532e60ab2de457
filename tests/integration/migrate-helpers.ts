/**
 * Three shards for the migrate programs' end-to-end tests, as the migration Job sees them: private MariaDB 10.11
 * servers (STAND-INS for each shard's Router rw port; scripts/lib/standins/mariadb.ts) listed in a routers.json, each
 * with the accounts setup-accounts makes on MySQL 8.4 (gamedb_schema and gamedb_app with exactly the grants of
 * infra/mysql/adminapi/grants.js, read from the script) and its own password in a passwords file. The Job's
 * config.json is planned from a test stack file (Pulumi.migtest.yaml) the way `pulumi up` and `npm run migrate`
 * plan it, so the Job and the operator CLI run one config.
 *
 * log_bin_trust_function_creators is on, as gamedb's my.cnf sets it on MySQL 8.4: with the binary log on, a
 * CREATE TRIGGER by an account without SUPER is refused otherwise.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as mysql from "mysql2/promise";
import { ACCOUNTS } from "../../infra/catalog/mysql";
import { FENCE_SCHEMA } from "../../infra/contracts/slotFence";
import type { MigrateJobConfig } from "../../infra/contracts/migrations";
import { keySlot } from "../../infra/contracts/slots";
import { planStackSchema } from "../../scripts/lib/migrations/stackSchema";
import { MariaDbFleet, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";
import { readStackConfig } from "../../scripts/lib/stackFile";
import { grantsList } from "../helpers/adminapiLists";

export const DATABASE = "game";
export const PROJECT_DIR = path.join(__dirname, "../..");
export const PROJECT_MIGRATIONS = path.join(PROJECT_DIR, "stacks/migrations");
const SHARDS = [1, 2, 3];

/** A dev stack with three active shards, a retired one (never migrated) and gamedb:schema. */
export function stackYaml(options: { schema?: boolean; concurrency?: number } = {}): string {
  const schema = options.schema ?? true;
  return [
    "config:",
    "  gamedb:environment: dev",
    "  gamedb:aws: {region: eu-west-1, availabilityZones: [eu-west-1a, eu-west-1b]}",
    "  gamedb:network: {mode: create, cidr: 10.40.0.0/16, natGateways: single}",
    "  gamedb:mysql: {instanceType: t3.large, dataVolume: {sizeGiB: 50}}",
    "  gamedb:shards:",
    '    - {id: 1, name: alpha, nodes: 1, state: active, slots: ["0-5460"]}',
    '    - {id: 2, name: bravo, nodes: 1, state: active, slots: ["5461-10922"]}',
    '    - {id: 3, name: charlie, nodes: 1, state: active, slots: ["10923-16383"]}',
    "    - {id: 4, name: delta, nodes: 1, state: retired, slots: []}",
    "  gamedb:redis: {controllerImage: registry.example.com/gamedb/redis-controller:0.1.0}",
    "  gamedb:backup: {restoreVerification: {image: registry.example.com/gamedb/restore-verify:0.1.0}}",
    "  gamedb:monitoring: {image: registry.example.com/gamedb/monitor:0.1.0}",
    "  gamedb:kubernetes: {awsAccess: {mode: podIdentity, clusterName: game-eks}}",
    ...(schema
      ? [
          "  gamedb:schema:",
          `    database: ${DATABASE}`,
          "    image: registry.example.com/gamedb/migrate:0.1.0",
          `    concurrency: ${options.concurrency ?? 3}`,
          "    partitioned: [{table: game_logs, column: logged_at, aheadDays: 3, keepDays: 30}]",
        ]
      : []),
    "",
  ].join("\n");
}

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** Calls a migrate program's main in-process, collecting what it prints. */
export async function capture(
  main: (argv: string[], io: { out: (s: string) => void; err: (s: string) => void }) => Promise<number>,
  argv: string[],
): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

export interface MigrateStandins {
  readonly fleet: MariaDbFleet;
  readonly dir: string;
  /** The test stack file (Pulumi.migtest.yaml). */
  readonly stackFile: string;
  /** The directory holding routers.json, as the gamedb-endpoints ConfigMap is mounted. */
  readonly endpoints: string;
  readonly passwordsFile: string;
  /** Every password, to prove none is ever printed. */
  readonly passwords: Readonly<Record<string, string>>;
  /** config.json as planned from the stack file. */
  readonly config: MigrateJobConfig;
  readonly configFile: string;
  /** Writes `config` to `name` in dir (another Job config) and returns its path. */
  writeConfig(name: string, config: MigrateJobConfig): string;
  /** A root connection to shard `id`, closed by stop(). */
  root(id: number): Promise<mysql.Connection>;
  /** A gamedb_app connection (the game servers' account) to shard `id`, closed by stop(). */
  app(id: number): Promise<mysql.Connection>;
  /** A player id whose slot shard `id` owns (or does not own, with `owned` false). */
  playerOf(id: number, owned?: boolean, skip?: number): number;
  stop(): Promise<void>;
}

const databaseLevel = (db: string) => "`" + db.replace(/([_%])/g, "\\$1") + "`.*";

/** The accounts as setup-accounts.js makes them on MySQL 8.4 (@'%', grants.js's lists, nothing global). */
async function createAccounts(conn: mysql.Connection, schemaPassword: string, appPassword: string): Promise<void> {
  const accounts = [
    {
      user: ACCOUNTS.schema,
      password: schemaPassword,
      grants: [
        { on: databaseLevel(DATABASE), privileges: grantsList("SCHEMA_DATABASE_PRIVILEGES") },
        { on: databaseLevel(FENCE_SCHEMA), privileges: grantsList("SCHEMA_META_PRIVILEGES") },
      ],
    },
    {
      user: ACCOUNTS.app,
      password: appPassword,
      grants: [
        { on: databaseLevel(DATABASE), privileges: grantsList("APP_DATABASE_PRIVILEGES") },
        { on: databaseLevel(FENCE_SCHEMA), privileges: grantsList("APP_META_PRIVILEGES") },
      ],
    },
  ];
  for (const a of accounts) {
    await conn.query("CREATE USER ?@'%' IDENTIFIED BY ?", [a.user, a.password]);
    for (const g of a.grants) await conn.query(`GRANT ${g.privileges.join(", ")} ON ${g.on} TO ?@'%'`, [a.user]);
  }
}

export async function startMigrateStandins(): Promise<MigrateStandins> {
  const fleet = await startMariaDbFleet(SHARDS.length, { extraArgs: ["--log-bin-trust-function-creators=1"] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-migrate-"));
  const secret = () => `pw-${randomBytes(12).toString("hex")}`;
  const passwords = Object.fromEntries(SHARDS.map((id) => [String(id), secret()]));
  const appPasswords = Object.fromEntries(SHARDS.map((id) => [String(id), secret()]));
  const opened: mysql.Connection[] = [];
  const server = (id: number) => {
    const s = fleet.servers[id - 1];
    if (!s) throw new Error(`no stand-in for shard ${id}`);
    return s;
  };
  const track = async (conn: Promise<mysql.Connection>) => {
    const c = await conn;
    opened.push(c);
    return c;
  };
  for (const id of SHARDS) {
    const conn = await server(id).connect();
    await createAccounts(conn, passwords[String(id)]!, appPasswords[String(id)]!);
    await conn.end();
  }

  const endpoints = path.join(dir, "endpoints");
  fs.mkdirSync(endpoints);
  const routers = Object.fromEntries(
    SHARDS.map((id) => [`shard${id}`, { host: "127.0.0.1", ports: { rw: server(id).port, ro: server(id).port } }]),
  );
  fs.writeFileSync(path.join(endpoints, "routers.json"), JSON.stringify(routers, null, 2));
  const passwordsFile = path.join(dir, "passwords.json");
  fs.writeFileSync(passwordsFile, JSON.stringify(passwords), { mode: 0o600 });
  const stackFile = path.join(dir, "Pulumi.migtest.yaml");
  fs.writeFileSync(stackFile, stackYaml());
  const config = planStackSchema(readStackConfig(stackFile, { projectDir: PROJECT_DIR }), PROJECT_DIR).jobConfig;
  const writeConfig = (name: string, c: MigrateJobConfig) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(c, null, 2));
    return file;
  };
  const owner = (slot: number) => config.slotMap.find((r) => r.from <= slot && slot <= r.to)!.shard;
  return {
    fleet,
    dir,
    stackFile,
    endpoints,
    passwordsFile,
    passwords,
    config,
    configFile: writeConfig("config.json", config),
    writeConfig,
    root: (id) => track(server(id).connect()),
    app: (id) => track(server(id).connect({ user: ACCOUNTS.app, password: appPasswords[String(id)]! })),
    playerOf(id, owned = true, skip = 0) {
      for (let p = 1; ; p++) if ((owner(keySlot(p)) === id) === owned && skip-- <= 0) return p;
    },
    async stop() {
      await Promise.all(opened.map((c) => c.end().catch(() => undefined)));
      await fleet.stopAll();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every table and trigger of the game database on a shard, as "table" and "table:trigger". */
export async function schemaOf(conn: mysql.Connection): Promise<string[]> {
  const [tables] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1",
    [DATABASE],
  );
  const [triggers] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT EVENT_OBJECT_TABLE AS t, TRIGGER_NAME AS n, DEFINER AS d FROM information_schema.TRIGGERS " +
      "WHERE TRIGGER_SCHEMA = ? ORDER BY 1, 2",
    [DATABASE],
  );
  return [...tables.map((r) => String(r.t)), ...triggers.map((r) => `${r.t}:${r.n} by ${r.d}`)];
}

/** The ledger of a shard: version -> state. */
export async function ledgerOf(conn: mysql.Connection): Promise<Record<number, string>> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    `SELECT version, state FROM ${FENCE_SCHEMA}.schema_migrations ORDER BY version`,
  );
  return Object.fromEntries(rows.map((r) => [Number(r.version), String(r.state)]));
}
