/**
 * Shard hosts and InnoDB Clusters under Pulumi's mock runtime: exact inputs and options of hosts and volumes, the
 * command chain per shard and its dependencies, secrets, static hosts and the converge mode.
 */
import { evaluate } from "../../scripts/lib/evaluate";
import { criticalPath } from "../../scripts/lib/criticalPath";
import { mockPrivateIp } from "../../scripts/lib/mockValues";
import type { StackConfig } from "../../scripts/lib/stackFile";
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";
import { benchTopology } from "../../scripts/cli/bench/topologies";
import { BOOTSTRAP_SCRIPT } from "../../infra/mysql/cloudInit";
import { stackOf } from "../helpers/stack";
import { planOf, resourceOf as get } from "../helpers/plan";
import { validDev } from "../helpers/configs";

const INSTANCE = "aws:ec2/instance:Instance";
const VOLUME = "aws:ebs/volume:Volume";
const ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment";
const COMMAND = "command:remote:Command";
const cmd = (doc: PlanDocument, name: string) => get(doc, COMMAND, name);
const text = (r: PlannedResource, key = "create") => r.inputs[key] as string;

describe("prod shard hosts", () => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await planOf("prod");
  });

  it("puts each node on an EC2 instance in its zone's private subnet, IMDSv2 only, encrypted, no public IP", () => {
    const i = get(doc, INSTANCE, "shard1-node0");
    expect(i.inputs).toMatchObject({
      ami: "ami-mock-ubuntu-noble-x86_64",
      instanceType: "r6i.2xlarge",
      availabilityZone: "eu-west-1b",
      subnetId: "gamedb-network-private-eu-west-1b-id",
      vpcSecurityGroupIds: ["gamedb-network-shard-hosts-id"],
      associatePublicIpAddress: false,
      keyName: "gamedb-hosts-ssh",
      iamInstanceProfile: "shard1-host",
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
      rootBlockDevice: { encrypted: true, volumeType: "gp3", volumeSize: 30, deleteOnTermination: true },
      userDataReplaceOnChange: false,
      tags: { Name: "gamedb-prod-shard1-node0", shard: "1", node: "0", role: "mysql" },
    });
    expect(text(i, "userData").split("\n")[0]).toBe("#cloud-config");
    expect(text(i, "userData")).toContain("ebs:shard1-node0-data-id");
    expect(i.options).toMatchObject({
      protect: false,
      ignoreChanges: ["ami", "userData", "userDataBase64", "keyName", "availabilityZone", "subnetId"],
    });
  });

  it("gives each node an encrypted data volume of the configured size, protected and retained in prod", () => {
    const v = get(doc, VOLUME, "shard2-node1-data");
    expect(v.inputs).toMatchObject({
      availabilityZone: "eu-west-1a",
      size: 500,
      type: "gp3",
      iops: 6000,
      throughput: 250,
      encrypted: true,
      finalSnapshot: true,
      tags: {
        Name: "gamedb-prod-shard2-node1-mysql-data",
        shard: "2",
        node: "1",
        role: "mysql-data",
        "gamedb-snapshots": "prod",
      },
    });
    expect(v.options).toMatchObject({ protect: true, retainOnDelete: true, ignoreChanges: ["availabilityZone"] });
    const a = get(doc, ATTACHMENT, "shard2-node1-data");
    expect(a.inputs).toMatchObject({
      deviceName: "/dev/sdf",
      volumeId: "shard2-node1-data-id",
      instanceId: "shard2-node1-id",
      stopInstanceBeforeDetaching: true,
    });
    expect(a.options.retainOnDelete).toBe(true);
  });

  it("waits for the cloud-init bootstrap after the data volume is attached", () => {
    const b = cmd(doc, "shard3-node2-bootstrap");
    expect(b.options.dependsOn).toEqual([get(doc, ATTACHMENT, "shard3-node2-data").urn]);
    expect(text(b)).toContain("cloud-init status --wait");
    expect(b.inputs.stdin).toBeUndefined();
  });

  it("chains configure -> converge -> one member at a time -> accounts within a shard, and never across shards", () => {
    for (const id of [1, 2, 3, 4]) {
      const s = `shard${id}`;
      const configure = [0, 1, 2].map((i) => cmd(doc, `${s}-node${i}-configure`));
      configure.forEach((c, i) => expect(c.options.dependsOn).toEqual([cmd(doc, `${s}-node${i}-bootstrap`).urn]));
      const converge = cmd(doc, `${s}-converge`);
      expect(converge.options.dependsOn).toEqual(configure.map((c) => c.urn));
      expect(cmd(doc, `${s}-node0-member`).options.dependsOn).toEqual([converge.urn]);
      expect(cmd(doc, `${s}-node1-member`).options.dependsOn).toEqual([
        converge.urn,
        cmd(doc, `${s}-node0-member`).urn,
      ]);
      expect(cmd(doc, `${s}-node2-member`).options.dependsOn).toEqual([
        converge.urn,
        cmd(doc, `${s}-node1-member`).urn,
      ]);
      expect(cmd(doc, `${s}-accounts`).options.dependsOn).toEqual([cmd(doc, `${s}-node2-member`).urn]);
      const others = new Set(
        doc.resources.filter((r) => /^shard\d+-/.test(r.name) && !r.name.startsWith(`${s}-`)).map((r) => r.urn),
      );
      for (const r of doc.resources.filter((x) => x.name.startsWith(`${s}-`)))
        for (const d of r.dependencies) expect(others.has(d)).toBe(false);
    }
  });

  it("runs converge and accounts on the seed (lowest index) and configures each node with its own my.cnf", () => {
    const seedIp = mockPrivateIp("shard1-node0");
    const converge = text(cmd(doc, "shard1-converge"));
    expect(converge).toContain(`"seed": "${seedIp}:3306"`);
    expect(converge).toContain(`"clusterName": "shard1"`);
    expect(converge).toContain(`"communicationStack": "MYSQL"`);
    expect(converge).toContain(`"memberSslMode": "REQUIRED"`);
    expect(converge).toContain(`"recoveryMethod": "clone"`);
    // Only the first run may create the cluster; every later run (update) refuses to create a second one.
    expect(converge).toContain(`"allowCreate": true`);
    expect(text(cmd(doc, "shard1-converge"), "update")).toContain(`"allowCreate": false`);
    expect(text(cmd(doc, "shard1-converge"), "update").replace(`"allowCreate": false`, `"allowCreate": true`)).toBe(
      converge,
    );
    expect(converge).toContain("dba.createCluster");
    for (const i of [0, 1, 2]) expect(converge).toContain(`"${mockPrivateIp(`shard1-node${i}`)}:3306"`);
    const configure = text(cmd(doc, "shard1-node2-configure"));
    expect(configure).toMatch(/^server_id\s*=\s*1003$/m);
    expect(configure).toMatch(
      new RegExp(`^report_host\\s*=\\s*${mockPrivateIp("shard1-node2").replace(/\./g, "\\.")}$`, "m"),
    );
    expect(configure).toContain("dba.configureInstance");
    expect(text(cmd(doc, "shard1-accounts"))).toContain("setupRouterAccount");
  });

  it("removes a node from its cluster before its host goes: the member command depends on the instance", () => {
    for (const i of [0, 1, 2]) {
      const member = cmd(doc, `shard4-node${i}-member`);
      expect(member.dependencies).toContain(get(doc, INSTANCE, `shard4-node${i}`).urn);
      expect(text(member, "delete")).toContain(`"self": "${mockPrivateIp(`shard4-node${i}`)}:3306"`);
      expect(text(member, "delete")).toContain("removeInstance");
      expect(text(member)).toContain("addInstance");
    }
  });

  it("re-runs converge on every pulumi up by default (the plan names the request instead of a time)", () => {
    expect(text(cmd(doc, "shard1-converge")).split("\n")[0]).toBe("# converge requested <on every pulumi up>");
    expect(text(cmd(doc, "shard1-node0-configure")).startsWith("#")).toBe(false);
  });

  it("exports each cluster's name, members and seed", () => {
    const clusters = doc.outputs.clusters as Record<
      string,
      { clusterName: string; memberAddresses: string[]; seedMember: string }
    >;
    expect(Object.keys(clusters)).toEqual(["shard1", "shard2", "shard3", "shard4"]);
    expect(clusters.shard2).toEqual({
      clusterName: "shard2",
      memberAddresses: [0, 1, 2].map((i) => `${mockPrivateIp(`shard2-node${i}`)}:3306`),
      seedMember: `${mockPrivateIp("shard2-node0")}:3306`,
    });
    expect(doc.outputs.bastion).toBeNull();
  });
});

