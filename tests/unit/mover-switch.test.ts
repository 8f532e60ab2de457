/**
 * switchRange's failure paths (scripts/lib/mover/switch.ts) over fake connections that play the fence rows: what
 * must never happen is a half switch, or an owner unfrozen while the heir may hold the range.
 */
import type { Connection } from "mysql2/promise";
import { switchLimitsSchema } from "../../infra/contracts/slotMoves";
import { parsePosition } from "../../scripts/lib/mover/position";
import { ClaimUncertain, SwitchAborted, switchRange } from "../../scripts/lib/mover/switch";
import type { RangeVerifier } from "../../scripts/lib/mover/verifier";

const RANGE = { from: 0, to: 9 };

/** One shard's fence rows of the range, all in one state, changed by the UPDATEs the switch sends. */
class FakeShard {
  state = "owned";
  owner = 1;
  epoch = 0;
  readonly sent: string[] = [];
  constructor(
    private readonly faults: { freezeFails?: boolean; commitFails?: boolean } = {},
    state = "owned",
  ) {
    this.state = state;
  }
  private pending: ((t: { state: string; owner: number; epoch: number }) => void)[] = [];
  private inTx = false;
  async beginTransaction() {
    this.inTx = true;
    this.sent.push("BEGIN");
  }
  async commit() {
    this.sent.push("COMMIT");
    // The server commits, then the connection is lost before the client hears it.
    for (const apply of this.pending.splice(0)) apply(this);
    this.inTx = false;
    if (this.faults.commitFails)
      throw Object.assign(new Error("Connection lost"), { code: "PROTOCOL_CONNECTION_LOST" });
  }
  async rollback() {
    this.pending = [];
    this.inTx = false;
    this.sent.push("ROLLBACK");
  }
  async query(sql: string, values: unknown[] = []): Promise<unknown> {
    this.sent.push(sql.split(" ").slice(0, 4).join(" "));
    const change = (fn: (t: { state: string; owner: number; epoch: number }) => void) =>
      this.inTx ? this.pending.push(fn) : fn(this);
    if (sql.startsWith("SELECT @@GLOBAL")) return [[{ p: "0-1-5" }], []];
    if (sql.startsWith("SELECT state, owner_shard")) {
      const st = this.inTx ? this.previewState() : this;
      return [[{ state: st.state, owner: st.owner, epoch: st.epoch, n: 10 }], []];
    }
    if (sql.includes("SET state = 'frozen'")) {
      if (this.faults.freezeFails) throw Object.assign(new Error("Lock wait timeout exceeded"), { errno: 1205 });
      if (this.state === "owned") this.state = "frozen";
    } else if (sql.includes("SET state = 'owned' WHERE") && sql.includes("'frozen'")) {
      if (this.state === "frozen") this.state = "owned";
    } else if (sql.includes("SET state = 'owned', owner_shard")) {
      const [shard, epoch] = values as number[];
      change((t) => Object.assign(t, { state: "owned", owner: shard, epoch }));
    } else if (sql.includes("SET state = 'moved', owner_shard")) {
      const [owner, epoch] = values as number[];
      if (this.state === "frozen") Object.assign(this, { state: "moved", owner, epoch });
    }
    return [{ affectedRows: 10 }, []];
  }
  private previewState() {
    const copy = { state: this.state, owner: this.owner, epoch: this.epoch };
    for (const apply of this.pending) apply(copy);
    return copy;
  }
}

function plan(owner: FakeShard, heir: FakeShard, overrides: { dirty?: number[]; differing?: number[] } = {}) {
  const verifier = {
    dirty: () => overrides.dirty ?? [],
    checkSlots: async () => overrides.differing ?? [],
  } as unknown as RangeVerifier;
  return {
    moveId: 7,
    range: RANGE,
    owner: { shard: 1, conn: owner as unknown as Connection },
    heir: { shard: 2, conn: heir as unknown as Connection },
    flavour: "mariadb" as const,
    epoch: 15,
    done: "switched" as const,
    limits: switchLimitsSchema.parse({ drainTimeoutMs: 100 }),
    applied: () => parsePosition("mariadb", "0-1-5"),
    verifier,
  };
}

describe("switchRange", () => {
  it("switches: the owner frozen, then moved at the epoch; the heir owns the range", async () => {
    const owner = new FakeShard();
    const heir = new FakeShard({}, "importing");
    await expect(switchRange(plan(owner, heir))).resolves.toBeGreaterThanOrEqual(0);
    expect({ ...owner }).toMatchObject({ state: "moved", owner: 2, epoch: 15 });
    expect({ ...heir }).toMatchObject({ state: "owned", owner: 2, epoch: 15 });
  });

  it("a freeze that timed out froze nothing and sends no unfreeze (it would queue behind the same writer)", async () => {
    const owner = new FakeShard({ freezeFails: true });
    const heir = new FakeShard({}, "importing");
    await expect(switchRange(plan(owner, heir))).rejects.toThrow(SwitchAborted);
    expect(owner.sent.some((s) => s.startsWith("SET TRANSACTION"))).toBe(false);
    expect(owner.state).toBe("owned");
    expect(heir.state).toBe("importing");
  });

  it("a re-check that finds a difference unfreezes the owner and leaves the heir importing", async () => {
    const owner = new FakeShard();
    const heir = new FakeShard({}, "importing");
    await expect(switchRange(plan(owner, heir, { dirty: [3], differing: [3] }))).rejects.toThrow(
      "switch of slots 0-9 aborted, range unfrozen: slots 3 differ between the shards after the drain",
    );
    expect(owner.state).toBe("owned");
    expect(heir.state).toBe("importing");
  });

  it("a claim whose COMMIT outcome is unknown leaves the owner frozen (never two owners)", async () => {
    const owner = new FakeShard();
    const heir = new FakeShard({ commitFails: true }, "importing");
    await expect(switchRange(plan(owner, heir))).rejects.toThrow(ClaimUncertain);
    // The heir did commit: had the owner been unfrozen, both would own the range.
    expect(heir.state).toBe("owned");
    expect(owner.state).toBe("frozen");
  });
});
