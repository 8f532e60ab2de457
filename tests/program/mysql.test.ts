/**
 * Shard hosts and InnoDB Clusters under Pulumi's mock runtime: exact inputs and options of hosts and volumes, each
 * host's toolkit and bootstrap, the command chain per shard and its dependencies, the scripts and params each step
 * runs (read back from its command text, tests/helpers/toolkit.ts), secrets, static hosts and the converge mode.
 */
import { evaluate } from "../../scripts/lib/evaluate";
import { criticalPath } from "../../scripts/lib/criticalPath";
import { mockPrivateIp } from "../../scripts/lib/mockValues";
import type { StackConfig } from "../../scripts/lib/stackFile";
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";
import { benchTopology } from "../../scripts/cli/bench/topologies";
import { bootstrapEnvFile, bootstrapStepCommand } from "../../infra/mysql/bootstrapStep";
import { ADMINAPI_SCRIPTS, adminApiScript } from "../../infra/mysql/adminapi";
import { installCommand } from "../../infra/contracts/toolkit";
import { parseFileBundle } from "../../infra/contracts/fileBundle";
import { currentToolkit, entryFiles } from "../../infra/toolkit/build";
import { isStep, stepOf } from "../helpers/toolkit";
import { stackOf } from "../helpers/stack";
import { planOf, resourceOf as get } from "../helpers/plan";
import { validDev } from "../helpers/configs";

