/**
 * The simulator's command line (tests/sim/run-simulator.ts): a shard is named by its number (`1`, as the README's
 * example types it) or its name (`shard1`), in every command that takes one; and the README's example commands run
 * as typed on the simulator's stdin.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GroupReplicationSimulator } from "../sim/group-replication";
import { runCommand, shardName } from "../sim/run-simulator";

const ROOT = join(__dirname, "..", "..");

describe("shardName", () => {
  const names = ["shard1", "shard2"];
  it.each([
    ["1", "shard1"],
    ["2", "shard2"],
    ["01", "shard1"],
    ["shard1", "shard1"],
    ["shard2", "shard2"],
  ])("%s names %s", (arg, name) => {
    expect(shardName(arg, names)).toBe(name);
  });
  it.each(["3", "0", "shard3", "s1", "-1"])("%s is no shard, and the error lists the shards", (arg) => {
    expect(() => shardName(arg, names)).toThrow(`no simulated shard ${arg}: the shards are 1, 2 (or shard1, shard2)`);
  });
});

describe("runCommand", () => {
  let sim: GroupReplicationSimulator;
  beforeEach(async () => {
    sim = await GroupReplicationSimulator.start({ shards: 2, password: "pw" });
  });
  afterEach(() => sim.close());

  const modes = () => sim.groups.map((g) => g.members.map((m) => m.mode).join(","));
  const views = () => sim.groups.map((g) => g.members.map((m) => m.view.map((r) => r.state).join("/")).join(" "));

  // Each command that takes a shard, with what it does to shard1's members (shard2 must stay as started).
  const cases: [string, (g: GroupReplicationSimulator) => unknown, unknown][] = [
    ["down S 2", () => modes(), ["serving,serving,refusing", "serving,serving,serving"]],
    ["hang S 1", () => modes(), ["serving,hanging,serving", "serving,serving,serving"]],
    ["online S 1", (s) => s.groups.map((g) => g.primary), [1, 0]],
    ["primary-lost S", () => modes(), ["refusing,serving,serving", "serving,serving,serving"]],
    ["quorum-lost S 2", () => modes(), ["refusing,refusing,serving", "serving,serving,serving"]],
    [
      "unreachable S 2",
      () => views(),
      ["ONLINE/ONLINE/UNREACHABLE ONLINE/ONLINE/UNREACHABLE UNREACHABLE/UNREACHABLE/ONLINE", expect.any(String)],
    ],
    ["set S 2 threadsRunning=8", (s) => s.groups.map((g) => g.members[2]!.figures.threadsRunning), [8, 2]],
  ];
  describe.each(["1", "shard1"])("with the shard as %s", (form) => {
    it.each(cases)("%s acts on shard1 only", async (command, observe, expected) => {
      const before = observe(sim);
      expect(await runCommand(sim, command.replace("S", form))).toBe(`shard1: ${command.split(" ")[0]} done`);
      expect(observe(sim)).toEqual(expected);
      expect(observe(sim)).not.toEqual(before);
    });
    it("elect S J and up S", async () => {
      await runCommand(sim, `primary-lost ${form}`);
      expect(await runCommand(sim, `elect ${form} 2`)).toBe("shard1: elect done");
      expect(sim.groups.map((g) => g.primary)).toEqual([2, 0]);
      expect(await runCommand(sim, `up ${form}`)).toBe("shard1: up done");
      expect(modes()).toEqual(["serving,serving,serving", "serving,serving,serving"]);
    });
  });

  it("names the shards when given one that does not exist", async () => {
    await expect(runCommand(sim, "down 3 2")).rejects.toThrow(
      "no simulated shard 3: the shards are 1, 2 (or shard1, shard2)",
    );
  });
});

describe("the README's simulator example", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const line = readme.split("\n").find((l) => l.startsWith("npx tsx tests/sim/run-simulator.ts"))!;
  const typed = [...(/# then type e\.g\. (.*)$/.exec(line)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]!);

  it("types commands the simulator runs, and its help shows the same example", () => {
    expect(typed).toEqual(["down 1 2", "up 1"]);
    const dir = mkdtempSync(join(tmpdir(), "gamedb-sim-"));
    try {
      const run = spawnSync(
        join(ROOT, "node_modules", ".bin", "tsx"),
        ["tests/sim/run-simulator.ts", "--shards", "2", "--dir", dir],
        { cwd: ROOT, input: [...typed, "quit", ""].join("\n"), encoding: "utf8", timeout: 30000 },
      );
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const out = run.stdout.split("\n");
      expect(out).toContain('S: a shard, 1..2 or shard1..shard2; I, J, P: a member, 0..2   e.g. "down 1 2", "up 1"');
      expect(out.filter((l) => l.startsWith("error:"))).toEqual([]);
      expect(out.slice(-3)).toEqual(["shard1: down done", "shard1: up done", ""]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
