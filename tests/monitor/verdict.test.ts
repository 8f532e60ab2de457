/**
 * scripts/apps/monitor/verdict.ts: the shard status, quorum and primaries from the members' views. The table covers
 * each status and the choice of view; the properties check the MySQL Shell rules on random groups with one shared
 * view (the usual case), and that the order members are listed in never changes the verdict.
 */
import fc from "fast-check";
import { MEMBER_STATES, type MemberState } from "../../scripts/apps/monitor/mysqlCheck";
import {
  bestStatus,
  SHARD_STATUSES,
  shardVerdict,
  statusBelowBest,
  viewHasQuorum,
  type ShardStatus,
} from "../../scripts/apps/monitor/verdict";
import { inputs, nodes, view } from "./builders";

const n3 = nodes(3);
const n5 = nodes(5);
const allOnline3 = view(n3, [
  [0, "ONLINE", "PRIMARY"],
  [1, "ONLINE"],
  [2, "ONLINE"],
]);
const node1Cut = view(n3, [
  [0, "ONLINE", "PRIMARY"],
  [1, "UNREACHABLE", "SECONDARY"],
  [2, "ONLINE"],
]);
const node1Minority = view(n3, [
  [0, "UNREACHABLE", "PRIMARY"],
  [1, "ONLINE"],
  [2, "UNREACHABLE", "SECONDARY"],
]);
const primaryUnreachable = view(n3, [
  [0, "UNREACHABLE", "PRIMARY"],
  [1, "ONLINE"],
  [2, "ONLINE"],
]);
const afterElection = view(n3, [
  [1, "ONLINE", "PRIMARY"],
  [2, "ONLINE"],
]);
const survivorAlone = view(n3, [
  [0, "ONLINE", "PRIMARY"],
  [1, "UNREACHABLE", "SECONDARY"],
  [2, "UNREACHABLE", "SECONDARY"],
]);

interface Row {
  name: string;
  n: number;
  views: (ReturnType<typeof view> | null)[];
  status: ShardStatus;
  quorum: boolean;
  primaries: string[];
  viewFrom: string | null;
  tolerated: number;
  missing?: string[];
  text?: string;
}

