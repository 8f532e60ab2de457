/**
 * Slot moves in `npm run plan`: the review check against a base (`--against base.yaml --check`), the moves in the
 * text plan and its JSON, and the movers' live status (`--move-status`), which refuses a switch with the reason.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { EXIT, main } from "../../scripts/cli/plan";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import type { MoveStatus } from "../../infra/contracts/slotMoves";
import { RawConfig, validProd } from "../helpers/configs";
import { runCli } from "../helpers/cli";

const run = (args: string[]) => runCli(main, args);
const dir = mkdtempSync(join(tmpdir(), "gamedb-moves-"));

/** The prod stack with the game schema and a provisioning shard 5; `phase` adds move 7 of 14336-16383 to it. */
function prod(phase?: string): RawConfig {
  const raw = validProd();
  raw.shards.push({ id: 5, name: "echo", nodes: 3, state: "provisioning" });
  raw.schema = { database: "game", image: "registry.example.com/gamedb/gamedb-migrate:0.1.0" };
  raw.slotMoves = {
    image: "registry.example.com/gamedb/gamedb-mover:0.1.0",
    moves: phase ? [{ id: 7, slots: "14336-16383", from: 4, to: 5, phase }] : [],
  };
  return raw;
}

/** Shard 5 active with 14336-16383, taken from shard 4: the edit that completes the move. */
function giveToFive(raw: RawConfig): RawConfig {
  raw.shards[3].slots = ["12288-14335"];
  raw.shards[4].state = "active";
  raw.shards[4].slots = ["14336-16383"];
  return raw;
}

/** Writes a stack file of `raw` (keys in the gamedb namespace) and returns its path. */
function stackFile(name: string, raw: RawConfig): string {
  const config = Object.fromEntries(Object.entries(raw).map(([k, v]) => [`gamedb:${k}`, v]));
  const file = join(dir, name);
  writeFileSync(file, stringify({ config }));
  return file;
}

function status(over: Partial<MoveStatus> = {}): MoveStatus {
  return {
    id: 7,
    phase: "switch",
    state: "streaming",
    slots: { from: 14336, to: 16383 },
    source: 4,
    target: 5,
    rowsCopied: 120000,
    copyDone: true,
    rowsStreamed: 3400,
    lagSeconds: 0.2,
    verifiedSlots: 2048,
    dirtySlots: 0,
    verifyPasses: 1,
    pauseMs: null,
    lastError: null,
    updatedAt: "2025-01-01T00:00:00Z",
    ...over,
  };
}

function statusFile(name: string, docs: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(docs));
  return file;
}

describe("npm run plan -- --against BASE --check with slot moves", () => {
  it("exits 1 for a slots edit without a move, saying how to move the range", async () => {
    const base = stackFile("base.yaml", prod());
    const head = stackFile("Pulumi.prod.yaml", giveToFive(prod()));
    const { code, out } = await run(["--config", head, "--against", base, "--check", "--no-tree"]);
    expect(code).toBe(EXIT.moveViolations);
    expect(out).toContain(
      "  slot move check: 1 violation\n" +
        "    ✗ slots 14336-16383 go from shard 4 to shard 5 in gamedb:shards[].slots without a completed move: add " +
        'gamedb:slotMoves.moves entry {id: 1, slots: "14336-16383", from: 4, to: 5, phase: copy}, advance it to switch, ' +
        "then set phase cleanup and edit shards[].slots in the same change",
    );
    expect(out).toContain(`slot moves: 1 violation(s) against ${base} (listed above)`);
    expect(out).toMatch(/^policy: no violations/m);
  });

  it("exits 0 for the cleanup edit of a move the base has at switch, and shows the phase change", async () => {
    const base = stackFile("base.yaml", prod("switch"));
    const head = stackFile("Pulumi.prod.yaml", giveToFive(prod("cleanup")));
    const { code, out } = await run(["--config", head, "--against", base, "--check", "--no-tree"]);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain(
      "  slot moves:\n    move 7: slots 14336-16383 (2048 slots, 12.50% of keys), shard 4 -> shard 5: switch -> cleanup",
    );
    expect(out).toContain(`slot moves: no violations against ${base}`);
    expect(out).not.toContain("✗");
  });

  it("exits 1 for a phase skipped, against a base plan JSON", async () => {
    const json = join(dir, "base.json");
    const base = await run(["--config", stackFile("Pulumi.prod.yaml", prod("copy")), "--json", json, "--no-tree"]);
    expect(base.code).toBe(EXIT.ok);
    const written = JSON.parse(readFileSync(json, "utf8")) as PlanDocument;
    // The plan JSON carries what the check reads: the moves and the config's ownership per shard.
    expect(written.topology.moves.map((m) => [m.id, m.phase, m.from, m.to])).toEqual([[7, "copy", 4, 5]]);
    expect(written.topology.shards.find((s) => s.id === 4)!.slots).toEqual([{ from: 12288, to: 16383 }]);
    const head = stackFile("Pulumi.prod.yaml", giveToFive(prod("cleanup")));
    const { code, out } = await run(["--config", head, "--against", json, "--check", "--no-tree"]);
    expect(code).toBe(EXIT.moveViolations);
    expect(out).toContain(
      "    ✗ move 7 (slots 14336-16383, shard 4 -> shard 5) goes copy -> cleanup: from copy a move goes to switch or cancel, one deploy each",
    );
    expect(out).toContain("with move 7 at cleanup, but the base has it at phase copy");
  });

  it("shows the violations without --check but exits 0, and says the check needs a base", async () => {
    const base = stackFile("base.yaml", prod());
    const head = stackFile("Pulumi.prod.yaml", giveToFive(prod()));
    const diff = await run(["--config", head, "--against", base, "--no-tree"]);
    expect(diff.code).toBe(EXIT.ok);
    expect(diff.out).toContain("  slot move check: 1 violation");
    const alone = await run(["--config", head, "--check", "--no-tree"]);
    expect(alone.code).toBe(EXIT.ok);
    expect(alone.out).toContain("slot moves: not checked against a base (give --against BASE)");
  });
});