const INSTANCE = "aws:ec2/instance:Instance";
const VOLUME = "aws:ebs/volume:Volume";
const ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment";
const COMMAND = "command:remote:Command";
const COPY = "command:remote:CopyToRemote";
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
    // No user data: the bootstrap arrives with the toolkit. Hosts made with user data keep it (ignored).
    expect(Object.keys(i.inputs).filter((k) => k.startsWith("userData"))).toEqual(["userDataReplaceOnChange"]);
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

  it("copies the toolkit to each host once its data volume is attached, then installs it", () => {
    const { version } = currentToolkit();
    for (const id of [1, 2, 3, 4])
      for (const i of [0, 1, 2]) {
        const node = `shard${id}-node${i}`;
        const copy = get(doc, COPY, `${node}-toolkit-copy`);
        expect(copy.inputs).toEqual({
          connection: "[secret]",
          source: { __pulumiArchive: true, path: `.gamedb/toolkit/${currentToolkit().version}` },
          remotePath: ".gamedb-toolkit",
          // A new instance or a new SSH user (the staging home) copies again.
          triggers: [`${node}-id`, "ubuntu"],
        });
        expect(copy.options).toEqual({
          protect: false,
          retainOnDelete: false,
          ignoreChanges: [],
          dependsOn: [get(doc, ATTACHMENT, `${node}-data`).urn],
        });
        const install = cmd(doc, `${node}-toolkit`);
        expect(install.inputs).toEqual({
          connection: "[secret]",
          create: installCommand(version),
          logging: "stdoutAndStderr",
        });
        expect(install.options).toEqual({
          protect: false,
          retainOnDelete: false,
          ignoreChanges: [],
          dependsOn: [copy.urn],
        });
      }
  });

  it("bootstraps each host by the toolkit's step once the toolkit is installed and the data volume attached", () => {
    for (const id of [1, 2, 3, 4])
      for (const i of [0, 1, 2]) {
        const node = `shard${id}-node${i}`;
        const b = cmd(doc, `${node}-bootstrap`);
        const input = {
          mysqlVersion: "8.4.3",
          dataDevice: `ebs:${node}-data-id`,
          dataDir: "/var/lib/mysql",
          waitForCloudInit: true,
        };
        expect(b.inputs).toEqual({
          connection: "[secret]",
          create: bootstrapStepCommand(input),
          logging: "stdoutAndStderr",
        });
        // Re-runs when its text changes (a new mysql.version, a new bootstrap.sh): the launcher skips a bootstrapped host.
        expect(b.options).toEqual({
          protect: false,
          retainOnDelete: false,
          ignoreChanges: [],
          dependsOn: [cmd(doc, `${node}-toolkit`).urn, get(doc, ATTACHMENT, `${node}-data`).urn],
        });
        const step = stepOf(b.inputs.create);
        expect([step.entry, step.params, step.file, step.note]).toEqual([
          "host/bootstrap",
          undefined,
          bootstrapEnvFile(input),
          undefined,
        ]);
        expect(step.files.map((f) => f.path)).toEqual(["lib/bootstrap.sh", "host/bootstrap.sh"]);
      }
  });

  it("names in every step the hash of exactly the files its entry runs, in this checkout's toolkit", () => {
    const steps = doc.resources
      .filter((r) => r.type === COMMAND)
      .flatMap((r) => (["create", "update", "delete"] as const).map((k) => r.inputs[k]).filter((t) => t !== undefined));
    const entries = new Map<string, number>();
    for (const t of steps.filter(isStep)) {
      const step = stepOf(t);
      expect(step.sha256).toBe(entryFiles(currentToolkit(), step.entry).sha256);
      entries.set(step.entry, (entries.get(step.entry) ?? 0) + 1);
    }
    // Per node: bootstrap, configure, join and leave, the backup jobs; per shard: converge (create, update), accounts.
    expect(Object.fromEntries(entries)).toEqual({
      "host/bootstrap": 12,
      "adminapi/configure-instance": 12,
      "adminapi/converge-cluster": 8,
      "adminapi/join-member": 12,
      "adminapi/leave-member": 12,
      "adminapi/setup-accounts": 4,
      "backup/install": 12,
    });
    // Every other command text is a host's toolkit install.
    expect(steps.filter((t) => !isStep(t))).toEqual(Array(12).fill(installCommand(currentToolkit().version)));
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
    const converge = stepOf(text(cmd(doc, "shard1-converge")));
    expect(converge.entry).toBe("adminapi/converge-cluster");
    expect(converge.params).toMatchObject({
      seed: `${seedIp}:3306`,
      clusterName: "shard1",
      createOptions: { communicationStack: "MYSQL", memberSslMode: "REQUIRED" },
      recoveryMethod: "clone",
      // Only the first run may create the cluster; every later run (update) refuses to create a second one.
      allowCreate: true,
      members: [0, 1, 2].map((i) => `${mockPrivateIp(`shard1-node${i}`)}:3306`),
    });
    expect(stepOf(text(cmd(doc, "shard1-converge"), "update"))).toEqual({
      ...converge,
      params: { ...(converge.params as object), allowCreate: false },
    });
    expect(converge.script).toBe(adminApiScript("converge-cluster"));
    expect(converge.script).toContain("dba.createCluster");
    const configure = stepOf(text(cmd(doc, "shard1-node2-configure")));
    expect(configure.entry).toBe("adminapi/configure-instance");
    expect(configure.file).toMatch(/^server_id\s*=\s*1003$/m);
    expect(configure.file).toMatch(
      new RegExp(`^report_host\\s*=\\s*${mockPrivateIp("shard1-node2").replace(/\./g, "\\.")}$`, "m"),
    );
    expect(configure.params).toMatchObject({ self: `${mockPrivateIp("shard1-node2")}:3306` });
    expect(configure.script).toBe(adminApiScript("configure-instance"));
    expect(configure.script).toContain("dba.configureInstance");
    // The TLS files and the my.cnf are installed by the configure entry's helpers, which no other entry runs.
    expect(configure.files.map((f) => f.path).slice(0, 3)).toEqual([
      "lib/adminapi.sh",
      "lib/install-tls.sh",
      "lib/install-mycnf.sh",
    ]);
    expect(configure.file).toMatch(/^require_secure_transport = ON$/m);
    expect(configure.file).toMatch(/^ssl_key = \/etc\/mysql\/gamedb-tls\/server-key\.pem$/m);
    // The member's key travels only in the configure step's stdin, a secret; no command text or output holds it.
    const configureCmd = cmd(doc, "shard1-node2-configure");
    expect(configureCmd.inputs.stdin).toBe("[secret]");
    const serialized = JSON.stringify(doc);
    for (const i of [0, 1, 2]) expect(serialized).not.toContain(`mock-secret-of-shard1-node${i}-mysql-key-0`);
    expect(serialized).not.toContain("PRIVATE KEY");
    // Each member's certificate names the private IP it reports, signed by the stack's CA.
    const csr = get(doc, "tls:index/certRequest:CertRequest", "shard1-node2-mysql-csr");
    expect(csr.inputs).toMatchObject({
      subject: { commonName: "shard1-node2", organization: "gamedb" },
      dnsNames: [],
      ipAddresses: [mockPrivateIp("shard1-node2")],
    });
    const cert = get(doc, "tls:index/locallySignedCert:LocallySignedCert", "shard1-node2-mysql-cert");
    expect(cert.inputs).toMatchObject({ caPrivateKeyPem: "[secret]", certRequestPem: expect.any(String) });
    const accounts = stepOf(text(cmd(doc, "shard1-accounts")));
    expect([accounts.entry, accounts.file]).toEqual(["adminapi/setup-accounts", undefined]);
    expect(accounts.params).toMatchObject({ clusterName: "shard1", seed: `${seedIp}:3306` });
    expect(accounts.script).toContain("setupRouterAccount");
  });

  it("runs each AdminAPI script from exactly its files: the launcher, then the helpers and the script", () => {
    for (const name of ADMINAPI_SCRIPTS) {
      const { files } = entryFiles(currentToolkit(), `adminapi/${name}`);
      const js = files.filter((f) => f.path.endsWith(".js")).map((f) => f.path);
      expect(files[0]!.path).toBe("lib/adminapi.sh");
      expect(js[js.length - 1]).toBe(`adminapi/${name}.js`);
      expect(js.map((p) => currentToolkit().files.get(p)!.text).join("\n")).toBe(adminApiScript(name));
    }
  });

  it("removes a node from its cluster before its host goes: the member command depends on the instance", () => {
    for (const i of [0, 1, 2]) {
      const member = cmd(doc, `shard4-node${i}-member`);
      expect(member.dependencies).toContain(get(doc, INSTANCE, `shard4-node${i}`).urn);
      const leave = stepOf(text(member, "delete"));
      expect([leave.entry, leave.params]).toEqual([
        "adminapi/leave-member",
        { clusterName: "shard4", self: `${mockPrivateIp(`shard4-node${i}`)}:3306`, clusterAdmin: "gamedb_admin" },
      ]);
      expect(leave.script).toContain("removeInstance");
      const join = stepOf(text(member));
      expect([join.entry, join.params]).toEqual([
        "adminapi/join-member",
        {
          clusterName: "shard4",
          seed: `${mockPrivateIp("shard4-node0")}:3306`,
          self: `${mockPrivateIp(`shard4-node${i}`)}:3306`,
          clusterAdmin: "gamedb_admin",
          recoveryMethod: "clone",
        },
      ]);
      expect(join.script).toContain("addInstance");
    }
  });

  it("re-runs converge on every pulumi up by default (the plan names the request instead of a time)", () => {
    expect(text(cmd(doc, "shard1-converge")).split("\n")[0]).toBe("# converge requested <on every pulumi up>");
    expect(stepOf(text(cmd(doc, "shard1-converge"))).note).toBe("converge requested <on every pulumi up>");
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
      // The AdminAPI commands carry secrets on stdin; the toolkit, bootstrap and backup-job installs carry none.
      const commands = doc.resources.filter(
        (r) => r.type === COMMAND && /-(configure|converge|member|accounts)$/.test(r.name),
      );
      const others = doc.resources.filter(
        (r) => r.type.startsWith("command:remote:") && /-(toolkit-copy|toolkit|bootstrap|backup-jobs)$/.test(r.name),
      );
      expect(commands.length + others.length).toBe(
        doc.resources.filter((r) => r.type.startsWith("command:remote:")).length,
      );
      // The only local commands wait for Pod Identity associations (infra/workloadAccess.ts): no input to leak.
      for (const l of doc.resources.filter((r) => r.type.startsWith("command:local:")))
        expect([l.name, l.inputs.create, l.inputs.stdin]).toEqual([
          expect.stringMatching(/-association-settle$/),
          "sleep 30",
          undefined,
        ]);
      for (const c of others) expect(c.inputs.stdin).toBeUndefined();
      expect(commands.length).toBeGreaterThan(0);
      // adminapi.sh, every AdminAPI entry's launcher, writes its stdin to the secrets file mysqlsh reads.
      expect(currentToolkit().files.get("lib/adminapi.sh")!.text).toContain('cat >"$d/secrets.json"');
      for (const c of commands) {
        expect(c.inputs.stdin).toBe("[secret]");
        expect(c.inputs.connection).toBe("[secret]");
        for (const key of ["create", "update", "delete"].filter((k) => c.inputs[k] !== undefined))
          expect(stepOf(text(c, key)).files[0]!.path).toBe("lib/adminapi.sh");
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
    expect(stepOf(text(cmd(doc, "shard1-converge"))).note).toBeUndefined();
  });
});

