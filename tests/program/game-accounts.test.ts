/**
 * The game database's accounts on every shard (InnoDbClusterArgs.schemaDatabase) under Pulumi's mock runtime: the
 * passwords (per shard, from @pulumi/random, rotated with mysql.passwordRotation, on stdin only), the accounts step's
 * params, my.cnf's log_bin_trust_function_creators, and what giving a game database to an existing stack changes:
 * three new passwords per shard (migration, game servers, slot mover) and the configure and accounts commands
 * updated, nothing replaced.
 *
 * The game database comes from gamedb:schema.database (the platform passes it to every shard's InnoDbCluster);
 * InnoDbCluster is wrapped only to collect the clusters an evaluation makes. Some cases give the component a name the
 * config schema would refuse, to show the component's own check.
 */
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { evaluate } from "../../scripts/lib/evaluate";
import { diffPlans } from "../../scripts/lib/planDiff";
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";
import { valueOf } from "../../scripts/lib/mockValues";
import type { ClusterPasswords, InnoDbCluster, InnoDbClusterArgs } from "../../infra/mysql/innodbCluster";
import { accountSecrets, checkGameDatabase, withGameAccountParams } from "../../infra/mysql/gameAccounts";
import { stackOf } from "../helpers/stack";
import { resourceOf } from "../helpers/plan";
import { stepOf } from "../helpers/toolkit";

/** A game database given to the component directly, past the config's own check (undefined: as the platform passes). */
let mockGameDatabase: string | undefined;
/** Every InnoDbCluster the last evaluation made. */
const mockClusters: InnoDbCluster[] = [];

jest.mock("../../infra/mysql/innodbCluster", () => {
  const actual = jest.requireActual("../../infra/mysql/innodbCluster");
  class WithGameDatabase extends actual.InnoDbCluster {
    constructor(name: string, args: InnoDbClusterArgs, opts?: pulumi.ComponentResourceOptions) {
      super(name, mockGameDatabase === undefined ? args : { ...args, schemaDatabase: mockGameDatabase }, opts);
      mockClusters.push(this as unknown as InnoDbCluster);
    }
  }
  return { ...actual, InnoDbCluster: WithGameDatabase };
});

const COMMAND = "command:remote:Command";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const SHARDS = ["shard1", "shard2", "shard3", "shard4"];
const text = (r: PlannedResource, key = "create") => r.inputs[key] as string;
/** The params JSON a remote AdminAPI step carries (infra/mysql/remoteScript.ts), parsed. */
type Params = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const paramsOf = (command: string) => stepOf(command).params as Params;

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function prodRaw(): Raw {
  const doc = parse(readFileSync(join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8")).config as Raw;
  return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k.replace(/^gamedb:/, ""), v]));
}

async function plan(gameDatabase: string | undefined, edit: (raw: Raw) => void = () => undefined) {
  mockClusters.length = 0;
  const raw = prodRaw();
  if (gameDatabase === undefined) delete raw.schema;
  else if (/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(gameDatabase)) raw.schema = { ...raw.schema, database: gameDatabase };
  else mockGameDatabase = gameDatabase; // the config would refuse it first: hand it to the component
  edit(raw);
  try {
    return await evaluate(stackOf(raw, "prod"));
  } finally {
    mockGameDatabase = undefined;
  }
}

/** Inputs whose change replaces the resource (as tests/program/stability.test.ts lists them). */
const REPLACES: Record<string, string[]> = {
  [COMMAND]: ["triggers"],
  [PASSWORD]: ["length", "special", "keepers"],
  "aws:ec2/instance:Instance": ["ami", "availabilityZone", "subnetId", "keyName", "userData", "userDataBase64"],
  "aws:ebs/volume:Volume": ["availabilityZone", "encrypted", "kmsKeyId", "snapshotId"],
};