describe("npm run plan -- --move-status", () => {
  const head = () => stackFile("Pulumi.prod.yaml", prod("switch"));

  it("lists each move in the text plan, and says when the live status was not read", async () => {
    const { code, out } = await run(["--config", head(), "--no-tree"]);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain(
      "Slot moves (gamedb:slotMoves): 1\n" +
        "  move 7: slots 14336-16383 (2048 slots, 12.50% of keys), shard 4 -> shard 5, phase switch\n" +
        "  live status not read: give --move-status FILE (the movers' status documents) to show and check it",
    );
  });

  it("shows the mover's state next to its move, and lets a caught-up verified switch through", async () => {
    const file = statusFile("ok.json", [status()]);
    const { code, out } = await run(["--config", head(), "--move-status", file, "--no-tree"]);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain(
      "    live: state streaming, 120000 rows copied (copy done), 3400 streamed, lag 0.2 s, 2048 of 2048 slots " +
        "verified (1 passes), 0 dirty, last error: none",
    );
  });

  it("fails the preview with the reason when the mover lags", async () => {
    const file = statusFile("lagging.json", [status({ lagSeconds: 4.5, lastError: "stream reconnecting" })]);
    const { code, out, err } = await run(["--config", head(), "--move-status", file, "--no-tree"]);
    expect(code).toBe(EXIT.switchRefused);
    const reason = "move 7 lags 4.5 s behind its source; a switch needs under 1 s";
    expect(out).toContain(`    the switch is refused: ${reason}`);
    expect(out).toContain("last error: stream reconnecting");
    expect(err).toBe(`error: move 7 is at phase switch, and the switch is refused: ${reason}`);
  });

  it("refuses a switch the file has no status for, or a status of another range", async () => {
    const none = statusFile("none.json", [status({ id: 9 })]);
    const missing = await run(["--config", head(), "--move-status", none, "--no-tree"]);
    expect(missing.code).toBe(EXIT.switchRefused);
    expect(missing.out).toContain(`    live: no status in ${none}`);
    expect(missing.out).toContain(`  ${none} also has status of move 9, not in gamedb:slotMoves`);
    expect(missing.err).toContain(`${none} has no status of move 7`);
    const other = statusFile("other.json", [status({ slots: { from: 14336, to: 15000 } })]);
    const wrong = await run(["--config", head(), "--move-status", other, "--no-tree"]);
    expect(wrong.code).toBe(EXIT.switchRefused);
    expect(wrong.err).toContain(
      `the status of move 7 in ${other} is for slots 14336-15000 from shard 4 to shard 5, but the config moves 14336-16383`,
    );
  });

  it.each([
    ["not-json.json", "{", "is not JSON"],
    ["object.json", { id: 7 }, "expected a JSON array of move status documents (one per move), got object"],
    ["field.json", [status(), { ...status({ id: 8 }), lagSeconds: "fast" }], "[1].lagSeconds: "],
    ["twice.json", [status(), status()], "[1].id: move 7 already has a status document at [0]"],
  ])("exits 2 naming the file and the field: %s", async (name, docs, message) => {
    const file = join(dir, name);
    writeFileSync(file, typeof docs === "string" ? docs : JSON.stringify(docs));
    const { code, err } = await run(["--config", head(), "--move-status", file, "--no-tree"]);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(`error: ${file}`);
    expect(err).toContain(message);
  });
});
