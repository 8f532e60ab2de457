/**
 * Stability: growing the topology never renames, replaces or modifies what exists, except the resources that must
 * learn about the change, which each test lists. Evaluated with the real program under mocks and compared with the
 * same diff the offline plan prints (`--against`).
 */
import { join } from "node:path";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { evaluate } from "../../scripts/lib/evaluate";
import { diffPlans, PlanDiff } from "../../scripts/lib/planDiff";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import type { ResourceChange } from "../../scripts/lib/planDiff";
import { bootstrapEnvFile } from "../../infra/mysql/bootstrapStep";
import { stackOf } from "../helpers/stack";
import { stepOf } from "../helpers/toolkit";

/** Changed inputs of a resource that its ignoreChanges does not cover. */
function notIgnored(c: ResourceChange, doc: PlanDocument): string[] {
  const r = doc.resources.find((x) => x.urn === c.urn)!;
  return c.inputs.filter((k) => !r.options.ignoreChanges.includes(k));
}

/**
 * Inputs whose change makes the provider replace the resource (AWS provider schema: "forces new"), per type. A
 * remote command is replaced only when its triggers change; every other input change runs its create again. A
 * toolkit copy likewise (pulumi-command CopyToRemote: "Trigger replacements on changes to this input").
 */
const REPLACES: Record<string, string[]> = {
  "aws:ec2/instance:Instance": [
    "ami",
    "availabilityZone",
    "subnetId",
    "keyName",
    "userData",
    "userDataBase64",
    "privateIp",
  ],
  "aws:ebs/volume:Volume": ["availabilityZone", "encrypted", "kmsKeyId", "snapshotId"],
  "aws:ec2/volumeAttachment:VolumeAttachment": ["deviceName", "instanceId", "volumeId"],
  "command:remote:Command": ["triggers"],
  "command:remote:CopyToRemote": ["triggers"],
  "random:index/randomPassword:RandomPassword": ["length", "special", "keepers"],
  "tls:index/privateKey:PrivateKey": ["algorithm"],
};

/** Changes that would replace a host, a volume, an attachment, a password, a key or a command. */
function replacements(diff: PlanDiff, next: PlanDocument): string[] {
  return diff.changed.flatMap((c) =>
    notIgnored(c, next)
      .filter((k) => (REPLACES[c.type] ?? []).includes(k))
      .map((k) => `${c.name}.${k}`),
  );
}

/** The migration Job: its name ends in the digest of what it applies (infra/schema/migrationJob.ts). */
const MIGRATE_JOB = /^gamedb-migrate-[0-9a-f]{10}$/;

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function prodRaw(): Raw {
  const doc = parse(readFileSync(join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8")).config as Raw;
  return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k.replace(/^gamedb:/, ""), v]));
}

async function change(edit: (raw: Raw) => void): Promise<{ base: PlanDocument; next: PlanDocument; diff: PlanDiff }> {
  const raw = prodRaw();
  const base = await evaluate(stackOf(raw, "prod"));
  edit(raw);
  const next = await evaluate(stackOf(raw, "prod"));
  return { base, next, diff: diffPlans(base, next) };
}

/** Per EC2 node: instance, volume, attachment, the toolkit's copy and install, four commands, two status alarms. */
function nodeResources(shard: string, i: number): string[] {
  const node = `${shard}-node${i}`;
  return [
    `aws:ec2/instance:Instance ${node}`,
    `aws:ebs/volume:Volume ${node}-data`,
    `aws:ec2/volumeAttachment:VolumeAttachment ${node}-data`,
    `command:remote:CopyToRemote ${node}-toolkit-copy`,
    ...["toolkit", "bootstrap", "configure", "member", "backup-jobs"].map((c) => `command:remote:Command ${node}-${c}`),
    ...["system", "instance"].map((k) => `aws:cloudwatch/metricAlarm:MetricAlarm ${node}-${k}-status`),
    // The member's TLS key and certificate (from the stack's CA).
    `tls:index/privateKey:PrivateKey ${node}-mysql-key-0`,
    `tls:index/certRequest:CertRequest ${node}-mysql-csr`,
    `tls:index/locallySignedCert:LocallySignedCert ${node}-mysql-cert`,
  ];
}

