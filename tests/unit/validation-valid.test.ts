/**
 * Config validation accepts valid configs and fills in the defaults: parseStackConfig (infra/plan/load.ts) over the
 * schema (infra/config/schema.ts) and the cross-key rules (infra/plan/validate.ts); and the config builders of
 * tests/helpers/configs.ts are sound.
 */
import { IMAGES, KUBERNETES, RawConfig, shardsCovering, validDev, validProd } from "../helpers/configs";
import { base, problemsOf, topologyOf } from "../helpers/validation";

describe("test helpers", () => {
  it("return a fresh deep copy on every call", () => {
    const a = validProd();
    a.shards[0].slots.push("1");
    a.aws.availabilityZones.pop();
    expect(validProd().shards[0].slots).toEqual(["0-4095"]);
    expect(validProd().aws.availabilityZones).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    const d = validDev();
    d.shards.length = 0;
    expect(validDev().shards).toHaveLength(2);
  });

  it("shardsCovering splits 0..16383 evenly into active shards s1..sN", () => {
    expect(shardsCovering(4, 3)).toEqual([
      { id: 1, name: "s1", nodes: 3, state: "active", slots: ["0-4095"] },
      { id: 2, name: "s2", nodes: 3, state: "active", slots: ["4096-8191"] },
      { id: 3, name: "s3", nodes: 3, state: "active", slots: ["8192-12287"] },
      { id: 4, name: "s4", nodes: 3, state: "active", slots: ["12288-16383"] },
    ]);
    // 16384 = 5 * 3276 + 4: the first four shards take one slot more.
    expect(shardsCovering(5, 1).map((s) => s.slots[0])).toEqual([
      "0-3276",
      "3277-6553",
      "6554-9830",
      "9831-13107",
      "13108-16383",
    ]);
    expect(shardsCovering(1, 1)[0]!.slots).toEqual(["0-16383"]);
    expect(() => shardsCovering(0, 3)).toThrow(RangeError);
  });

  it.each([1, 2, 3, 7, 16, 100])("shardsCovering(%i, 3) is a valid prod shard list", (count) => {
    const raw = validProd();
    raw.shards = shardsCovering(count, 3);
    expect(problemsOf(raw, "prod")).toEqual([]);
  });
});