describe("secrets", () => {
  it.each(["dev", "prod"])(
    "%s: no password or key reaches the plan; every stdin with secrets is secret",
    async (stack) => {
      const doc = await planOf(stack);
      const json = JSON.stringify(doc);
      expect(json).not.toContain("mock-secret-of");
      expect(json).not.toContain("PRIVATE KEY");
      // The AdminAPI commands carry secrets on stdin; bootstrap and backup-job installs carry none at all.
      const commands = doc.resources.filter(
        (r) => r.type === COMMAND && /-(configure|converge|member|accounts)$/.test(r.name),
      );
      for (const c of doc.resources.filter((r) => r.type === COMMAND && /-(bootstrap|backup-jobs)$/.test(r.name)))
        expect(c.inputs.stdin).toBeUndefined();
      expect(commands.length).toBeGreaterThan(0);
      for (const c of commands) {
        expect(c.inputs.stdin).toBe("[secret]");
        expect(c.inputs.connection).toBe("[secret]");
        expect(text(c)).toContain('cat > "$d/secrets.json"');
      }
    },
  );
});

describe("dev", () => {
  it("keeps data volumes unprotected in dev (but snapshotted on delete)", async () => {
    const doc = await planOf("dev");
    const v = get(doc, VOLUME, "shard1-node0-data");
    expect(v.options).toMatchObject({ protect: false, retainOnDelete: false });
    expect(v.inputs).toMatchObject({ size: 50, encrypted: true, finalSnapshot: true });
    expect(get(doc, INSTANCE, "shard1-node0").inputs.instanceType).toBe("t3.large");
  });

  it("with mysql.converge onChange, converge carries no per-run request", async () => {
    const raw = validDev();
    raw.mysql.converge = "onChange";
    const doc = await evaluate(stackOf(raw, "dev"));
    expect(text(cmd(doc, "shard1-converge")).startsWith("set -eu")).toBe(true);
  });
});