const table: Row[] = [
  {
    name: "all ONLINE",
    n: 3,
    views: [allOnline3, allOnline3, allOnline3],
    status: "OK",
    quorum: true,
    primaries: ["node0"],
    viewFrom: "node0",
    tolerated: 1,
    text: "Cluster is ONLINE and can tolerate up to ONE failure.",
  },
  {
    name: "a secondary UNREACHABLE, itself still answering with its minority view",
    n: 3,
    views: [node1Cut, node1Minority, node1Cut],
    status: "OK_NO_TOLERANCE_PARTIAL",
    quorum: true,
    primaries: ["node0"],
    viewFrom: "node0",
    tolerated: 0,
    text: "Cluster is NOT tolerant to any failures. 1 member is not active.",
  },
  {
    name: "a secondary UNREACHABLE and not answering",
    n: 3,
    views: [node1Cut, null, node1Cut],
    status: "OK_NO_TOLERANCE_PARTIAL",
    quorum: true,
    primaries: ["node0"],
    viewFrom: "node0",
    tolerated: 0,
  },
  {
    name: "the primary lost, no new primary yet: writes impossible",
    n: 3,
    views: [null, primaryUnreachable, primaryUnreachable],
    status: "OK_NO_TOLERANCE_PARTIAL",
    quorum: true,
    primaries: [],
    viewFrom: "node1",
    tolerated: 0,
  },
  {
    name: "the lost primary expelled and node1 elected",
    n: 3,
    views: [null, afterElection, afterElection],
    status: "OK_NO_TOLERANCE_PARTIAL",
    quorum: true,
    primaries: ["node1"],
    viewFrom: "node1",
    tolerated: 0,
    missing: ["node0"],
  },
  {
    name: "quorum lost: one survivor sees the two others UNREACHABLE",
    n: 3,
    views: [survivorAlone, null, null],
    status: "NO_QUORUM",
    quorum: false,
    primaries: ["node0"],
    viewFrom: "node0",
    tolerated: 0,
    text: "Cluster has no quorum as visible from 'node0' and cannot process write transactions. 2 members are not active.",
  },
  {
    name: "no member answers",
    n: 3,
    views: [null, null, null],
    status: "OFFLINE",
    quorum: false,
    primaries: [],
    viewFrom: null,
    tolerated: 0,
    text: "No member answered the check.",
  },
  {
    name: "members answer but Group Replication is stopped everywhere",
    n: 3,
    views: [[], [], []],
    status: "OFFLINE",
    quorum: false,
    primaries: [],
    viewFrom: null,
    tolerated: 0,
    text: "No member that answered is ONLINE (node0 OFFLINE, node1 OFFLINE, node2 OFFLINE).",
  },
  {
    name: "5 members, one UNREACHABLE: still tolerates one failure",
    n: 5,
    views: Array(5).fill(
      view(n5, [
        [0, "ONLINE", "PRIMARY"],
        [1, "ONLINE"],
        [2, "ONLINE"],
        [3, "ONLINE"],
        [4, "UNREACHABLE"],
      ]),
    ),
    status: "OK_PARTIAL",
    quorum: true,
    primaries: ["node0"],
    viewFrom: "node0",
    tolerated: 1,
  },
  {
    name: "5 members all ONLINE",
    n: 5,
    views: Array(5).fill(
      view(n5, [
        [0, "ONLINE", "PRIMARY"],
        [1, "ONLINE"],
        [2, "ONLINE"],
        [3, "ONLINE"],
        [4, "ONLINE"],
      ]),
    ),
    status: "OK",
    quorum: true,
    primaries: ["node0"],
    viewFrom: "node0",
    tolerated: 2,
    text: "Cluster is ONLINE and can tolerate up to 2 failures.",
  },
  {
    name: "2 members all ONLINE: quorum, no tolerance",
    n: 2,
    views: Array(2).fill(
      view(nodes(2), [
        [0, "ONLINE", "PRIMARY"],
        [1, "ONLINE"],
      ]),
    ),
    status: "OK_NO_TOLERANCE",
    quorum: true,
    primaries: ["node0"],
    viewFrom: "node0",
    tolerated: 0,
  },
  {
    name: "1 member",
    n: 1,
    views: [view(nodes(1), [[0, "ONLINE", "PRIMARY"]])],
    status: "OK_NO_TOLERANCE",
    quorum: true,
    primaries: ["node0"],
    viewFrom: "node0",
    tolerated: 0,
  },
  {
    name: "a member RECOVERING counts toward quorum and tolerance, as in the shell",
    n: 3,
    views: Array(3).fill(
      view(n3, [
        [0, "ONLINE", "PRIMARY"],
        [1, "ONLINE"],
        [2, "RECOVERING"],
      ]),
    ),
    status: "OK",
    quorum: true,
    primaries: ["node0"],
    viewFrom: "node0",
    tolerated: 1,
    text: "Cluster is ONLINE and can tolerate up to ONE failure. 1 member is not active.",
  },
  {
    name: "a member in ERROR",
    n: 3,
    views: Array(3).fill(
      view(n3, [
        [0, "ONLINE", "PRIMARY"],
        [1, "ONLINE"],
        [2, "ERROR"],
      ]),
    ),
    status: "OK_NO_TOLERANCE_PARTIAL",
    quorum: true,
    primaries: ["node0"],
    viewFrom: "node0",
    tolerated: 0,
  },
  {
    name: "multi-primary: every ONLINE member is a primary",
    n: 3,
    views: Array(3).fill(
      view(n3, [
        [0, "ONLINE", "PRIMARY"],
        [1, "ONLINE", "PRIMARY"],
        [2, "ONLINE", "PRIMARY"],
      ]),
    ),
    status: "OK",
    quorum: true,
    primaries: ["node0", "node1", "node2"],
    viewFrom: "node0",
    tolerated: 1,
  },
];