describe("stable names and inputs", () => {
  it("the same config plans identically twice", async () => {
    const { diff, base, next } = await change(() => undefined);
    expect(diff.created).toEqual([]);
    expect(diff.deleted).toEqual([]);
    expect(diff.changed).toEqual([]);
    expect(next).toEqual(base);
  });

  it("adding a shard (provisioning) creates only its resources; the endpoints ConfigMap learns its router", async () => {
    const { diff } = await change((raw) => raw.shards.push({ id: 5, name: "echo", nodes: 3, state: "provisioning" }));
    // The migration Job learns the shard: its config changes, so a new Job (a new digest) replaces the finished one.
    expect(diff.deleted.map((r) => r.name)).toEqual([expect.stringMatching(MIGRATE_JOB)]);
    // The worker also waits for the new shard's accounts step: a dependsOn change, which orders but never updates.
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options])).toEqual([
      ["gamedb-endpoints", ["data"], []],
      ["gamedb-monitor", [], ["dependsOn"]],
      ["gamedb-migrate-config", ["data"], []],
    ]);
    for (const r of diff.created) expect(r.name).toMatch(/shard5|^gamedb-migrate-[0-9a-f]{10}$/);
    expect(diff.created.filter((r) => MIGRATE_JOB.test(r.name))).toHaveLength(1);
    // Each new host gets the toolkit of its own: no existing host's copy or install runs again.
    const created = diff.created.map((r) => `${r.type} ${r.name}`);
    for (const i of [0, 1, 2])
      expect(created).toEqual(
        expect.arrayContaining([
          `command:remote:CopyToRemote shard5-node${i}-toolkit-copy`,
          `command:remote:Command shard5-node${i}-toolkit`,
          `command:remote:Command shard5-node${i}-bootstrap`,
        ]),
      );
    expect(diff.topology).toMatchObject({
      shardsAdded: [5],
      shardsRemoved: [],
      nodesAdded: ["shard5-node0", "shard5-node1", "shard5-node2"],
      slotsMoved: 0,
    });
  });

  it("adding nodes to a shard creates only theirs; only that shard's converge and accounts learn of them", async () => {
    const { diff, base, next } = await change((raw) => {
      raw.shards[0].nodes = 5;
    });
    expect(diff.deleted).toEqual([]);
    // ...and the shard's router, whose bootstrap list of members grows (its pods roll), and the endpoints
    // ConfigMap, whose member list the monitoring worker polls.
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options])).toEqual([
      ["shard1-converge", ["create", "update"], ["dependsOn"]],
      ["shard1-accounts", ["create"], ["dependsOn"]],
      ["shard1-router", ["spec"], []],
      ["gamedb-endpoints", ["data"], []],
    ]);
    expect(diff.created.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [3, 4].flatMap((i) => nodeResources("shard1", i)).sort(),
    );
    expect(diff.topology.nodesAdded).toEqual(["shard1-node3", "shard1-node4"]);
    const nodes = (doc: PlanDocument) => doc.topology.shards.flatMap((s) => s.nodes);
    for (const n of nodes(base)) expect(nodes(next)).toContainEqual(n);
  });

  it("moving slots to a new shard moves exactly those slots; only the endpoints and the restore check learn", async () => {
    const { diff } = await change((raw) => {
      raw.shards[3].slots = ["12288-14335"];
      raw.shards.push({ id: 5, name: "echo", nodes: 3, state: "active", slots: ["14336-16383"] });
    });
    // The migration Job learns the new shard and slot map (its fence rows): a new Job replaces the finished one.
    expect(diff.deleted.map((r) => r.name)).toEqual([expect.stringMatching(MIGRATE_JOB)]);
    // The endpoints learn the slot map and router; the weekly restore verification adds the now active shard.
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options])).toEqual([
      ["gamedb-endpoints", ["data"], []],
      ["gamedb-monitor", [], ["dependsOn"]],
      ["gamedb-restore-verify", ["spec"], []],
      ["gamedb-migrate-config", ["data"], []],
    ]);
    expect(diff.topology.slotMoves).toEqual([{ from: 4, to: 5, ranges: [{ from: 14336, to: 16383 }], slots: 2048 }]);
    expect(diff.topology.keyspaceMoved).toBe(0.125);
  });

  it("rotating passwords replaces the service accounts' passwords and rolls the pods that read them", async () => {
    const { diff } = await change((raw) => (raw.mysql = { ...raw.mysql, passwordRotation: 1 }));
    expect(diff.created).toEqual([]);
    expect(diff.deleted).toEqual([]);
    const byKind = (name: string) => name.replace(/^shard\d+-/, "shardN-");
    expect([...new Set(diff.changed.map((c) => `${byKind(c.name)} ${c.inputs.join(",")}`))].sort()).toEqual(
      [
        // keepers added: Pulumi replaces each password (random resources are replaced when keepers change)
        "gamedb-monitor-password keepers",
        "shardN-router-password keepers",
        "shardN-schema-password keepers",
        "shardN-app-password keepers",
        "shardN-mover-password keepers",
        // ...and the pods that read them at start roll. The Secrets and each shard's accounts command (which sets the
        // new passwords) change too, through their secret inputs: the plan shows those as [secret], unchanged.
        "shardN-router spec",
        "gamedb-monitor spec",
      ].sort(),
    );
    // The cluster admin password, which every script logs in with, does not change.
    expect(diff.changed.filter((c) => c.name.endsWith("cluster-admin-password"))).toEqual([]);
  });

  it("a mysql.version edit rolls the routers and re-runs only the bootstrap steps, which reinstall no host", async () => {
    const { diff, base, next } = await change((raw) => (raw.mysql = { ...raw.mysql, version: "8.4.4" }));
    expect(diff.created).toEqual([]);
    expect(diff.deleted).toEqual([]);
    expect(replacements(diff, next)).toEqual([]);
    const effective = diff.changed.filter((c) => notIgnored(c, next).length > 0);
    expect([
      ...new Set(effective.map((c) => `${c.name.replace(/^shard\d+-/, "shardN-")} ${c.inputs.join(",")}`)),
    ]).toEqual([
      "shardN-node0-bootstrap create",
      "shardN-node1-bootstrap create",
      "shardN-node2-bootstrap create",
      "shardN-router spec",
    ]);
    expect(effective).toHaveLength(4 * 3 + 4);
    // The version is in the bootstrap's env file only: same entry and files, so the host's launcher
    // (infra/toolkit/host/bootstrap.sh) runs, finds the host bootstrapped and changes nothing (tests/unit/bootstrap.test.ts).
    for (const c of effective.filter((x) => x.name.endsWith("-bootstrap"))) {
      const [before, after] = [base, next].map((d) => stepOf(d.resources.find((r) => r.urn === c.urn)!.inputs.create));
      const dataDevice = `ebs:${c.name.replace(/-bootstrap$/, "")}-data-id`;
      expect(after).toEqual({
        ...before!,
        file: bootstrapEnvFile({
          mysqlVersion: "8.4.4",
          dataDevice,
          dataDir: "/var/lib/mysql",
          waitForCloudInit: true,
        }),
      });
      expect(before!.file).toBe(
        bootstrapEnvFile({ mysqlVersion: "8.4.3", dataDevice, dataDir: "/var/lib/mysql", waitForCloudInit: true }),
      );
    }
    const router = next.resources.find(
      (r) => r.name === "shard1-router" && r.type === "kubernetes:apps/v1:Deployment",
    )!;
    expect(JSON.stringify(router.inputs)).toContain("community-router:8.4.4");
  });

  it("a backup schedule edit re-runs only the backup units, on every host", async () => {
    const { diff } = await change((raw) => {
      raw.backup = { ...raw.backup, fullSchedule: "Sun *-*-* 03:30", binlogShipMinutes: 2 };
    });
    expect(diff.created).toEqual([]);
    expect(diff.deleted).toEqual([]);
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options])).toEqual(
      [1, 2, 3, 4].flatMap((s) => [0, 1, 2].map((i) => [`shard${s}-node${i}-backup-jobs`, ["create"], []])),
    );
  });

  it("adding an admin network adds one rule and changes nothing else", async () => {
    const { diff } = await change((raw) => raw.ssh.adminCidrs.push("192.168.10.0/24"));
    expect(diff.deleted).toEqual([]);
    expect(diff.changed).toEqual([]);
    expect(diff.created.map((r) => r.name)).toEqual(["gamedb-network-admin-ssh-192-168-10-0-24"]);
  });

  it("adding a zone adds its subnets; the S3 endpoint learns the route table; no host or volume moves", async () => {
    const { diff, next } = await change((raw) => raw.aws.availabilityZones.push("eu-west-1d"));
    expect(diff.deleted).toEqual([]);
    const learned = diff.changed.filter((c) => notIgnored(c, next).length > 0);
    expect(learned.map((c) => [c.name, c.inputs, c.options])).toEqual([["gamedb-network-s3", ["routeTableIds"], []]]);
    // Nodes whose planned zone moved differ only in inputs their resources ignore: a zone is fixed at creation.
    expect(diff.changed.length).toBeGreaterThan(1);
    expect(diff.created.map((r) => r.name).sort()).toEqual(
      [
        "gamedb-network-private-eu-west-1d",
        "gamedb-network-private-eu-west-1d",
        "gamedb-network-private-eu-west-1d",
        "gamedb-network-public-eu-west-1d",
        "gamedb-network-public-eu-west-1d",
        "gamedb-network-nat-eu-west-1d",
        "gamedb-network-nat-eu-west-1d",
      ].sort(),
    );
  });

  it.each<[string, (raw: Raw) => void]>([
    [
      "data volume size, iops and throughput",
      (raw) => (raw.mysql.dataVolume = { sizeGiB: 800, type: "gp3", iops: 9000, throughput: 500 }),
    ],
    ["instance type", (raw) => (raw.mysql.instanceType = "r6i.4xlarge")],
    ["root volume size", (raw) => (raw.hosts = { rootVolumeGiB: 60 })],
    ["my.cnf overrides", (raw) => (raw.mysql.overrides = { max_connections: 4000, innodb_buffer_pool_instances: 4 })],
    ["point-in-time window", (raw) => (raw.backup.pitrWindowHours = 240)],
    [
      "unrelated keys",
      (raw) => {
        raw.monitoring = { ...raw.monitoring, intervalSeconds: 30 };
        raw.redis.masters = 6;
        raw.router.replicas = 3;
        raw.backup.fullSchedule = "Sun *-*-* 03:30";
        raw.mysql.converge = "onChange";
      },
    ],
    [
      "existing nodes pinned to their zones",
      (raw) => (raw.shards[0].nodes = [{ index: 0, az: "eu-west-1b" }, { index: 1, az: "eu-west-1c" }, { index: 2 }]),
    ],
  ])("editing %s replaces and deletes nothing", async (_what, edit) => {
    const { diff, next } = await change(edit);
    expect(diff.deleted).toEqual([]);
    expect(diff.created).toEqual([]);
    expect(replacements(diff, next)).toEqual([]);
  });

  it("an instance type edit is an in-place update of the instances and re-runs configure for the new my.cnf", async () => {
    const { diff, next } = await change((raw) => (raw.mysql.instanceType = "r6i.4xlarge"));
    const instances = diff.changed.filter((c) => c.type === "aws:ec2/instance:Instance");
    expect(instances).toHaveLength(12);
    for (const c of instances) expect(notIgnored(c, next)).toEqual(["instanceType"]);
    expect(diff.changed.filter((c) => c.name.endsWith("-configure"))).toHaveLength(12);
  });

  it("removing a node deletes only its resources, after its member command has taken it out of the cluster", async () => {
    const raw = prodRaw();
    raw.shards[1].nodes = [0, 1, 2, 3, 4].map((index) => ({ index }));
    const base = await evaluate(stackOf(raw, "prod"));
    raw.shards[1].nodes = raw.shards[1].nodes.filter((n: { index: number }) => n.index !== 1 && n.index !== 3);
    const next = await evaluate(stackOf(raw, "prod"));
    const diff = diffPlans(base, next);
    expect(diff.created).toEqual([]);
    expect(diff.deleted.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [1, 3].flatMap((i) => nodeResources("shard2", i)).sort(),
    );
    // converge and accounts learn the smaller member list; the join order closes over the gaps (no input changes).
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options])).toEqual([
      ["shard2-converge", ["create", "update"], ["dependsOn"]],
      ["shard2-node2-member", [], ["dependsOn"]],
      ["shard2-node4-member", [], ["dependsOn"]],
      ["shard2-accounts", ["create"], []],
      ["shard2-router", ["spec"], []],
      ["gamedb-endpoints", ["data"], []],
    ]);
    // Pulumi deletes dependents first: the member command (whose delete runs leave-member) before the instance.
    const member = diff.deleted.find((r) => r.name === "shard2-node3-member")!;
    const instance = diff.deleted.find((r) => r.name === "shard2-node3" && r.type === "aws:ec2/instance:Instance")!;
    expect(member.dependencies).toContain(instance.urn);
    expect(member.inputs.delete).toContain("leave-member");
    // In prod the data volume is protected and retained: deleting it needs an operator's explicit unprotect.
    expect(diff.deleted.find((r) => r.type === "aws:ebs/volume:Volume")!.options).toMatchObject({
      protect: true,
      retainOnDelete: true,
    });
  });
});
