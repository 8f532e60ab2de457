/**
 * One shard's InnoDB Cluster, formed and kept converged by MySQL Shell AdminAPI scripts run as remote commands.
 *
 * The chain, per shard (shards run in parallel; nothing here waits for another shard):
 *   node bootstrap ─► node configure (my.cnf, dba.configureInstance) ─► shard converge (create/adopt/reboot/
 *   rejoin/add/remove, rolling restart) ─► member join, one node at a time ─► accounts (router, monitor, backup,
 *   and with a game database its migration, game server and slot mover accounts)
 * Each node's member command runs leave-member when it is deleted, so removing a node takes it out of the cluster
 * before its host is destroyed (the host is what the command depends on).
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import type { ShardPlan } from "../plan/plan";
import type { EnvironmentPolicy } from "../plan/environmentPolicy";
import type { NodePlan } from "../plan/nodes";
import { adminApiCommand } from "./remoteScript";
import { DATA_DIR, MyCnfInput, dynamicVariables, mycnfSettings, renderMyCnf, restartVariables } from "./mycnf";
import { PASSWORD_ROLES, PasswordRole, SCHEMA_PASSWORD_ROLES, SchemaPasswordRole } from "../catalog/mysql";
import { accountSecrets, checkGameDatabase, withGameAccountParams } from "./gameAccounts";
import {
  accountsParams,
  clusterName,
  configureParams,
  convergeParams,
  joinParams,
  MemberAddresses,
  leaveParams,
  memberAddress,
  seedIndex,
} from "./clusterParams";
import type { ShardHost } from "./shardHosts";
import { CertificateAuthority, serverCertificate } from "../tls/ca";
import { configureSecrets, memberCertificateNames } from "./memberTls";

export interface InnoDbClusterArgs {
  /** The shard's slice of the plan: its id (which names the cluster), key and nodes. */
  readonly shard: ShardPlan;
  /** The environment's protection and recovery decisions (its auto-rejoin tries). */
  readonly policy: EnvironmentPolicy;
  /** The shard's bootstrapped hosts (ShardHosts.hosts), one per node; the scripts run over their connections. */
  readonly hosts: readonly ShardHost[];
  /** The MySQL 8.4 version the hosts run (mysql.version), which my.cnf is written for. */
  readonly mysqlVersion: string;
  /** The point-in-time recovery window (backup.pitrWindowHours): binary logs are kept at least this long. */
  readonly pitrWindowHours: number;
  /** Validated my.cnf overrides (gamedb:mysql.overrides). @default {} */
  readonly overrides?: Record<string, string | number | boolean>;
  /**
   * When set, the converge command carries this value, so it re-runs on every `pulumi up` whose value differs
   * (mysql.converge: always passes the run's start time).
   * @default undefined: converge re-runs only on changes
   */
  readonly convergeRequest?: string;
  /**
   * The monitoring account's password, shared by every shard so one worker with one Secret watches them all (the
   * account can only read performance_schema and status).
   * @default a password of this shard's own
   */
  readonly monitorPassword?: pulumi.Output<string>;
  /** mysql.passwordRotation: a new value replaces the service accounts' passwords (never the cluster admin's). */
  readonly passwordRotation: number;
  /**
   * The game database. With it the accounts step also makes the migration account (ACCOUNTS.schema: DDL, data and
   * triggers there and on gamedb_meta), the game servers' (ACCOUNTS.app: data only) and the slot mover's
   * (ACCOUNTS.mover: data, the fence and control rows, the binlog), each with a password of this shard's own
   * (passwords.schema, passwords.app, passwords.mover), and my.cnf lets an account without SUPER create triggers
   * (log_bin_trust_function_creators, set at runtime by the configure step: no restart).
   * @default none: the three accounts are not created
   */
  readonly schemaDatabase?: string;
  /**
   * The stack's CA (ctx.certificateAuthority()): it signs each member's certificate (`<node>-mysql-key-<rotation>`, `-csr`,
   * `-cert`), whose names are the address the member reports, so clients verify it (VERIFY_IDENTITY).
   */
  readonly certificateAuthority: CertificateAuthority;
}