describe("shardVerdict", () => {
  it.each(table)("$name -> $status", (row) => {
    const v = shardVerdict(inputs(nodes(row.n), row.views));
    expect({
      status: v.status,
      quorum: v.quorum,
      primaries: v.primaries,
      primaryCount: v.primaryCount,
      viewFrom: v.viewFrom,
      tolerated: v.failuresTolerated,
    }).toEqual({
      status: row.status,
      quorum: row.quorum,
      primaries: row.primaries,
      primaryCount: row.primaries.length,
      viewFrom: row.viewFrom,
      tolerated: row.tolerated,
    });
    if (row.missing) expect(v.missing).toEqual(row.missing);
    if (row.text) expect(v.statusText).toBe(row.text);
  });

  it("takes the majority's view over a minority member listed first, and reports each member's state from it", () => {
    // node0 is cut off (its view: alone, no quorum); node1 and node2 carry on, node1 now primary.
    const majority = view(n3, [
      [0, "UNREACHABLE", "SECONDARY"],
      [1, "ONLINE", "PRIMARY"],
      [2, "ONLINE"],
    ]);
    const minority = view(n3, [
      [0, "ONLINE", "SECONDARY"],
      [1, "UNREACHABLE"],
      [2, "UNREACHABLE"],
    ]);
    const v = shardVerdict(inputs(n3, [minority, majority, majority]));
    expect(v.viewFrom).toBe("node1");
    expect(v.status).toBe("OK_NO_TOLERANCE_PARTIAL");
    expect(v.members.map((m) => [m.node, m.reachable, m.state, m.role])).toEqual([
      ["node0", true, "UNREACHABLE", ""],
      ["node1", true, "ONLINE", "PRIMARY"],
      ["node2", true, "ONLINE", "SECONDARY"],
    ]);
  });

  it("prefers the primary's view when several views have quorum", () => {
    const node2Primary = view(n3, [
      [0, "ONLINE"],
      [1, "ONLINE"],
      [2, "ONLINE", "PRIMARY"],
    ]);
    const v = shardVerdict(inputs(n3, [node2Primary, node2Primary, node2Primary]));
    expect(v.viewFrom).toBe("node2");
    // Without the primary answering, the first member listed.
    expect(shardVerdict(inputs(n3, [node2Primary, node2Primary, null])).viewFrom).toBe("node0");
  });

  it("marks configured members absent from the view MISSING and unknown when there is no view", () => {
    expect(shardVerdict(inputs(n3, [null, afterElection, afterElection])).members.map((m) => m.state)).toEqual([
      "MISSING",
      "ONLINE",
      "ONLINE",
    ]);
    expect(shardVerdict(inputs(n3, [null, [], null])).members.map((m) => m.state)).toEqual([
      "UNKNOWN",
      "OFFLINE",
      "UNKNOWN",
    ]);
  });
});

describe("bestStatus and statusBelowBest", () => {
  it.each<[number, ShardStatus, boolean]>([
    [1, "OK_NO_TOLERANCE", false],
    [1, "OK_NO_TOLERANCE_PARTIAL", true],
    [1, "OFFLINE", true],
    [2, "OK_NO_TOLERANCE", false],
    [2, "OK_NO_TOLERANCE_PARTIAL", true],
    [2, "NO_QUORUM", true],
    [2, "OFFLINE", true],
    [3, "OK", false],
    [3, "OK_PARTIAL", true],
    [3, "OK_NO_TOLERANCE", true],
    [3, "OK_NO_TOLERANCE_PARTIAL", true],
    [3, "NO_QUORUM", true],
    [5, "OK", false],
    [5, "OK_PARTIAL", true],
    [5, "OFFLINE", true],
  ])("%i configured members, status %s: worse than the best reachable is %s", (n, status, worse) => {
    expect(statusBelowBest(status, n)).toBe(worse);
  });

  it("is the status of a fully ONLINE group of that size", () => {
    for (let n = 1; n <= 7; n++) {
      const ns = nodes(n);
      const all = view(
        ns,
        ns.map((_, i): [number, MemberState, string] => [i, "ONLINE", i === 0 ? "PRIMARY" : "SECONDARY"]),
      );
      const best = shardVerdict(inputs(ns, Array(n).fill(all))).status;
      expect([n, bestStatus(n)]).toEqual([n, best]);
      // Nothing a group of that size can report is better than it.
      expect(SHARD_STATUSES.filter((s) => !statusBelowBest(s, n))).toContain(best);
    }
  });
});

