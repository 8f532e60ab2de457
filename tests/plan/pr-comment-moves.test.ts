/**
 * The PR comment's slot moves section (scripts/lib/prComment/moves.ts): each move with its phase change and share
 * of keys, and the review check's violations, from offline plans of edited dev configs.
 */
import { evaluate } from "../../scripts/lib/evaluate";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { renderPrComment } from "../../scripts/lib/prComment";
import { RawConfig, validDev } from "../helpers/configs";
import { stackOf } from "../helpers/stack";

const viaJson = (doc: PlanDocument): PlanDocument => JSON.parse(JSON.stringify(doc)) as PlanDocument;
const planOfRaw = async (raw: RawConfig): Promise<PlanDocument> => viaJson(await evaluate(stackOf(raw, "dev")));
const comment = (base: PlanDocument | null, head: PlanDocument) =>
  renderPrComment(base, head, undefined, { stack: "dev" });

/** Dev with the game schema and a provisioning shard 3; `phase` adds move 4 of 12288-16383 from shard 2 to 3. */
function dev(phase?: string): RawConfig {
  const raw = validDev();
  raw.shards.push({ id: 3, name: "charlie", nodes: 1, state: "provisioning" });
  raw.schema = { database: "game", image: "registry.example.com/gamedb/gamedb-migrate:0.1.0" };
  raw.slotMoves = {
    image: "registry.example.com/gamedb/gamedb-mover:0.1.0",
    moves: phase ? [{ id: 4, slots: "12288-16383", from: 2, to: 3, phase }] : [],
  };
  return raw;
}

const HEADER = "| move | slots | from → to | phase | share of keys |";

describe("PR comment: slot moves", () => {
  let copy: PlanDocument;
  beforeAll(async () => {
    copy = await planOfRaw(dev("copy"));
  });

  it("shows the move's phase change and share of keys, and that the check passes", async () => {
    const md = comment(copy, await planOfRaw(dev("switch")));
    expect(md).toContain(
      `#### Slot moves\n\n${HEADER}\n| ---: | --- | --- | --- | ---: |\n` +
        "| 4 | 12288-16383 | 2 `bravo` → 3 `charlie` | copy → **switch** | 25.00% |\n\n" +
        "✅ The slot move check passes against the base.",
    );
    expect(md).not.toContain("**No changes**");
  });

  it("is not a comment of no changes when only a move's phase changes", () => {
    const moves = copy.topology.moves.map((m) => ({ ...m, phase: "switch" as const }));
    const md = comment(copy, { ...copy, topology: { ...copy.topology, moves } });
    expect(md).not.toContain("**No changes**");
    expect(md).toContain("| copy → **switch** |");
    expect(comment(copy, copy)).toContain("**No changes**");
  });

  it("shows a move without a phase change as its phase", () => {
    const md = comment(copy, copy);
    expect(md).toContain("| 4 | 12288-16383 | 2 `bravo` → 3 `charlie` | copy | 25.00% |");
  });

  it("lists the violations: a slots edit without a move", async () => {
    const head = dev();
    head.shards[1].slots = ["8192-12287"];
    head.shards[2].state = "active";
    head.shards[2].slots = ["12288-16383"];
    const md = comment(await planOfRaw(dev()), await planOfRaw(head));
    expect(md).not.toContain(HEADER);
    expect(md).toContain(
      "#### Slot moves\n\n❌ **1 violation of the slot move check**: `npm run plan -- --stack dev --against BASE --check` fails on them.\n\n" +
        "- slots 12288-16383 go from shard 2 to shard 3 in gamedb:shards[].slots without a completed move: add " +
        'gamedb:slotMoves.moves entry {id: 1, slots: "12288-16383", from: 2, to: 3, phase: copy}, advance it to switch, ' +
        "then set phase cleanup and edit shards[].slots in the same change",
    );
  });

  it("counts every move as new on a stack the base has no plan of", () => {
    const md = comment(null, copy);
    expect(md).toContain("| 4 | 12288-16383 | 2 `bravo` → 3 `charlie` | new → **copy** | 25.00% |");
    expect(md).toContain("✅ The slot move check passes against the base.");
  });

  it("leaves the section out when neither plan has a move", async () => {
    const plain = await planOfRaw(dev());
    expect(comment(plain, plain)).not.toContain("#### Slot moves");
  });
});
