// `npm run move -- status` (scripts/cli/move.ts) end to end, in-process, on three MariaDB 10.11 stand-ins as the
// mover account: a test stack file with three moves (switched with a reverse stream, streaming but lagging, not
// started), control rows inserted as a mover writes them, a client endpoints file and a passwords file. Usage
// mistakes exit 2, an unreadable shard exits 1 without writing --json, and no password is ever printed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MoveStatus, moveStatusSchema } from "../../infra/contracts/slotMoves";
import { EXIT, main } from "../../scripts/cli/move";
import { initControl, saveCheckpoint, saveStatus, setState } from "../../scripts/lib/mover/control";
import { stackYaml } from "./migrate-helpers";
import { MOVER_PASSWORD, MoverStandins, startMoverStandins } from "./mover-standins";

const MAP = [
  { from: 0, to: 5460, shard: 1 },
  { from: 5461, to: 10922, shard: 2 },
  { from: 10923, to: 16383, shard: 3 },
];

let s: MoverStandins;
let dir: string;
let stackFile: string;
let secretsFile: string;
const output: string[] = [];

const status = (over: Partial<MoveStatus>): MoveStatus => ({
  id: 7,
  phase: "switch",
  state: "switched",
  slots: { from: 0, to: 99 },
  source: 1,
  target: 3,
  rowsCopied: 12345,
  copyDone: true,
  rowsStreamed: 678,
  lagSeconds: 0.2,
  verifiedSlots: 100,
  dirtySlots: 0,
  verifyPasses: 2,
  pauseMs: 412,
  lastError: null,
  updatedAt: "2026-12-05T12:00:00.000Z",
  ...over,
});

function endpointsFile(name: string, ports: Record<number, number>): string {
  const routers = Object.fromEntries(
    Object.entries(ports).map(([shard, port]) => [
      `shard${shard}`,
      { host: "127.0.0.1", ports: { rw: port, ro: port } },
    ]),
  );
  const slotMap = MAP.map((r) => ({ slots: `${r.from}-${r.to}`, ...r }));
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ routers, slotMap }));
  return file;
}

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  output.push(...out, ...err);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

beforeAll(async () => {
  s = await startMoverStandins(3, MAP);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-move-cli-"));
  stackFile = path.join(dir, "Pulumi.movetest.yaml");
  fs.writeFileSync(
    stackFile,
    stackYaml() +
      [
        "  gamedb:slotMoves:",
        "    image: registry.example.com/gamedb/mover:0.1.0",
        "    moves:",
        '      - {id: 7, slots: "0-99", from: 1, to: 3, phase: switch}',
        '      - {id: 8, slots: "5461-5560", from: 2, to: 1, phase: switch, switch: {maxLagSeconds: 2}}',
        '      - {id: 9, slots: "10923-11000", from: 3, to: 2, phase: copy}',
        "",
      ].join("\n"),
  );
  secretsFile = path.join(dir, "passwords.json");
  fs.writeFileSync(secretsFile, JSON.stringify({ 1: MOVER_PASSWORD, 2: MOVER_PASSWORD, 3: MOVER_PASSWORD }));
  // Move 7 has switched: the target (3) holds the state and status, the source (1) the reverse stream's position.
  const [m1, m3] = [await s.mover(1), await s.mover(3)];
  const row = { moveId: 7, slots: { from: 0, to: 99 }, sourceShard: 1, targetShard: 3 };
  await initControl(m3, { ...row, role: "target", state: "copying" });
  await saveStatus(m3, status({}));
  await setState(m3, 7, "switched");
  await initControl(m1, { ...row, role: "source", state: "switched" });
  await saveCheckpoint(m1, 7, "0-3-55");
  // Move 8 streams on its target (1), 3 s behind.
  const row8 = { moveId: 8, slots: { from: 5461, to: 5560 }, sourceShard: 2, targetShard: 1 };
  await initControl(m1, { ...row8, role: "target", state: "streaming" });
  await saveStatus(
    m1,
    status({
      id: 8,
      phase: "copy",
      state: "streaming",
      slots: row8.slots,
      source: 2,
      target: 1,
      lagSeconds: 3,
      pauseMs: null,
      verifiedSlots: 90,
      dirtySlots: 10,
      verifyPasses: 1,
      lastError: "verify: slot 5470 differs, re-checking",
    }),
  );
}, 120_000);

afterAll(async () => {
  await s?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  // No password in anything printed, by any test.
  expect(output.join("\n")).not.toContain(MOVER_PASSWORD);
});

const ports = () => ({ 1: s.port(1), 2: s.port(2), 3: s.port(3) });
const args = (extra: string[] = []) => [
  "--stack-file",
  stackFile,
  "status",
  "--endpoints",
  endpointsFile("endpoints.json", ports()),
  "--secrets",
  secretsFile,
  ...extra,
];