describe("shardVerdict properties (one view shared by every member that answers)", () => {
  const group = fc.integer({ min: 1, max: 7 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      states: fc.array(fc.constantFrom<MemberState>(...MEMBER_STATES), { minLength: n, maxLength: n }),
      answers: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      primary: fc.integer({ min: 0, max: n - 1 }),
    }),
  );

  const build = (g: { n: number; states: MemberState[]; answers: boolean[]; primary: number }) => {
    const ns = nodes(g.n);
    const shared = view(
      ns,
      g.states.map((s, i): [number, MemberState, string] => [i, s, i === g.primary ? "PRIMARY" : "SECONDARY"]),
    );
    return { ns, views: g.answers.map((a) => (a ? shared : null)) };
  };

  it("follows the AdminAPI rules", () => {
    fc.assert(
      fc.property(group, (g) => {
        const { ns, views } = build(g);
        const v = shardVerdict(inputs(ns, views));
        const online = g.states.filter((s) => s === "ONLINE").length;
        const quorumSize = g.states.filter((s) => s === "ONLINE" || s === "RECOVERING").length;
        const answeringOnline = g.states.some((s, i) => s === "ONLINE" && g.answers[i]);
        if (!answeringOnline) {
          expect(v.status).toBe("OFFLINE");
          expect(v.primaryCount).toBe(0);
          return;
        }
        const tolerated = Math.floor((quorumSize - 1) / 2);
        const partial = quorumSize !== g.n;
        const expected = !(2 * quorumSize > g.n)
          ? "NO_QUORUM"
          : tolerated === 0
            ? partial
              ? "OK_NO_TOLERANCE_PARTIAL"
              : "OK_NO_TOLERANCE"
            : partial
              ? "OK_PARTIAL"
              : "OK";
        expect(v.status).toBe(expected);
        expect(v.quorum).toBe(2 * quorumSize > g.n);
        expect(v.onlineCount).toBe(online);
        expect(v.primaryCount).toBe(g.states[g.primary] === "ONLINE" ? 1 : 0);
      }),
    );
  });

  it("does not depend on the order members are listed in", () => {
    fc.assert(
      fc.property(
        group.chain((g) =>
          fc.record({ g: fc.constant(g), order: fc.shuffledSubarray([...Array(g.n).keys()], { minLength: g.n }) }),
        ),
        ({ g, order }) => {
          const { ns, views } = build(g);
          const a = shardVerdict(inputs(ns, views));
          const all = inputs(ns, views);
          const b = shardVerdict(order.map((i) => all[i]!));
          expect([b.status, b.quorum, b.primaryCount, b.onlineCount]).toEqual([
            a.status,
            a.quorum,
            a.primaryCount,
            a.onlineCount,
          ]);
        },
      ),
    );
  });

  it("viewHasQuorum is a strict majority of ONLINE and RECOVERING", () => {
    const ns = nodes(4);
    expect(
      viewHasQuorum(
        view(ns, [
          [0, "ONLINE"],
          [1, "ONLINE"],
          [2, "UNREACHABLE"],
          [3, "UNREACHABLE"],
        ]),
      ),
    ).toBe(false);
    expect(
      viewHasQuorum(
        view(ns, [
          [0, "ONLINE"],
          [1, "RECOVERING"],
          [2, "ONLINE"],
          [3, "UNREACHABLE"],
        ]),
      ),
    ).toBe(true);
  });
});