describe("valid configs", () => {
  it("validDev() and validProd() parse", () => {
    expect(problemsOf(validDev(), "dev")).toEqual([]);
    expect(problemsOf(validProd(), "prod")).toEqual([]);
  });

  it("environment defaults to the stack name", () => {
    expect(topologyOf(validDev(), "dev").environment).toBe("dev");
    expect(topologyOf(validProd(), "prod").environment).toBe("prod");
  });

  it("an explicit environment wins over the stack name and picks the defaults", () => {
    const raw: RawConfig = { ...validDev(), environment: "dev" };
    delete raw.network;
    const t = topologyOf(raw, "feature-x");
    expect(t.environment).toBe("dev");
    expect(t.network).toEqual({ mode: "create", cidr: "10.40.0.0/16", natGateways: "single" });
  });

  it("a stack that is not an environment name needs gamedb:environment", () => {
    expect(problemsOf(validProd(), "staging")).toEqual([
      'gamedb:environment: is required for stack "staging"; use one of "dev", "prod"',
    ]);
    // Without an environment the rest is checked against prod, so dev-only settings show up too.
    expect(problemsOf(validDev(), "staging")).toContain(
      'gamedb:environment: is required for stack "staging"; use one of "dev", "prod"',
    );
  });

  it("fills in the defaults that differ by environment", () => {
    // Only the required keys, so every other value is a default.
    const dev = topologyOf({ aws: validDev().aws, shards: validDev().shards, ...IMAGES, ...KUBERNETES }, "dev");
    const prod = topologyOf({ aws: validProd().aws, shards: validProd().shards, ...IMAGES, ...KUBERNETES }, "prod");

    expect(dev.network).toEqual({ mode: "create", cidr: "10.40.0.0/16", natGateways: "single" });
    expect(prod.network).toEqual({ mode: "create", cidr: "10.40.0.0/16", natGateways: "perAz" });
    expect(dev.mysql).toEqual({
      version: "8.4.3",
      instanceType: "t3.large",
      dataVolume: { sizeGiB: 50, type: "gp3" },
      overrides: {},
      converge: "always",
      passwordRotation: 0,
    });
    expect(prod.mysql).toEqual({
      version: "8.4.3",
      instanceType: "r6i.2xlarge",
      dataVolume: { sizeGiB: 500, type: "gp3" },
      overrides: {},
      converge: "always",
      passwordRotation: 0,
    });
    expect(dev.router.replicas).toBe(1);
    expect(prod.router.replicas).toBe(2);
    expect(dev.redis).toEqual({
      engine: "kubernetes",
      masters: 3,
      replicasPerMaster: 0,
      nodeTimeoutMs: 5000,
      tls: false,
      storageGiB: 5,
      image: "redis:7.2.7-bookworm",
      controllerImage: IMAGES.redis.controllerImage,
      nodeType: "cache.t4g.small",
      snapshotRetentionDays: 1,
    });
    expect(prod.redis).toEqual({
      engine: "kubernetes",
      masters: 3,
      replicasPerMaster: 1,
      nodeTimeoutMs: 5000,
      tls: true,
      storageGiB: 50,
      image: "redis:7.2.7-bookworm",
      controllerImage: IMAGES.redis.controllerImage,
      nodeType: "cache.r7g.large",
      snapshotRetentionDays: 7,
    });
    expect(dev.backup.pitrWindowHours).toBe(24);
    expect(prod.backup.pitrWindowHours).toBe(168);
  });

  it("fills in the defaults shared by every environment", () => {
    const t = topologyOf(
      { aws: validProd().aws, shards: [{ id: 7, name: "golf", slots: ["0-16383"] }], ...IMAGES, ...KUBERNETES },
      "prod",
    );
    expect(t.shards).toEqual([{ id: 7, name: "golf", nodes: 3, state: "active", slots: ["0-16383"] }]);
    expect(t.backup).toEqual({
      fullSchedule: "*-*-* 02:00:00",
      retentionDays: 30,
      pitrWindowHours: 168,
      binlogShipMinutes: 5,
      accessLogs: true,
      snapshots: { intervalHours: 24, time: "03:00", retainCount: 14 },
      restoreVerification: {
        enabled: true,
        schedule: "0 4 * * 0",
        image: IMAGES.backup.restoreVerification.image,
        storageGiB: 100,
      },
    });
    expect(t.monitoring).toEqual({
      image: IMAGES.monitoring.image,
      prometheusOperator: false,
      prometheusLabels: {},
      intervalSeconds: 10,
      failureThreshold: 3,
      checkTimeoutSeconds: 3,
      cpuPercent: 80,
      bufferPoolPercent: 85,
      lagSeconds: 5,
      alertEmails: [],
    });
    expect(t.kubernetes).toEqual({
      namespace: "gamedb",
      createNamespace: true,
      nodeSecurityGroupIds: [],
      nodeCidrs: [],
      awsAccess: { mode: "podIdentity", clusterName: "game-eks" },
      gameNamespaces: ["game-servers"],
    });
    expect(t.tls).toEqual({ caRotation: 0, caValidityDays: 3650, certValidityDays: 365 });
    expect(t.ssh).toEqual({ user: "ubuntu", adminCidrs: [] });
    expect(t.hosts).toEqual({ provider: "aws", rootVolumeGiB: 30 });
  });

  it("keeps the values it was given", () => {
    const t = topologyOf(validProd(), "prod");
    expect(t.mysql.dataVolume).toEqual({ sizeGiB: 500, type: "gp3", iops: 6000, throughput: 250 });
    expect(t.ssh.adminCidrs).toEqual(["10.0.0.0/8"]);
    expect(t.shards.map((s) => s.slots)).toEqual([["0-4095"], ["4096-8191"], ["8192-12287"], ["12288-16383"]]);
  });

  it.each<{ name: string; stack: "dev" | "prod"; mutate: (raw: RawConfig) => void }>([
    { name: "burstable instances in dev", stack: "dev", mutate: (r) => (r.mysql.instanceType = "t3a.medium") },
    {
      name: "adopt mode with a subnet for every zone, zone letter past 'o' included",
      stack: "dev",
      mutate: (r) => {
        r.aws.availabilityZones = ["eu-west-1a", "eu-west-1p"];
        r.network = {
          mode: "adopt",
          vpcId: "vpc-0abc1234",
          subnetIds: { "eu-west-1a": "subnet-0abc1234", "eu-west-1p": "subnet-0abc5678" },
        };
      },
    },
    { name: "a /20 network", stack: "prod", mutate: (r) => (r.network.cidr = "10.50.16.0/20") },
    {
      name: "io2 with iops",
      stack: "prod",
      mutate: (r) => (r.mysql.dataVolume = { sizeGiB: 500, type: "io2", iops: 20000 }),
    },
    {
      name: "gp3 at its limits",
      stack: "prod",
      mutate: (r) => (r.mysql.dataVolume = { sizeGiB: 500, iops: 16000, throughput: 1000 }),
    },
    {
      name: "a provisioning shard and a retired shard without slots",
      stack: "prod",
      mutate: (r) => {
        r.shards.push(
          { id: 5, name: "echo", state: "provisioning" },
          { id: 6, name: "foxtrot", state: "retired", slots: [] },
        );
      },
    },
    {
      name: "slots split into single slots and ranges",
      stack: "dev",
      mutate: (r) => (r.shards[1].slots = ["8192", "8193-16382", "16383"]),
    },
    {
      name: "prod nodes listed one by one with an index gap and pinned zones",
      stack: "prod",
      mutate: (r) =>
        (r.shards[0].nodes = [
          { index: 0, az: "eu-west-1a" },
          { index: 2, az: "eu-west-1b" },
          { index: 5, az: "eu-west-1c", instanceType: "r7i.4xlarge" },
        ]),
    },
    { name: "prod with 5 nodes over 3 zones", stack: "prod", mutate: (r) => (r.shards[3].nodes = 5) },
    {
      name: "private admin and node CIDRs",
      stack: "prod",
      mutate: (r) => (r.kubernetes = { ...r.kubernetes, nodeCidrs: ["10.1.0.0/16", "fd00::/8"] }),
    },
  ])("accepts $name", ({ stack, mutate }) => {
    const raw = base(stack);
    mutate(raw);
    expect(problemsOf(raw, stack)).toEqual([]);
  });
});

describe("backup.fullSchedule", () => {
  it.each(["*-*-* 02:00:00", "Sun *-*-* 03:30", "Mon,Thu *-*-* 01:15:00 UTC", "*-*-1 04:00", "daily", "weekly"])(
    "accepts %s",
    (fullSchedule) => {
      const raw = validDev();
      raw.backup = { ...raw.backup, fullSchedule };
      expect(problemsOf(raw, "dev")).toEqual([]);
    },
  );
});