/** Every shard's passwords, and the game database's accounts' when the shard has one. */
export type ClusterPasswords = Record<PasswordRole, pulumi.Output<string>> &
  Partial<Record<SchemaPasswordRole, pulumi.Output<string>>>;

/**
 * The keepers that tie a service account's password to mysql.passwordRotation: absent at 0, so a stack that never
 * rotated keeps its passwords; any other value replaces the password when it changes.
 */
export function passwordKeepers(rotation: number): { keepers?: Record<string, string> } {
  return rotation > 0 ? { keepers: { rotation: String(rotation) } } : {};
}

/** Settings that differ per node by design; a difference there never calls for a restart. */
const PER_NODE = new Set(["server_id", "report_host"]);

export function mycnfInput(node: NodePlan, reportHost: string, args: InnoDbClusterArgs): MyCnfInput {
  return {
    serverId: node.serverId,
    reportHost,
    version: args.mysqlVersion,
    instanceType: node.instanceType,
    pitrWindowHours: args.pitrWindowHours,
    overrides: args.overrides ?? {},
    dataDir: DATA_DIR,
    ...(args.schemaDatabase !== undefined ? { trustTriggerCreators: true } : {}),
  };
}

/** The settings the converge script compares on every member: the shard-wide ones that need a restart. */
export function shardRestartVariables(settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(restartVariables(settings)).filter(([k]) => !PER_NODE.has(k)));
}

export class InnoDbCluster extends pulumi.ComponentResource {
  readonly clusterName: string;
  /** "host:3306" of every member, by node index order. */
  readonly memberAddresses: pulumi.Output<string[]>;
  /** The member the cluster is created on (lowest node index). */
  readonly seedAddress: pulumi.Output<string>;
  /**
   * Account passwords (secrets), for the router and monitoring components and, with a game database, the Secrets of
   * the migration Job (schema), the game servers (app) and the slot movers and their gate (mover).
   */
  readonly passwords: ClusterPasswords;

