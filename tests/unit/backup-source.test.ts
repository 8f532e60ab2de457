/**
 * Which member dumps (gamedb-backup.sh): pick_source on its rows, and the whole election against a stand-in
 * performance_schema whose two queue columns disagree. The backlog that matters is
 * COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE (certified, not yet applied); COUNT_TRANSACTIONS_IN_QUEUE is the
 * certification queue (MySQL 8.4 Reference Manual, "The replication_group_member_stats Table";
 * mysql-server plugin/group_replication/src/ps_information.cc).
 */
import {
  BACKUP_PATH,
  UUID_A,
  UUID_B,
  UUID_C,
  callFunction,
  fakeHost,
  membersTable,
  type MemberRow,
} from "../helpers/backupHost";

describe("the dump source (pick_source)", () => {
  const row = (id: string, state: string, role: string, queue: number) =>
    [id, `${id.slice(0, 4)}.internal:3306`, state, role, String(queue)].join("\t");
  const pick = (rows: string[]) => callFunction(BACKUP_PATH, "pick_source", rows.join("\n")).trim();

  it("is the ONLINE secondary with the smallest applier queue", () => {
    expect(
      pick([
        row(UUID_A, "ONLINE", "PRIMARY", 0),
        row(UUID_B, "ONLINE", "SECONDARY", 12),
        row(UUID_C, "ONLINE", "SECONDARY", 3),
      ]),
    ).toBe(UUID_C);
  });

  it("breaks ties by the lowest MEMBER_ID", () => {
    expect(
      pick([
        row(UUID_C, "ONLINE", "SECONDARY", 0),
        row(UUID_A, "ONLINE", "PRIMARY", 0),
        row(UUID_B, "ONLINE", "SECONDARY", 0),
      ]),
    ).toBe(UUID_B);
  });

  it("compares queues as numbers", () => {
    expect(pick([row(UUID_B, "ONLINE", "SECONDARY", 9), row(UUID_C, "ONLINE", "SECONDARY", 10)])).toBe(UUID_B);
  });

  it("skips members that are not ONLINE", () => {
    expect(
      pick([
        row(UUID_A, "ONLINE", "PRIMARY", 0),
        row(UUID_B, "RECOVERING", "SECONDARY", 0),
        row(UUID_C, "ONLINE", "SECONDARY", 50),
      ]),
    ).toBe(UUID_C);
  });

  it("is the PRIMARY when it is the only ONLINE member", () => {
    expect(pick([row(UUID_A, "ONLINE", "PRIMARY", 0), row(UUID_B, "RECOVERING", "SECONDARY", 0)])).toBe(UUID_A);
    expect(pick([row(UUID_A, "ONLINE", "PRIMARY", 0)])).toBe(UUID_A);
  });

  it("is nobody when no member is ONLINE (e.g. this member alone, in ERROR)", () => {
    expect(pick([row(UUID_B, "ERROR", "", 0)])).toBe("");
    expect(pick([])).toBe("");
  });
});

describe("the election against performance_schema", () => {
  const member = (id: string, n: number, role: string, certQueue: number, applierQueue: number): MemberRow => ({
    ...{ id, address: `10.0.3.${n}:3306`, state: "ONLINE", role, certQueue, applierQueue },
  });
  // B has nothing waiting for certification but 500 transactions to apply; C is busy certifying 40 but has applied
  // all but 2: C's data is the fresher one.
  const disagreeing = membersTable([
    member(UUID_A, 10, "PRIMARY", 0, 0),
    member(UUID_B, 11, "SECONDARY", 0, 500),
    member(UUID_C, 12, "SECONDARY", 40, 2),
  ]);

  function host(self: string) {
    const h = fakeHost();
    h.set("uuid", `${self}\n`);
    h.set("members", disagreeing);
    return h;
  }

  it("reads the applier backlog column, not the certification queue", () => {
    const run = host(UUID_B).run(BACKUP_PATH);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.calls).toContain("COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE");
    expect(run.calls).not.toContain("COUNT_TRANSACTIONS_IN_QUEUE");
  });

  it("the member with the smaller applier backlog dumps, and the other one names it", () => {
    const b = host(UUID_B).run(BACKUP_PATH);
    expect(b.status).toBe(0);
    expect(b.stdout).toContain(
      `not the dump source (this member: ONLINE/SECONDARY); the source is ${UUID_C} (10.0.3.12:3306)`,
    );
    expect(b.calls).not.toContain("util.dumpInstance");

    const c = host(UUID_C);
    c.set("ls", "2025-03-01 03:10:00 412 @.done.json\n");
    c.set("summary", "Total Objects: 14\n   Total Size: 123456\n");
    const run = c.run(BACKUP_PATH);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`${UUID_C}) is the dump source`);
    expect(run.calls).toContain("util.dumpInstance");
  });
});
