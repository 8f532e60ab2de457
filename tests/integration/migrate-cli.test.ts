/**
 * The operator's `npm run migrate` (scripts/cli/migrate.ts) with a test stack file (--stack-file): plan offline,
 * then status, apply and rollback on three MariaDB 10.11 stand-ins as gamedb_schema with the grants it has on MySQL
 * 8.4 (migrate-helpers.ts), with the config planned from the stack as the platform plans it. Usage mistakes exit 2,
 * a stack or input that is wrong exits 1 naming the problem, and no password is ever printed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT, PASSWORDS_ENV, main } from "../../scripts/cli/migrate";
import type { MigratePlanDocument } from "../../scripts/lib/migrations/planReport";
import { MigrateStandins, Run, ledgerOf, schemaOf, stackYaml, startMigrateStandins } from "./migrate-helpers";

let shards: MigrateStandins;
const runs: Run[] = [];

beforeAll(async () => {
  shards = await startMigrateStandins();
}, 120_000);
afterAll(async () => {
  await shards?.stop();
});

/** The CLI in-process; `env` is its environment (none by default: the passwords come from a file then). */
async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
  const run = { code, out: out.join("\n"), err: err.join("\n") };
  runs.push(run);
  return run;
}

const stack = () => ["--stack-file", shards.stackFile];
const access = () => ["--endpoints", shards.endpoints, "--passwords-file", shards.passwordsFile];
/** The report's table rows, cells joined by one space. */
const rowsOf = (out: string) =>
  out
    .split("\n")
    .filter((l) => /^\d+ /.test(l))
    .map((l) => l.split(/\s+/).join(" "));

