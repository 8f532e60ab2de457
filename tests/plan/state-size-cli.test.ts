/** `npm run bench:state` (scripts/cli/bench/state-size.ts) on the real program, at the smallest size. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../scripts/cli/bench/state-size";
import type { StatePoint } from "../../scripts/lib/bench/stateSize";
import { runCli } from "../helpers/cli";

describe("npm run bench:state", () => {
  it("refuses sizes it cannot measure, naming the option", async () => {
    for (const sizes of ["0", "8,x", "16384", ""]) {
      const r = await runCli(main, ["--sizes", sizes]);
      expect(r.code).toBe(2);
      expect(r.err).toContain("--sizes");
    }
  });

  it("reports the state at 1 shard and what a second shard adds, as a table and as JSON", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "gamedb-state-")), "state.json");
    const r = await runCli(main, ["--sizes", "1", "--json", file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("What shard 2 adds to 1 shards:");
    expect(r.out).toMatch(/target <= 40\.0 KB\? (yes|NO)/);
    const { points } = JSON.parse(readFileSync(file, "utf8")) as { points: StatePoint[] };
    const [p] = points;
    expect(p!.state.shards).toBe(1);
    expect(p!.next.resources).toBeGreaterThan(p!.state.resources);
    // Every resource the second shard brings is counted, with its nodes' resources named by pattern.
    const added = p!.growth.rows.reduce((n, g) => n + g.added - g.removed, 0);
    expect(added).toBe(p!.next.resources - p!.state.resources);
    expect(p!.growth.rows.some((g) => g.pattern.includes("nodeN"))).toBe(true);
    expect(p!.state.stateBytes).toBeGreaterThan(p!.state.inputBytes);
  });
});
