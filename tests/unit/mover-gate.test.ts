// The gate before a slot map is published (scripts/lib/mover/gate.ts): the pure comparison of the map with the
// shards' fences (example messages, and fast-check properties against a slot-by-slot reference), and runGate's
// waiting for moves and frozen slots with faked connections and a faked clock. On stand-ins:
// tests/integration/mover-gate.test.ts.
import fc from "fast-check";
import type { FenceState, SlotRun } from "../../infra/contracts/slotFence";
import type { GateSpec, MoveStatus } from "../../infra/contracts/slotMoves";
import type { Connection } from "mysql2/promise";
import type { FenceRow } from "../../scripts/lib/mover/fenceRows";
import { GateFinding, gateFindings, gateProblems, runGate } from "../../scripts/lib/mover/gate";

const SLOTS = 16384;
const TWO: SlotRun[] = [
  { from: 0, to: 8191, shard: 1 },
  { from: 8192, to: 16383, shard: 2 },
];

/** Every shard's fence as an installation writes it for `map`: its slots owned, the rest moved to their owner. */
function fencesFor(map: readonly SlotRun[], shards: number[]): Map<number, FenceRow[]> {
  const owner = new Array<number>(SLOTS);
  for (const r of map) for (let s = r.from; s <= r.to; s++) owner[s] = r.shard;
  return new Map(
    shards.map((shard) => [
      shard,
      owner.map((o, slot) => ({ slot, state: (o === shard ? "owned" : "moved") as FenceState, owner: o, epoch: 0 })),
    ]),
  );
}

function setRows(fences: Map<number, FenceRow[]>, shard: number, from: number, to: number, row: Partial<FenceRow>) {
  const rows = fences.get(shard)!;
  for (let s = from; s <= to; s++) rows[s] = { ...rows[s]!, ...row };
}

