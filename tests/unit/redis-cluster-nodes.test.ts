/**
 * The one CLUSTER NODES parser (scripts/lib/redis/clusterNodes.ts), shared by the monitor and the Redis controller:
 * every field of redis 7's format, open slots, address-less nodes, and a clear error on a line it cannot read.
 */
import {
  isFailing,
  isMaster,
  isMyself,
  isReplica,
  parseClusterNodes,
  parseInfoLines,
  slotCount,
} from "../../scripts/lib/redis/clusterNodes";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const D = "d".repeat(40);

describe("parseClusterNodes", () => {
  it("reads every field: hostname, flags, master, epoch, link, served and open slots", () => {
    const text = [
      `${A} 10.0.0.1:6379@16379,gamedb-redis-0.gamedb-redis-headless myself,master - 0 0 1 connected 0-5460 5462 [5461->-${B}] [7000-<-${C}]`,
      `${B} 10.0.0.2:6379@16379 slave ${A} 0 1700000000000 1 connected`,
      `${C} :0@0 master,fail,noaddr - 1700000000000 1699999999000 3 disconnected`,
      "",
    ].join("\r\n");
    expect(parseClusterNodes(text)).toEqual([
      {
        id: A,
        ip: "10.0.0.1",
        port: 6379,
        busPort: 16379,
        hostname: "gamedb-redis-0.gamedb-redis-headless",
        flags: ["myself", "master"],
        masterId: null,
        configEpoch: 1,
        linkState: "connected",
        slots: [
          { from: 0, to: 5460 },
          { from: 5462, to: 5462 },
        ],
        migrating: [{ slot: 5461, nodeId: B }],
        importing: [{ slot: 7000, nodeId: C }],
      },
      {
        id: B,
        ip: "10.0.0.2",
        port: 6379,
        busPort: 16379,
        hostname: "",
        flags: ["slave"],
        masterId: A,
        configEpoch: 1,
        linkState: "connected",
        slots: [],
        migrating: [],
        importing: [],
      },
      {
        id: C,
        ip: "",
        port: 0,
        busPort: 0,
        hostname: "",
        flags: ["master", "fail", "noaddr"],
        masterId: null,
        configEpoch: 3,
        linkState: "disconnected",
        slots: [],
        migrating: [],
        importing: [],
      },
    ]);
  });

  it("classifies nodes and counts served slots only", () => {
    const [a, b, c, d] = parseClusterNodes(
      [
        `${A} 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-99 200 [300->-${B}]`,
        `${B} 10.0.0.2:6379@16379 slave,fail? ${A} 0 0 1 connected`,
        `${C} 10.0.0.3:6379@16379 handshake - 0 0 0 disconnected`,
        `${D} 10.0.0.4:6379@16379 master - 0 0 2 connected`,
      ].join("\n"),
    );
    expect([a, b, c, d].map((n) => [isMyself(n!), isMaster(n!), isReplica(n!), isFailing(n!)])).toEqual([
      [true, true, false, false],
      [false, false, true, true],
      [false, false, false, true],
      [false, true, false, false],
    ]);
    expect(slotCount(a!.slots)).toBe(101);
  });

  it("throws, quoting the line, on what is not a CLUSTER NODES line", () => {
    expect(() => parseClusterNodes(`${A} 10.0.0.1:6379@16379 master`)).toThrow(
      `CLUSTER NODES: unexpected line "${A} 10.0.0.1:6379@16379 master"`,
    );
    expect(() => parseClusterNodes(`${A} 10.0.0.1:6379 master - 0 0 1 connected`)).toThrow("unexpected line");
    expect(() => parseClusterNodes(`${A} 10.0.0.1:6379@16379 master - 0 0 1 connected 16384`)).toThrow(
      'CLUSTER NODES: bad slot "16384"',
    );
    expect(() => parseClusterNodes(`${A} 10.0.0.1:6379@16379 master - 0 0 1 connected 9-3`)).toThrow(
      'CLUSTER NODES: bad slot range "9-3"',
    );
  });
});

describe("parseInfoLines", () => {
  it("reads key:value lines, skipping section headers and blank lines", () => {
    expect(parseInfoLines("# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n\r\ncluster_state:ok\r\n")).toEqual(
      new Map([
        ["role", "slave"],
        ["master_link_status", "up"],
        ["cluster_state", "ok"],
      ]),
    );
  });
});