describe("static hosts", () => {
  const staticRaw = () => {
    const raw = validDev();
    raw.hosts = { provider: "static", staticDataDevice: "/dev/nvme1n1", awsAccess: { mode: "accessKeys" } };
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

  it("creates no EC2 resources; gives each host the toolkit over SSH and bootstraps it with the same step", async () => {
    const doc = await evaluate(withKey(stackOf(staticRaw(), "dev")));
    expect(doc.resources.filter((r) => r.type.startsWith("aws:ec2/instance") || r.type.startsWith("aws:ebs"))).toEqual(
      [],
    );
    expect(doc.resources.filter((r) => r.type === "aws:ec2/keyPair:KeyPair")).toEqual([]);
    // No SSH key is generated (it comes from the config): the TLS resources are the CA, each member's and each
    // Router's certificate.
    const members = ["shard1-node0", "shard2-node0"];
    expect(
      doc.resources
        .filter((r) => r.type.startsWith("tls:"))
        .map((r) => r.name)
        .sort(),
    ).toEqual(
      [
        "gamedb-ca-key-0",
        "gamedb-ca",
        ...members.flatMap((n) => [`${n}-mysql-key-0`, `${n}-mysql-csr`, `${n}-mysql-cert`]),
        ...["shard1", "shard2"].flatMap((s) => [
          `${s}-router-tls-key-0`,
          `${s}-router-tls-csr`,
          `${s}-router-tls-cert`,
        ]),
      ].sort(),
    );
    // A static host given by IP gets an IP SAN, one given by name a DNS SAN: what the Routers and monitor dial.
    expect(get(doc, "tls:index/certRequest:CertRequest", "shard1-node0-mysql-csr").inputs).toMatchObject({
      dnsNames: [],
      ipAddresses: ["10.9.0.10"],
    });
    expect(get(doc, "tls:index/certRequest:CertRequest", "shard2-node0-mysql-csr").inputs).toMatchObject({
      dnsNames: ["db-b.internal"],
    });
    const input = { mysqlVersion: "8.4.3", dataDevice: "/dev/nvme1n1", dataDir: "/var/lib/mysql" };
    for (const [node, address, user] of [
      ["shard1-node0", "10.9.0.10", "ubuntu"],
      ["shard2-node0", "db-b.internal", "admin"],
    ]) {
      const copy = get(doc, COPY, `${node}-toolkit-copy`);
      expect(copy.inputs).toEqual({
        connection: "[secret]",
        source: { __pulumiArchive: true, path: `.gamedb/toolkit/${currentToolkit().version}` },
        remotePath: ".gamedb-toolkit",
        triggers: [address, user],
      });
      expect(copy.options).toEqual({ protect: false, retainOnDelete: false, ignoreChanges: [], dependsOn: [] });
      const install = cmd(doc, `${node}-toolkit`);
      expect(install.inputs.create).toBe(installCommand(currentToolkit().version));
      expect(install.options.dependsOn).toEqual([copy.urn]);
      const b = cmd(doc, `${node}-bootstrap`);
      expect(b.inputs).toEqual({
        connection: "[secret]",
        create: bootstrapStepCommand(input),
        logging: "stdoutAndStderr",
      });
      expect(b.options).toEqual({ protect: false, retainOnDelete: false, ignoreChanges: [], dependsOn: [install.urn] });
      expect(stepOf(b.inputs.create).file).toContain("GAMEDB_DATA_DEVICE='/dev/nvme1n1'");
    }
    expect(stepOf(text(cmd(doc, "shard2-converge"))).params).toMatchObject({ seed: "db-b.internal:3306" });
    expect(JSON.stringify(doc)).not.toContain("BEGIN OPENSSH");
    expect(doc.outputs.bastion).toEqual({ host: "bastion.example.com", user: "ubuntu", port: 22 });
  });

  it("gives each shard an IAM user for its backups, whose key reaches the hosts only on stdin", async () => {
    const doc = await evaluate(withKey(stackOf(staticRaw(), "dev")));
    // No instance role to grant: the role policies are the flow-log delivery's and the pods' (workload identity).
    expect(
      doc.resources
        .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["gamedb-monitor", "gamedb-network-flow-logs", "gamedb-restore-verify"]);
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
      // The jobs' toolkit step carries the host's files on fd 4: backup.env points at the credentials file, which
      // is the step's stdin (installed 0600), never in the text.
      const step = stepOf(text(jobs));
      expect(step.entry).toBe("backup/install");
      const bundle = parseFileBundle(step.file!);
      const env = bundle.find((f) => f.path === "/etc/gamedb/backup.env");
      expect(env && "content" in env ? env.content : "").toContain(
        "export AWS_SHARED_CREDENTIALS_FILE='/etc/gamedb/aws-credentials'\n",
      );
      expect(bundle.filter((f) => "stdin" in f)).toEqual([
        { path: "/etc/gamedb/aws-credentials", mode: "0600", stdin: true },
      ]);
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
        "node0-toolkit",
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