describe("gateProblems: examples", () => {
  it("finds nothing when every fence agrees with the map", () => {
    expect(gateProblems(TWO, fencesFor(TWO, [1, 2, 3]))).toEqual({ problems: [], waiting: [] });
  });

  it("refuses a map edited without a move, in ranges, saying how to move them", () => {
    // shards[].slots gave 100-199 to shard 2 by hand: shard 1 still owns them.
    const edited: SlotRun[] = [
      { from: 0, to: 99, shard: 1 },
      { from: 100, to: 199, shard: 2 },
      { from: 200, to: 8191, shard: 1 },
      { from: 8192, to: 16383, shard: 2 },
    ];
    expect(gateProblems(edited, fencesFor(TWO, [1, 2]))).toEqual({
      problems: [
        "slots 100-199 are owned on shard 1's fence (epoch 0) but the map gives them to shard 2: move them with " +
          "gamedb:slotMoves, do not edit shards[].slots alone",
        "slots 100-199 are given to shard 2 but its fence says moved (owner 1, epoch 0): move them with " +
          "gamedb:slotMoves, do not edit shards[].slots alone",
      ],
      waiting: [],
    });
  });

  it("waits on frozen slots (a switch under way), on the map's shard or another", () => {
    const fences = fencesFor(TWO, [1, 2]);
    setRows(fences, 1, 10, 19, { state: "frozen", epoch: 3 });
    setRows(fences, 2, 9000, 9000, { state: "frozen" });
    expect(gateProblems(TWO, fences)).toEqual({
      problems: [],
      waiting: [
        "slots 10-19 are frozen on shard 1's fence (owner 1, epoch 3): a switch is under way",
        "slot 9000 is frozen on shard 2's fence (owner 2, epoch 0): a switch is under way",
      ],
    });
  });

  it("names importing copies, missing fence rows, a shard it cannot read and a malformed map", () => {
    const fences = fencesFor(TWO, [1, 2]);
    setRows(fences, 2, 8192, 8200, { state: "importing", owner: 1, epoch: 5 });
    fences.set(
      2,
      fences.get(2)!.filter((r) => r.slot !== 16383),
    );
    expect(gateProblems(TWO, fences).problems).toEqual([
      "slots 8192-8200 are given to shard 2 but its fence says importing (owner 1, epoch 5): move them with " +
        "gamedb:slotMoves, do not edit shards[].slots alone",
      "slot 16383 is given to shard 2 but its fence has no row for them: install the fence rows",
    ]);
    fences.delete(2);
    expect(gateProblems(TWO, fences).problems).toEqual([
      "slots 8192-16383 are given to shard 2, whose fence the gate cannot read: add the shard to the gate's shards",
    ]);
    expect(gateProblems([{ from: 0, to: 100, shard: 1 }], fences).problems).toEqual([
      "the slot map cannot be published: slot map leaves slots 101-16383 unowned",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const mapArb: fc.Arbitrary<SlotRun[]> = fc
  .tuple(
    fc.uniqueArray(fc.integer({ min: 1, max: SLOTS - 1 }), { maxLength: 6 }),
    fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 7, maxLength: 7 }),
  )
  .map(([cuts, shards]) => {
    const points = [0, ...cuts.sort((a, b) => a - b), SLOTS];
    return points.slice(0, -1).map((from, i) => ({ from, to: points[i + 1]! - 1, shard: shards[i]! }));
  });

const STATES: FenceState[] = ["owned", "importing", "frozen", "moved"];
const changeArb = fc.record({
  shard: fc.integer({ min: 1, max: 4 }),
  from: fc.nat(SLOTS - 1),
  length: fc.integer({ min: 1, max: 300 }),
  state: fc.constantFrom(...STATES),
  owner: fc.integer({ min: 1, max: 4 }),
  epoch: fc.nat(9),
});

/** The reference: each (shard, slot) judged alone (rows indexed by slot, as fencesFor builds them). */
function reference(map: SlotRun[], fences: Map<number, FenceRow[]>): Map<string, GateFinding["kind"]> {
  const out = new Map<string, GateFinding["kind"]>();
  for (const run of map) {
    for (let slot = run.from; slot <= run.to; slot++) {
      for (const [shard, rows] of fences) {
        const r = rows[slot]!;
        if (r.state === "frozen") out.set(`${shard}:${slot}`, "frozen");
        else if (shard === run.shard && r.state !== "owned") out.set(`${shard}:${slot}`, "notOwned");
        else if (shard !== run.shard && r.state === "owned") out.set(`${shard}:${slot}`, "ownedElsewhere");
      }
    }
  }
  return out;
}

describe("gateFindings: properties", () => {
  it("agrees slot by slot with the reference, in maximal sorted runs, and fences built from the map pass", () => {
    fc.assert(
      fc.property(mapArb, fc.array(changeArb, { maxLength: 4 }), (map, changes) => {
        const fences = fencesFor(map, [1, 2, 3, 4]);
        expect(gateFindings(map, fences)).toEqual([]);
        for (const c of changes) {
          setRows(fences, c.shard, c.from, Math.min(c.from + c.length - 1, SLOTS - 1), c);
        }
        const findings = gateFindings(map, fences);
        const seen = new Map<string, GateFinding["kind"]>();
        for (const f of findings) {
          for (let s = f.from; s <= f.to; s++) seen.set(`${f.shard}:${s}`, f.kind);
        }
        expect(seen).toEqual(reference(map, fences));
        findings.forEach((f, i) => {
          const next = findings[i + 1];
          if (!next) return;
          expect(next.shard > f.shard || (next.shard === f.shard && next.from > f.to)).toBe(true);
          const same = (["kind", "shard", "mapShard", "state", "owner", "epoch"] as const).every(
            (k) => next[k] === f[k],
          );
          if (same) expect(next.from).toBeGreaterThan(f.to + 1);
        });
        const { problems, waiting } = gateProblems(map, fences);
        expect(problems.length + waiting.length).toBe(findings.length);
        for (const p of problems) expect(p).toMatch(/gamedb:slotMoves, do not edit shards\[\]\.slots alone$/);
      }),
      { numRuns: 40 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// runGate with fakes

const status = (over: Partial<MoveStatus>): MoveStatus => ({
  id: 7,
  phase: "switch",
  state: "streaming",
  slots: { from: 0, to: 99 },
  source: 1,
  target: 2,
  rowsCopied: 10,
  copyDone: true,
  rowsStreamed: 0,
  lagSeconds: 5,
  verifiedSlots: 100,
  dirtySlots: 0,
  verifyPasses: 1,
  pauseMs: null,
  lastError: null,
  updatedAt: "2026-01-01T00:00:00Z",
  ...over,
});

type Queryable = Pick<Connection, "query">;

/** A shard: its fence rows and control rows, answering the two SELECTs the gate makes. */
function shardConn(fence: () => FenceRow[], control: () => Record<string, unknown> | undefined): Queryable {
  const conn = {
    async query(sql: string) {
      if (sql.includes("slot_fence")) {
        return [fence().map((r) => ({ slot: r.slot, state: r.state, owner_shard: r.owner, epoch: r.epoch })), []];
      }
      if (sql.includes("slot_moves")) {
        const row = control();
        return [row ? [row] : [], []];
      }
      throw new Error(`unexpected ${sql}`);
    },
  };
  return conn as unknown as Queryable;
}

const controlRow = (state: string, s: MoveStatus | null) => ({
  move_id: 7,
  role: "target",
  state,
  slot_from: 0,
  slot_to: 99,
  source_shard: 1,
  target_shard: 2,
  stream_position: null,
  copy_cursor: null,
  status: s ? JSON.stringify(s) : null,
});

function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

describe("runGate (faked shards and clock)", () => {
  const after: SlotRun[] = [
    { from: 0, to: 99, shard: 2 },
    { from: 100, to: 8191, shard: 1 },
    { from: 8192, to: 16383, shard: 2 },
  ];
  const spec = (over: Partial<GateSpec> = {}): GateSpec => ({
    database: "game",
    shards: [1, 2].map((shard) => ({ shard, host: "h", port: 3306 })),
    slotMap: after,
    moves: [{ id: 7, phase: "switch", from: 1, to: 2 }],
    timeoutSeconds: 10,
    ...over,
  });

  it("waits for the switch, then passes when the fences agree", async () => {
    let polls = 0;
    const fences = fencesFor(after, [1, 2]);
    const conns = new Map([
      [
        1,
        shardConn(
          () => fences.get(1)!,
          () => undefined,
        ),
      ],
      [
        2,
        shardConn(
          () => fences.get(2)!,
          () => controlRow(++polls < 3 ? "switching" : "switched", status({})),
        ),
      ],
    ]);
    const lines: string[] = [];
    const result = await runGate(spec(), conns, { ...clock(), log: (l) => lines.push(l) });
    expect(result).toEqual({ ok: true, problems: [] });
    expect(lines).toEqual([
      expect.stringMatching(/^waiting: move 7 is switching, not yet switched\/cleaning\/cleaned: move 7 lags 5 s/),
      expect.stringMatching(/^waiting: move 7 is switching/),
    ]);
  });

  it("fails at the timeout with the move's last error, or why a switch cannot start, or no control row", async () => {
    const fences = fencesFor(after, [1, 2]);
    const run = (control: () => Record<string, unknown> | undefined) =>
      runGate(
        spec(),
        new Map([
          [
            1,
            shardConn(
              () => fences.get(1)!,
              () => undefined,
            ),
          ],
          [2, shardConn(() => fences.get(2)!, control)],
        ]),
        clock(),
      );
    expect(
      await run(() => controlRow("copying", status({ state: "copying", lastError: "stream: connection lost" }))),
    ).toEqual({
      ok: false,
      problems: [
        "move 7 is copying, not yet switched/cleaning/cleaned: stream: connection lost (waited 10 s; the map is not published)",
      ],
    });
    expect((await run(() => controlRow("streaming", status({})))).problems).toEqual([
      "move 7 is streaming, not yet switched/cleaning/cleaned: move 7 lags 5 s behind its source; a switch needs " +
        "under 1 s (waited 10 s; the map is not published)",
    ]);
    expect((await run(() => undefined)).problems).toEqual([
      "move 7 has no control row on shard 2: its mover has not started (waited 10 s; the map is not published)",
    ]);
  });

  it("waits out frozen slots, and refuses a map the fences contradict at once", async () => {
    const fences = fencesFor(after, [1, 2]);
    setRows(fences, 1, 50, 60, { state: "frozen" });
    const c = clock();
    const conns = new Map([
      [
        1,
        shardConn(
          () => (c.now() >= 3000 ? fencesFor(after, [1]).get(1)! : fences.get(1)!),
          () => undefined,
        ),
      ],
      [
        2,
        shardConn(
          () => fences.get(2)!,
          () => controlRow("switched", null),
        ),
      ],
    ]);
    expect(await runGate(spec(), conns, c)).toEqual({ ok: true, problems: [] });
    expect(c.now()).toBe(3000);

    const stale = fencesFor(TWO, [1, 2]);
    const c2 = clock();
    const wrong = new Map([
      [
        1,
        shardConn(
          () => stale.get(1)!,
          () => undefined,
        ),
      ],
      [
        2,
        shardConn(
          () => stale.get(2)!,
          () => undefined,
        ),
      ],
    ]);
    const result = await runGate(spec({ moves: [] }), wrong, c2);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.stringMatching(/^slots 0-99 are owned on shard 1's fence \(epoch 0\) but the map gives them to shard 2/),
      expect.stringMatching(/^slots 0-99 are given to shard 2 but its fence says moved \(owner 1, epoch 0\)/),
    ]);
    expect(c2.now()).toBe(0);
  });

  it("retries a shard it cannot read until the timeout, then says so", async () => {
    const fences = fencesFor(after, [1, 2]);
    const down = {
      async query(): Promise<never> {
        throw new Error("connect ECONNREFUSED");
      },
    } as unknown as Queryable;
    const result = await runGate(
      spec({ moves: [] }),
      new Map([
        [
          1,
          shardConn(
            () => fences.get(1)!,
            () => undefined,
          ),
        ],
        [2, down],
      ]),
      clock(),
    );
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toBe("cannot read shard 2's fence: connect ECONNREFUSED (still so after 10 s)");
  });
});
