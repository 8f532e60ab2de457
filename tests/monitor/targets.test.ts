/**
 * scripts/apps/monitor/targets.ts (the endpoints directory, read every cycle) and the pure Redis reply parsers of
 * redisCheck.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryLogger } from "../../scripts/apps/monitor/log";
import { parseClusterInfo, parseClusterNodes, parseReplicationInfo } from "../../scripts/apps/monitor/redisCheck";
import { TargetReader, parseMembers } from "../../scripts/apps/monitor/targets";
import { parseHostPort } from "../../infra/contracts/endpoints";

const members = {
  shard7: {
    shardId: 7,
    clusterName: "shard7",
    state: "provisioning",
    members: [
      { node: "shard7-node0", host: "10.0.1.5", port: 3306, vcpus: 4 },
      { node: "shard7-node1", host: "10.0.2.5", port: 3306, vcpus: null },
      { node: "shard7-node2", host: "db3.example.internal", port: 3307 },
    ],
  },
  shard1: {
    shardId: 1,
    clusterName: "shard1",
    state: "active",
    members: [{ node: "shard1-node0", host: "10.0.1.6", port: 3306, vcpus: 8 }],
  },
};

describe("endpoints directory", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gamedb-endpoints-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads members (any lifecycle state, vCPUs absent or null as unknown) and Redis seeds", () => {
    writeFileSync(join(dir, "members.json"), JSON.stringify(members));
    writeFileSync(
      join(dir, "redis.json"),
      JSON.stringify({
        engine: "kubernetes",
        seeds: ["gamedb-redis-0.gamedb-redis-headless.gamedb.svc.cluster.local:6379"],
      }),
    );
    writeFileSync(join(dir, "routers.json"), "not even JSON: ignored");
    const t = new TargetReader(dir, memoryLogger()).read();
    expect(t.shards.map((s) => [s.shard, s.state, s.members.map((m) => [m.node, m.host, m.port, m.vcpus])])).toEqual([
      ["shard1", "active", [["shard1-node0", "10.0.1.6", 3306, 8]]],
      [
        "shard7",
        "provisioning",
        [
          ["shard7-node0", "10.0.1.5", 3306, 4],
          ["shard7-node1", "10.0.2.5", 3306, null],
          ["shard7-node2", "db3.example.internal", 3307, null],
        ],
      ],
    ]);
    expect(t.redis).toEqual({
      engine: "kubernetes",
      seeds: [{ host: "gamedb-redis-0.gamedb-redis-headless.gamedb.svc.cluster.local", port: 6379 }],
    });
  });

  it("keeps the last good targets when a file is caught half-written, logs once, and picks up the next version", () => {
    const log = memoryLogger();
    const reader = new TargetReader(dir, log);
    writeFileSync(join(dir, "members.json"), JSON.stringify(members));
    expect(reader.read().shards).toHaveLength(2);
    const text = JSON.stringify({ shard1: members.shard1 });
    writeFileSync(join(dir, "members.json"), text.slice(0, text.length / 2));
    expect(reader.read().shards).toHaveLength(2);
    expect(reader.read().shards).toHaveLength(2);
    expect(reader.errors).toBe(2);
    expect(log.records.filter((r) => r.level === "warn")).toHaveLength(1);
    writeFileSync(join(dir, "members.json"), text);
    expect(reader.read().shards.map((s) => s.shard)).toEqual(["shard1"]);
  });

  it("keeps the last good targets when a file parses but breaks the schema", () => {
    const reader = new TargetReader(dir, memoryLogger());
    writeFileSync(join(dir, "members.json"), JSON.stringify(members));
    reader.read();
    const broken = { shard1: { ...members.shard1, members: [{ node: "shard1-node0", host: "10.0.1.6", port: 0 }] } };
    writeFileSync(join(dir, "members.json"), JSON.stringify(broken));
    expect(reader.read().shards).toHaveLength(2);
    expect(() => parseMembers(JSON.stringify(broken))).toThrow("shard1.members.0.port: must be a port from 1 to 65535");
  });

  it("has no targets of a kind whose file is absent", () => {
    expect(new TargetReader(dir, memoryLogger()).read()).toEqual({ shards: [], redis: null });
  });

  it("splits host:port on the last colon", () => {
    expect(parseHostPort("[fd00::1]:6379")).toEqual({ host: "fd00::1", port: 6379 });
    expect(() => parseHostPort("redis-0")).toThrow('"redis-0" is not host:port');
  });
});

describe("Redis reply parsers", () => {
  it("reads CLUSTER INFO", () => {
    const text = [
      "cluster_state:fail",
      "cluster_slots_assigned:16384",
      "cluster_slots_ok:10923",
      "cluster_slots_pfail:0",
      "cluster_slots_fail:5461",
      "cluster_known_nodes:6",
      "cluster_size:3",
      "cluster_current_epoch:7",
      "",
    ].join("\r\n");
    expect(parseClusterInfo(text)).toEqual({
      state: "fail",
      slotsAssigned: 16384,
      slotsOk: 10923,
      slotsPfail: 0,
      slotsFail: 5461,
      knownNodes: 6,
      size: 3,
    });
    expect(() => parseClusterInfo("ERR This instance has cluster support disabled")).toThrow("cluster_state missing");
  });

  it("reads INFO replication of a replica and of a master", () => {
    expect(
      parseReplicationInfo(
        "# Replication\r\nrole:slave\r\nmaster_host:10.0.0.9\r\nmaster_port:6379\r\nmaster_link_status:down\r\nconnected_slaves:0\r\n",
      ),
    ).toEqual({
      role: "slave",
      masterLinkStatus: "down",
      masterHost: "10.0.0.9",
      masterPort: 6379,
      connectedSlaves: 0,
    });
    expect(parseReplicationInfo("# Replication\r\nrole:master\r\nconnected_slaves:1\r\n")).toMatchObject({
      role: "master",
      masterLinkStatus: null,
      connectedSlaves: 1,
    });
  });

  it("reads CLUSTER NODES: announced hostnames first, slot counts, failed nodes kept, addressless ones left out", () => {
    const text = [
      "a1 10.0.0.1:6379@16379,redis-0.redis-headless myself,master - 0 0 1 connected 0-5460",
      "b2 10.0.0.2:6379@16379,redis-1.redis-headless master,fail - 0 0 2 disconnected",
      "c3 10.0.0.3:6379@16379 slave a1 0 0 1 connected",
      "d4 :0@0 master,noaddr - 0 0 0 disconnected",
      "e5 10.0.0.5:6379@16379 master - 0 0 3 connected 5461 5462-10922 [5463->-a1]",
    ].join("\n");
    expect(parseClusterNodes(text).map((n) => [n.id, n.host, n.port, n.flags.join(","), n.masterId, n.slots])).toEqual([
      ["a1", "redis-0.redis-headless", 6379, "myself,master", null, 5461],
      ["b2", "redis-1.redis-headless", 6379, "master,fail", null, 0],
      ["c3", "10.0.0.3", 6379, "slave", "a1", 0],
      ["e5", "10.0.0.5", 6379, "master", null, 5462],
    ]);
    expect(
      parseClusterNodes("a1 :6379@16379 myself,master - 0 0 1 connected", { host: "seed", port: 6379 })[0],
    ).toMatchObject({ host: "seed", port: 6379 });
  });
});