describe("npm run move -- status", () => {
  it("prints each move: asked phase, state, figures, the switch verdict, the reverse stream, or not started", async () => {
    const run = await cli(args());
    expect(run.err).toBe("");
    expect(run.code).toBe(EXIT.ok);
    expect(run.out.split("\n")).toEqual([
      "move 7: slots 0-99 (0.6% of keys), shard 1 -> shard 3",
      "  phase asked: switch",
      "  state: switched (status of 2026-12-05T12:00:00.000Z)",
      "  rows: 12,345 copied (copy done), 678 streamed",
      "  lag: 0.2 s",
      "  slots: 100 of 100 verified, 0 dirty, 2 verification passes",
      "  pause: 412 ms",
      "  last error: none",
      "  switch: done (switched)",
      "  reverse stream into shard 1: at 0-3-55",
      "move 8: slots 5461-5560 (0.6% of keys), shard 2 -> shard 1",
      "  phase asked: switch (the mover was given phase copy)",
      "  state: streaming (status of 2026-12-05T12:00:00.000Z)",
      "  rows: 12,345 copied (copy done), 678 streamed",
      "  lag: 3 s",
      "  slots: 90 of 100 verified, 10 dirty, 1 verification pass",
      "  pause: none yet",
      "  last error: verify: slot 5470 differs, re-checking",
      "  switch: could not start now: move 8 lags 3 s behind its source; a switch needs under 2 s",
      "move 9: slots 10923-11000 (0.5% of keys), shard 3 -> shard 2: not started (no control row on shard 2); " +
        "phase asked: copy",
    ]);
  });

  it("takes a shard where no mover has run (no control table) for not started", async () => {
    const root2 = await s.root(2);
    await root2.query("RENAME TABLE gamedb_meta.slot_moves TO gamedb_meta.slot_moves_away");
    try {
      const run = await cli(args());
      expect(run.code).toBe(EXIT.ok);
      expect(run.out).toMatch(/^move 9: .*: not started \(no control row on shard 2\); phase asked: copy$/m);
    } finally {
      await root2.query("RENAME TABLE gamedb_meta.slot_moves_away TO gamedb_meta.slot_moves");
    }
  });

  it("--json writes the status documents the offline plan reads, with the control row's state", async () => {
    const file = path.join(dir, "moves.json");
    const run = await cli(args(["--json", file]));
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toMatch(/wrote 2 status documents to .*moves\.json$/);
    const docs = (JSON.parse(fs.readFileSync(file, "utf8")) as unknown[]).map((d) => moveStatusSchema.parse(d));
    expect(docs.map((d) => [d.id, d.state, d.lagSeconds])).toEqual([
      [7, "switched", 0.2],
      [8, "streaming", 3],
    ]);
  });

  it("exits 1 naming the move whose shard cannot be read, and writes no --json file", async () => {
    const closed = endpointsFile("down.json", { ...ports(), 2: 1 });
    const file = path.join(dir, "partial.json");
    const run = await cli([
      "--stack-file",
      stackFile,
      "status",
      "--endpoints",
      closed,
      "--secrets",
      secretsFile,
      "--json",
      file,
    ]);
    expect(run.code).toBe(EXIT.failed);
    expect(run.out).toMatch(
      /^move 8: slots 5461-5560 .*: status cannot be read: connect ECONNREFUSED 127\.0\.0\.1:1$/m,
    );
    expect(run.out).toMatch(/^move 7: slots 0-99/m);
    expect(run.err).toBe(`move: not writing ${file}: the status of move 8, 9 could not be read`);
    expect(fs.existsSync(file)).toBe(false);
  });

  it("exits 1 on a secrets file without a shard's password or a wrong one, and on bad endpoints", async () => {
    const partial = path.join(dir, "partial-secrets.json");
    fs.writeFileSync(partial, JSON.stringify({ 1: MOVER_PASSWORD, 3: MOVER_PASSWORD }));
    const run = await cli([
      "--stack-file",
      stackFile,
      "status",
      "--endpoints",
      endpointsFile("e2.json", ports()),
      "--secrets",
      partial,
    ]);
    expect(run.code).toBe(EXIT.failed);
    expect(run.out).toMatch(/move 8: .*status cannot be read: the mover secrets have no password for shard 2/);
    const wrong = path.join(dir, "wrong-secrets.json");
    fs.writeFileSync(wrong, JSON.stringify({ 1: "nope", 2: "nope", 3: "nope" }));
    const denied = await cli([
      "--stack-file",
      stackFile,
      "status",
      "--endpoints",
      endpointsFile("e3.json", ports()),
      "--secrets",
      wrong,
    ]);
    expect(denied.code).toBe(EXIT.failed);
    expect(denied.out).toMatch(/status cannot be read: Access denied for user 'gamedb_mover'/);
    const bad = path.join(dir, "bad-endpoints.json");
    fs.writeFileSync(bad, JSON.stringify({ routers: { shard1: { host: "h" } }, slotMap: [] }));
    const invalid = await cli(["--stack-file", stackFile, "status", "--endpoints", bad, "--secrets", secretsFile]);
    expect(invalid).toMatchObject({ code: EXIT.failed, out: "" });
    expect(invalid.err).toMatch(/^move: .*bad-endpoints\.json: routers\.shard1\.ports: /);
  });

  it("exits 2 on bad usage", async () => {
    for (const argv of [
      [],
      ["--stack-file", stackFile, "stats"],
      ["--stack-file", stackFile, "status"],
      ["--stack-file", stackFile, "status", "--endpoints", "e.json"],
      ["status", "--endpoints", "e.json", "--secrets", "s.json"],
      ["--stack", "nosuchstack", "status", "--endpoints", "e.json", "--secrets", "s.json"],
    ]) {
      expect((await cli(argv)).code).toBe(EXIT.usage);
    }
    expect((await cli(["--stack-file", stackFile, "stats"])).err).toBe(
      'move: unknown command "stats"; use one of status (move --help)',
    );
  });
});