describe("a shard with a game database", () => {
  let none: PlanDocument;
  let game: PlanDocument;
  let clusters: InnoDbCluster[];
  beforeAll(async () => {
    none = await plan(undefined);
    game = await plan("game_data");
    clusters = [...mockClusters];
  });

  it("gets three passwords of its own, 40 characters from @pulumi/random, not rotated until mysql.passwordRotation is", () => {
    for (const s of SHARDS)
      for (const role of ["schema", "app", "mover"]) {
        const pw = resourceOf(game, PASSWORD, `${s}-${role}-password`);
        expect(pw.inputs).toEqual({ length: 40, special: false });
        expect(pw.parent).toBe(resourceOf(game, "gamedb:mysql:InnoDbCluster", `${s}-cluster`).urn);
      }
    expect(none.resources.filter((r) => /-(schema|app|mover)-password$/.test(r.name))).toEqual([]);
  });

  it("exposes them, secret, on the InnoDbCluster's passwords; a shard without one has none", async () => {
    expect(clusters).toHaveLength(SHARDS.length);
    for (const c of clusters) {
      const p: ClusterPasswords = c.passwords;
      for (const out of [p.schema!, p.app!, p.mover!]) {
        expect(await (out as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
        expect(await valueOf(out)).toMatch(/^.+$/);
      }
      const values = await Promise.all([p.schema!, p.app!, p.mover!].map((o) => valueOf(o)));
      expect(new Set(values).size).toBe(3);
    }
    await plan(undefined);
    for (const c of mockClusters)
      expect([c.passwords.schema, c.passwords.app, c.passwords.mover]).toEqual([undefined, undefined, undefined]);
  });

  it("names the database, gamedb_meta and the three accounts in the accounts step's params, never a password", () => {
    for (const s of SHARDS) {
      const accounts = text(resourceOf(game, COMMAND, `${s}-accounts`));
      expect(stepOf(accounts).entry).toBe("adminapi/setup-accounts");
      const params = paramsOf(accounts);
      expect(params).toMatchObject({
        accounts: {
          router: "gamedb_router",
          monitor: "gamedb_monitor",
          backup: "gamedb_backup",
          schema: "gamedb_schema",
          app: "gamedb_app",
          mover: "gamedb_mover",
        },
        schemaDatabase: "game_data",
        metaDatabase: "gamedb_meta",
      });
      expect(resourceOf(game, COMMAND, `${s}-accounts`).inputs.stdin).toBe("[secret]");
      // Without a game database the params are exactly as before: no new key.
      const plain = paramsOf(text(resourceOf(none, COMMAND, `${s}-accounts`)));
      expect(Object.keys(plain).sort()).toEqual(
        ["accountHost", "accounts", "clusterAdmin", "clusterName", "members", "seed"].sort(),
      );
      expect(plain.accounts).toEqual({ router: "gamedb_router", monitor: "gamedb_monitor", backup: "gamedb_backup" });
    }
    expect(JSON.stringify(game)).not.toContain("mock-secret-of");
  });

  it("passes the three passwords on the accounts step's stdin only when the accounts exist", () => {
    const base = { clusterAdmin: "a", router: "r", monitor: "m" };
    expect(accountSecrets(base)).toEqual({ clusterAdminPassword: "a", routerPassword: "r", monitorPassword: "m" });
    expect(accountSecrets({ ...base, schema: "s", app: "p", mover: "v" })).toEqual({
      clusterAdminPassword: "a",
      routerPassword: "r",
      monitorPassword: "m",
      schemaPassword: "s",
      appPassword: "p",
      moverPassword: "v",
    });
    // All three or none: the accounts step reads them together.
    expect(accountSecrets({ ...base, schema: "s", app: "p" })).toEqual(accountSecrets(base));
    const params = { clusterName: "shard1", accounts: { router: "gamedb_router" } };
    expect(withGameAccountParams(params, undefined)).toBe(params);
  });

  it("writes log_bin_trust_function_creators = ON in each node's my.cnf and applies it at runtime (no restart)", () => {
    for (const s of SHARDS)
      for (const i of [0, 1, 2]) {
        const configure = stepOf(text(resourceOf(game, COMMAND, `${s}-node${i}-configure`)));
        expect(configure.file).toMatch(/^log_bin_trust_function_creators = ON$/m);
        // configure-instance's params: SET GLOBAL to what the server reads back for ON.
        expect((configure.params as Params).dynamicVariables.log_bin_trust_function_creators).toBe("1");
        const plain = text(resourceOf(none, COMMAND, `${s}-node${i}-configure`));
        expect(plain).not.toContain("log_bin_trust_function_creators");
        // Nothing else differs: the same entry, its other params and my.cnf lines.
        const withoutIt = (t: string) =>
          t.replace('"log_bin_trust_function_creators":"1",', "").replace("log_bin_trust_function_creators = ON\n", "");
        expect(withoutIt(text(resourceOf(game, COMMAND, `${s}-node${i}-configure`)))).toBe(withoutIt(plain));
      }
    // Not a restart setting: converge compares and restarts nothing new.
    for (const s of SHARDS)
      expect(text(resourceOf(game, COMMAND, `${s}-converge`))).toBe(text(resourceOf(none, COMMAND, `${s}-converge`)));
  });

  it("given to an existing stack: creates the passwords, updates configure and accounts, replaces and deletes nothing", () => {
    const diff = diffPlans(none, game);
    expect(diff.deleted).toEqual([]);
    // The shards' three passwords each, and what gamedb:schema adds beside them (the migration Job and the partition
    // CronJob, with their ConfigMaps, Secrets and IAM user).
    const created = diff.created.map((r) => `${r.type} ${r.name}`);
    expect(created.filter((r) => r.startsWith(PASSWORD)).sort()).toEqual(
      SHARDS.flatMap((s) => [
        `${PASSWORD} ${s}-app-password`,
        `${PASSWORD} ${s}-mover-password`,
        `${PASSWORD} ${s}-schema-password`,
      ]).sort(),
    );
    expect(created.filter((r) => !r.startsWith(PASSWORD)).every((r) => / gamedb-(migrate|partitions)/.test(r))).toBe(
      true,
    );
    const expected = SHARDS.flatMap((s) => [
      ...[0, 1, 2].map((i) => [`${s}-node${i}-configure`, ["create"], []]),
      [`${s}-accounts`, ["create"], []],
    ]);
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options]).sort()).toEqual(expected.sort());
    const replaced = diff.changed.flatMap((c) => c.inputs.filter((k) => (REPLACES[c.type] ?? []).includes(k)));
    expect(replaced).toEqual([]);
  });

  it("rotation (mysql.passwordRotation) replaces the three passwords like the router's", async () => {
    const rotated = await plan("game_data", (raw) => (raw.mysql = { ...raw.mysql, passwordRotation: 1 }));
    for (const s of SHARDS)
      for (const role of ["schema", "app", "mover", "router"])
        expect(resourceOf(rotated, PASSWORD, `${s}-${role}-password`).inputs).toEqual({
          length: 40,
          special: false,
          keepers: { rotation: "1" },
        });
    // The cluster admin's is not rotated this way (every AdminAPI step logs in with it).
    expect(resourceOf(rotated, PASSWORD, "shard1-cluster-admin-password").inputs).toEqual({
      length: 40,
      special: false,
    });
  });

  it("refuses a database name MySQL or gamedb keeps, or one the scripts cannot quote, naming the field", async () => {
    expect(() => checkGameDatabase("game-db")).toThrow(
      'schemaDatabase "game-db" is not accepted: use 1 to 64 letters, digits and _, not starting with a digit',
    );
    expect(() => checkGameDatabase("gamedb_meta")).toThrow('schemaDatabase "gamedb_meta" is reserved: use any name');
    expect(() => checkGameDatabase("MySQL")).toThrow('schemaDatabase "MySQL" is reserved');
    expect(checkGameDatabase("players_eu")).toBe("players_eu");
    await expect(plan("1game")).rejects.toThrow('schemaDatabase "1game" is not accepted');
  });
});