  constructor(name: string, args: InnoDbClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:mysql:InnoDbCluster", name, {}, opts);
    const { shard } = args;
    const key = shard.key;
    this.clusterName = clusterName(shard.id);
    const gameDatabase = args.schemaDatabase === undefined ? undefined : checkGameDatabase(args.schemaDatabase);

    const passwords = {} as ClusterPasswords;
    const roles = [...PASSWORD_ROLES, ...(gameDatabase === undefined ? [] : SCHEMA_PASSWORD_ROLES)];
    for (const role of roles) {
      if (role === "monitor" && args.monitorPassword) {
        passwords.monitor = args.monitorPassword;
        continue;
      }
      // The cluster admin's password is not rotated this way: every script logs in with it (see the runbook).
      const rotation = role !== "clusterAdmin" ? passwordKeepers(args.passwordRotation) : {};
      const pw = new random.RandomPassword(
        `${key}-${role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}-password`,
        { length: 40, special: false, ...rotation },
        { parent: this },
      );
      // Secret already (random marks result so); said again so every consumer, and the mocks, see it.
      passwords[role] = pulumi.secret(pw.result);
    }
    this.passwords = passwords;
    const adminStdin = pulumi.secret(pulumi.jsonStringify({ clusterAdminPassword: passwords.clusterAdmin }));

    const seed = args.hosts.find((h) => h.node.index === seedIndex(shard))!;
    const members = pulumi
      .all(args.hosts.map((h) => h.address))
      .apply((addrs): MemberAddresses =>
        Object.fromEntries(args.hosts.map((h, i) => [h.node.index, memberAddress(addrs[i]!)])),
      );

    const configured = args.hosts.map((host) => {
      // The key reaches the host only on the configure step's stdin (install-tls.sh); a renewed certificate
      // changes stdin, which re-runs the step (pulumi-command: any input change runs create again).
      const tls = serverCertificate(
        `${host.node.name}-mysql`,
        args.certificateAuthority,
        memberCertificateNames(host.node.name, host.node.address, host.address),
        { parent: this },
      );
      const configureStdin = pulumi.secret(
        pulumi.jsonStringify(
          configureSecrets(passwords.clusterAdmin, {
            caPem: args.certificateAuthority.certPem,
            certPem: tls.certPem,
            keyPem: tls.keyPem,
          }),
        ),
      );
      const text = host.address.apply((addr) => {
        const input = mycnfInput(host.node, addr, args);
        const settings = mycnfSettings(input);
        return adminApiCommand({
          script: "configure-instance",
          params: configureParams(memberAddress(addr), dynamicVariables(settings)),
          mycnf: renderMyCnf(input),
        });
      });
      return new command.remote.Command(
        `${host.node.name}-configure`,
        { connection: host.connection, create: text, stdin: configureStdin, logging: "stdoutAndStderr" },
        { parent: this, dependsOn: [host.bootstrap] },
      );
    });

    // Each member is compared with its own my.cnf: nodes of one shard may differ in instance type.
    const restartVars = pulumi
      .all(args.hosts.map((h) => h.address))
      .apply((addrs) =>
        Object.fromEntries(
          args.hosts.map((h, i) => [
            memberAddress(addrs[i]!),
            shardRestartVariables(mycnfSettings(mycnfInput(h.node, addrs[i]!, args))),
          ]),
        ),
      );
    const convergeText = (allowCreate: boolean) =>
      pulumi.all([members, restartVars]).apply(([m, vars]) =>
        adminApiCommand({
          script: "converge-cluster",
          params: convergeParams(shard, args.policy, m, vars, allowCreate),
          note: args.convergeRequest ? `converge requested ${args.convergeRequest}` : undefined,
        }),
      );
    const converge = new command.remote.Command(
      `${key}-converge`,
      {
        connection: seed.connection,
        create: convergeText(true),
        update: convergeText(false),
        stdin: adminStdin,
        logging: "stdoutAndStderr",
      },
      { parent: this, dependsOn: configured },
    );

    // One join at a time within the shard (clone copies a whole data set), in node index order.
    let previous: pulumi.Resource = converge;
    for (const host of args.hosts) {
      const join = pulumi.all([members, host.address]).apply(([m, addr]) =>
        adminApiCommand({
          script: "join-member",
          params: joinParams(shard, m[seed.node.index]!, memberAddress(addr)),
        }),
      );
      const leave = host.address.apply((addr) =>
        adminApiCommand({ script: "leave-member", params: leaveParams(shard, memberAddress(addr)) }),
      );
      previous = new command.remote.Command(
        `${host.node.name}-member`,
        { connection: host.connection, create: join, delete: leave, stdin: adminStdin, logging: "stdoutAndStderr" },
        { parent: this, dependsOn: previous === converge ? [converge] : [converge, previous] },
      );
    }

    const accountsText = members.apply((m) =>
      adminApiCommand({
        script: "setup-accounts",
        params: withGameAccountParams(accountsParams(shard, m), gameDatabase),
      }),
    );
    new command.remote.Command(
      `${key}-accounts`,
      {
        connection: seed.connection,
        create: accountsText,
        stdin: pulumi.secret(pulumi.jsonStringify(accountSecrets(passwords))),
        logging: "stdoutAndStderr",
      },
      { parent: this, dependsOn: [previous] },
    );

    this.memberAddresses = members.apply((m) => shard.nodes.map((n) => m[n.index]!));
    this.seedAddress = seed.address.apply(memberAddress);
    this.registerOutputs({
      clusterName: this.clusterName,
      memberAddresses: this.memberAddresses,
      seedAddress: this.seedAddress,
    });
  }
}