describe("static hosts", () => {
  const staticRaw = () => {
    const raw = validDev();
    raw.hosts = { provider: "static", staticDataDevice: "/dev/nvme1n1" };
    raw.shards[0].nodes = [{ index: 0, address: "10.9.0.10" }];
    raw.shards[1].nodes = [{ index: 0, address: "db-b.internal", sshUser: "admin" }];
    raw.ssh = { bastion: { host: "bastion.example.com" } };
    return raw;
  };
  const withKey = (s: StackConfig): StackConfig => ({
    ...s,
    config: { ...s.config, "gamedb:sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST\n" },
    secretKeys: ["gamedb:sshPrivateKey"],
  });

  it("creates no EC2 resources and bootstraps each host once over SSH with the same script", async () => {
    const doc = await evaluate(withKey(stackOf(staticRaw(), "dev")));
    expect(doc.resources.filter((r) => r.type.startsWith("aws:ec2/instance") || r.type.startsWith("aws:ebs"))).toEqual(
      [],
    );
    expect(doc.resources.filter((r) => r.type === "aws:ec2/keyPair:KeyPair" || r.type.startsWith("tls:"))).toEqual([]);
    const b = cmd(doc, "shard1-node0-bootstrap");
    expect(text(b)).toMatch(/^sudo -n env .*GAMEDB_DATA_DEVICE='\/dev\/nvme1n1'.* bash -s$/);
    expect(b.inputs.stdin).toBe(BOOTSTRAP_SCRIPT);
    expect(b.options.ignoreChanges).toEqual(["create", "stdin"]);
    expect(text(cmd(doc, "shard2-converge"))).toContain('"seed": "db-b.internal:3306"');
    expect(JSON.stringify(doc)).not.toContain("BEGIN OPENSSH");
    expect(doc.outputs.bastion).toEqual({ host: "bastion.example.com", user: "ubuntu", port: 22 });
  });

  it("gives each shard an IAM user for its backups, whose key reaches the hosts only on stdin", async () => {
    const doc = await evaluate(withKey(stackOf(staticRaw(), "dev")));
    expect(doc.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
    for (const id of [1, 2]) {
      const user = doc.resources.find((r) => r.type === "aws:iam/user:User" && r.name === `shard${id}-backup`);
      expect(user?.inputs).toEqual({ name: `gamedb-dev-shard${id}-backup`, path: "/gamedb/" });
      const policy = doc.resources.find(
        (r) => r.type === "aws:iam/userPolicy:UserPolicy" && r.name === `shard${id}-backup`,
      );
      expect(policy?.inputs.user).toBe(`gamedb-dev-shard${id}-backup`);
      expect(JSON.parse(policy!.inputs.policy as string).Statement[0].Resource[0]).toContain(`/full/shard${id}/*`);
      expect(
        doc.resources.find((r) => r.type === "aws:iam/accessKey:AccessKey" && r.name === `shard${id}-backup`),
      ).toBeDefined();
      const jobs = cmd(doc, `shard${id}-node0-backup-jobs`);
      // The jobs log in as the account the shard's accounts step creates: they are installed after the cluster.
      expect(jobs.options.dependsOn.some((u) => u.endsWith(`::shard${id}-cluster`))).toBe(true);
      expect(jobs.inputs.stdin).toBe("[secret]");
      expect(text(jobs)).toContain("export AWS_SHARED_CREDENTIALS_FILE='/etc/gamedb/aws-credentials'");
      expect(text(jobs)).toContain("put '/etc/gamedb/aws-credentials' 0600");
    }
    expect(JSON.stringify(doc)).not.toMatch(/aws_secret_access_key = (?!\[secret\])/);
  });

  it("fails without gamedb:sshPrivateKey, naming it and how to set it", async () => {
    await expect(evaluate(stackOf(staticRaw(), "dev"))).rejects.toThrow(
      'gamedb:sshPrivateKey: is required with hosts.provider "static"',
    );
  });
});

describe("critical path", () => {
  it("does not grow with the number of shards", async () => {
    const lengths = [];
    for (const n of [1, 8]) {
      const { chain, commands } = criticalPath(await evaluate(benchTopology(n)));
      lengths.push([chain.length, commands.length]);
      expect(commands.map((c) => c.name.replace(/^shard\d+-/, ""))).toEqual([
        "node0-bootstrap",
        "node0-configure",
        "converge",
        "node0-member",
        "node1-member",
        "node2-member",
        "accounts",
        // The backup jobs log in as the account the accounts step creates.
        "node0-backup-jobs",
      ]);
    }
    expect(lengths[1]).toEqual(lengths[0]);
  });
});