function writeStack(name: string, text: string): string {
  const file = path.join(shards.dir, `Pulumi.${name}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

describe("plan: offline", () => {
  it("lists the migrations in order with rollback and sharded tables, and the shards it would migrate", async () => {
    // No --endpoints and no passwords: plan reads no database.
    const run = await cli([...stack(), "plan"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(EXIT.ok);
    const lines = run.out.split("\n");
    expect(lines.slice(0, 2)).toEqual([
      "stack migtest: database game, migrations from stacks/migrations",
      "shards it would migrate (3 at once): 1 (active), 2 (active), 3 (active)",
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^V0001__players\s+yes\s+players\s+[0-9a-f]{12}$/),
        expect.stringMatching(/^V0002__game_logs\s+yes\s+game_logs\s+[0-9a-f]{12}$/),
        "MySQL 8.4 copy warnings: none",
        "  game_logs by day of logged_at: 3 days ahead, archived after 30 days",
      ]),
    );
  });

  it("--json: the Job's shards (the retired shard 4 left out) and a summary of each migration", async () => {
    const run = await cli([...stack(), "plan", "--json"]);
    expect(run.code).toBe(EXIT.ok);
    const doc = JSON.parse(run.out) as MigratePlanDocument;
    expect(doc).toMatchObject({
      stack: "migtest",
      database: "game",
      concurrency: 3,
      shards: shards.config.shards,
      partitioned: shards.config.partitioned,
    });
    expect(doc.shards.map((s) => s.id)).toEqual([1, 2, 3]);
    expect(doc.migrations.map((m) => [m.name, m.rollback, m.sharded, m.warnings])).toEqual([
      ["V0001__players", true, ["players"], []],
      ["V0002__game_logs", true, ["game_logs"], []],
    ]);
  });

  it("refuses a stack without gamedb:schema, naming it", async () => {
    const file = writeStack("noschema", stackYaml({ schema: false }));
    const run = await cli(["--stack-file", file, "plan"]);
    expect(run.code).toBe(EXIT.failed);
    expect(run.out).toBe("");
    expect(run.err).toMatch(/^migrate: stack noschema has no gamedb:schema: gamedb creates no game database/);
  });

  it("an invalid stack config: exit 1 with the problem named", async () => {
    const file = writeStack("badschema", stackYaml().replace("concurrency: 3", "concurrency: 0"));
    const run = await cli(["--stack-file", file, "plan"]);
    expect(run.code).toBe(EXIT.failed);
    expect(run.err).toMatch(/gamedb:schema\.concurrency/);
  });

  it.each([
    [["plan"], /give --stack NAME or --stack-file FILE/],
    [["--stack", "no-such-stack", "plan"], /no stack file .*Pulumi\.no-such-stack\.yaml/],
    [["--stack-file", "/nonexistent/Pulumi.x.yaml", "plan"], /cannot read \/nonexistent\/Pulumi\.x\.yaml/],
    [["--stack", "x", "migrate"], /unknown command "migrate"; use one of plan, apply, status, rollback/],
    [["--stack", "x", "plan", "3"], /plan takes no argument/],
    [["--stack", "x", "rollback"], /rollback: no version given; give a positive integer such as 3 or 0003/],
    [["--stack", "x", "rollback", "v2"], /rollback: "v2" is not a migration version/],
    [["--stack", "x", "apply"], /apply needs --endpoints/],
    [["--stack", "x", "status", "--endpoints", "e"], /needs the passwords: --passwords-file FILE or GAMEDB_SCHEMA/],
  ])("bad usage %j: exit 2", async (argv, message) => {
    const run = await cli(argv);
    expect(run.code).toBe(EXIT.usage);
    expect(run.err).toMatch(message);
  });

  it("passwords given two ways: exit 2", async () => {
    const run = await cli([...stack(), "status", ...access()], { [PASSWORDS_ENV]: "{}" });
    expect(run.code).toBe(EXIT.usage);
    expect(run.err).toMatch(/give the passwords one way/);
  });
});

describe("status, apply, rollback on the stand-ins", () => {
  it("status before anything: every shard has V0001 and V0002 pending", async () => {
    const run = await cli([...stack(), "status", ...access()]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.out.split("\n")[0]).toBe("stack migtest: status on shards 1, 2, 3 (database game, as gamedb_schema)");
    expect(rowsOf(run.out)).toEqual([1, 2, 3].map((id) => `${id} active pending - V0001-V0002 -`));
  });

  it("apply migrates every shard of the stack; a second apply changes nothing", async () => {
    const run = await cli([...stack(), "apply", ...access()]);
    expect(run.err).toBe("");
    expect(run.code).toBe(EXIT.ok);
    expect(rowsOf(run.out)).toEqual([1, 2, 3].map((id) => `${id} active applied V0001-V0002 - -`));
    for (const id of [1, 2, 3]) {
      const root = await shards.root(id);
      expect(await ledgerOf(root)).toEqual({ 1: "applied", 2: "applied" });
      expect(await schemaOf(root)).toContain("players:gamedb_fence_bi_players by gamedb_schema@%");
    }
    const again = await cli([...stack(), "apply", ...access(), "--json"]);
    expect(again.code).toBe(EXIT.ok);
    expect((JSON.parse(again.out) as { outcome: string }[]).map((s) => s.outcome)).toEqual([
      "up-to-date",
      "up-to-date",
      "up-to-date",
    ]);
  });

  it("status with the passwords in GAMEDB_SCHEMA_PASSWORDS", async () => {
    const env = { [PASSWORDS_ENV]: JSON.stringify(shards.passwords) };
    const run = await cli([...stack(), "status", "--endpoints", path.join(shards.endpoints, "routers.json")], env);
    expect(run.code).toBe(EXIT.ok);
    expect(rowsOf(run.out)).toEqual([1, 2, 3].map((id) => `${id} active up-to-date V0001-V0002 - -`));
  });

  it("rollback 2 undoes V0002 on every shard; apply brings it back", async () => {
    const run = await cli([...stack(), "rollback", "2", ...access()]);
    expect(run.code).toBe(EXIT.ok);
    expect(rowsOf(run.out)).toEqual([1, 2, 3].map((id) => `${id} active rolled-back V0001 V0002 -`));
    for (const id of [1, 2, 3]) {
      const root = await shards.root(id);
      expect(await ledgerOf(root)).toEqual({ 1: "applied", 2: "rolled_back" });
      expect(await schemaOf(root)).not.toContain("game_logs");
    }
    const apply = await cli([...stack(), "apply", ...access()]);
    expect(apply.code).toBe(EXIT.ok);
    expect(rowsOf(apply.out)).toEqual([1, 2, 3].map((id) => `${id} active applied V0001-V0002 - -`));
  });

  it("rollback of a version that is not the newest is refused on every shard: exit 1", async () => {
    const run = await cli([...stack(), "rollback", "1", ...access()]);
    expect(run.code).toBe(EXIT.failed);
    expect(run.err.split("\n")).toEqual(
      [1, 2, 3].map(
        (id) =>
          `shard ${id}: refused: V0001 is not the newest migration applied on shard ${id}: V0002 is; roll back V0002 first`,
      ),
    );
  });

  it("status with a shard down: exit 1 naming it, the others read", async () => {
    const server = shards.fleet.servers[1]!;
    await server.stop();
    try {
      const run = await cli([...stack(), "status", ...access()]);
      expect(run.code).toBe(EXIT.failed);
      expect(run.err).toMatch(/^shard 2: failed: cannot connect to shard 2: .*ECONNREFUSED/);
      expect(rowsOf(run.out).map((l) => l.split(" ").slice(0, 3).join(" "))).toEqual([
        "1 active up-to-date",
        "2 active failed",
        "3 active up-to-date",
      ]);
    } finally {
      await server.start();
    }
  });

  it("bad passwords in the environment or a missing file: exit 1 naming the source, nothing run", async () => {
    const notJson = `{"1": ${shards.passwords["1"]}}`;
    const env = await cli([...stack(), "apply", "--endpoints", shards.endpoints], { [PASSWORDS_ENV]: notJson });
    expect(env.code).toBe(EXIT.failed);
    expect(env.out).toBe("");
    expect(env.err).toMatch(/^migrate: GAMEDB_SCHEMA_PASSWORDS: not JSON \(SyntaxError\)/);
    const missing = path.join(shards.dir, "missing.json");
    const file = await cli([...stack(), "apply", "--endpoints", shards.endpoints, "--passwords-file", missing]);
    expect(file.code).toBe(EXIT.failed);
    expect(file.err).toBe(`migrate: passwords file ${missing} cannot be read (ENOENT)`);
    const endpoints = await cli([
      ...stack(),
      "status",
      "--endpoints",
      missing,
      "--passwords-file",
      shards.passwordsFile,
    ]);
    expect(endpoints.code).toBe(EXIT.failed);
    expect(endpoints.err).toBe(`migrate: endpoints ${missing} cannot be read (ENOENT)`);
  });

  it("a shard without a password in the environment fails by name, the others are read", async () => {
    const env = { [PASSWORDS_ENV]: JSON.stringify({ "1": shards.passwords["1"], "3": shards.passwords["3"] }) };
    const run = await cli([...stack(), "status", "--endpoints", shards.endpoints], env);
    expect(run.code).toBe(EXIT.failed);
    expect(run.err).toBe(
      "shard 2: failed: cannot connect to shard 2: no password for shard 2 in GAMEDB_SCHEMA_PASSWORDS",
    );
  });

  it("no run printed any password", () => {
    expect(runs.length).toBeGreaterThan(10);
    for (const pw of Object.values(shards.passwords)) {
      for (const r of runs) expect(`${r.out}\n${r.err}`).not.toContain(pw);
    }
  });
});
