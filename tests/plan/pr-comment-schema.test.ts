/**
 * The PR comment's Schema section and the offline plan's Schema summary, from offline plans of the dev config with
 * gamedb:schema set over temporary migration directories: a new migration, a changed applied migration, a new shard
 * (every migration pending there), a copy warning; and no section when nothing changes or neither plan has a schema.
 *
 * The snapshots hold whole comments: review the diff and update with `npx jest tests/plan/pr-comment-schema -u`.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { evaluate } from "../../scripts/lib/evaluate";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { checkPlanDocument } from "../../scripts/lib/policyPlan";
import { renderPrComment } from "../../scripts/lib/prComment";
import { renderPlan } from "../../scripts/lib/render";
import { RawConfig, validDev } from "../helpers/configs";
import { stackOf } from "../helpers/stack";

const ROOT = join(__dirname, "..", "..");
// Relative to the project root, where the program reads it (tmp/ is in .gitignore).
const SCRATCH = `tmp/pr-comment-schema-${process.pid}`;
const viaJson = (doc: PlanDocument): PlanDocument => JSON.parse(JSON.stringify(doc)) as PlanDocument;

/** A copy of the shipped migrations plus `extra` files, as a directory the config can name. */
function migrations(dir: string, extra: Record<string, string> = {}): string {
  const path = `${SCRATCH}/${dir}`;
  mkdirSync(join(ROOT, path), { recursive: true });
  cpSync(join(ROOT, "stacks/migrations"), join(ROOT, path), { recursive: true });
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(ROOT, path, name), text);
  return path;
}

function devWithSchema(dir: string): RawConfig {
  const raw = validDev();
  raw.schema = { database: "game", image: "registry.example.com/gamedb/gamedb-migrate:0.1.0", migrations: dir };
  return raw;
}
const planOf = async (raw: RawConfig): Promise<PlanDocument> => viaJson(await evaluate(stackOf(raw, "dev")));

function comment(base: PlanDocument | null, head: PlanDocument): string {
  return renderPrComment(base, head, checkPlanDocument(head), {
    stack: "dev",
    baseRef: "1111111",
    headRef: "2222222",
    ...(base ? { basePolicy: checkPlanDocument(base) } : {}),
  });
}
/** The Schema section alone, up to the next section. */
const schemaOf = (md: string): string => md.match(/#### Schema\n[\s\S]*?(?=\n#### )/)?.[0] ?? "";

let base: PlanDocument;
beforeAll(async () => {
  base = await planOf(devWithSchema(migrations("base")));
});
afterAll(() => rmSync(join(ROOT, SCRATCH), { recursive: true, force: true }));

describe("PR comment: schema", () => {
  it("a new migration: pending on every shard", async () => {
    const dir = migrations("new", {
      "V0003__player_title.sql": "ALTER TABLE players ADD COLUMN title VARCHAR(32) NULL;\n",
    });
    const md = comment(base, await planOf(devWithSchema(dir)));
    expect(schemaOf(md)).toContain("| 1 `alpha`, 2 `bravo` | `V0003__player_title` |");
    expect(schemaOf(md)).not.toContain("❌");
    expect(schemaOf(md)).not.toContain("MySQL 8.4 table copies");
    expect(md).toMatchSnapshot();
  });

  it("a changed applied migration: refused on every shard", async () => {
    const dir = migrations("changed");
    writeFileSync(
      join(ROOT, dir, "V0001__players.sql"),
      readShipped("V0001__players.sql").replace("  name VARCHAR(64) NOT NULL,", "  name VARCHAR(80) NOT NULL,"),
    );
    const md = comment(base, await planOf(devWithSchema(dir)));
    expect(schemaOf(md)).toContain("| 1 `alpha`, 2 `bravo` | ❌ refused, nothing runs |");
    expect(schemaOf(md)).toContain(
      "- ❌ `V0001__players`: **will be refused on every shard (1, 2)** (checksum changed since the base).",
    );
    expect(md).toMatchSnapshot();
  });

  it("a new shard: every migration is pending there", async () => {
    const raw = devWithSchema(migrations("base"));
    raw.shards.push({ id: 3, name: "charlie", nodes: 1, state: "provisioning", slots: [] });
    const md = comment(base, await planOf(raw));
    const section = schemaOf(md);
    expect(section).toContain("| 1 `alpha`, 2 `bravo` | none |");
    expect(section).toContain("| 3 `charlie` (new: every migration) | `V0001__players`, `V0002__game_logs` |");
    expect(md).toMatchSnapshot();
  });

  it("a copy warning: listed with what the runner does about it", async () => {
    const dir = migrations("copy", {
      "V0003__level_type.sql":
        "ALTER TABLE players MODIFY COLUMN level BIGINT UNSIGNED NOT NULL DEFAULT 1;\n" +
        "-- gamedb:allow-copy\nALTER TABLE players ADD FULLTEXT INDEX ft_name (name);\n",
    });
    const head = await planOf(devWithSchema(dir));
    const md = comment(base, head);
    const section = schemaOf(md);
    expect(section).toMatch(
      /^- ⚠️ V0003 statement 1 \(line 1\): players: MODIFY COLUMN level copies the table .* → refused by the runner if it changes the data type: then it needs -- gamedb:allow-copy or an online tool/m,
    );
    expect(section).toMatch(
      /^- V0003 statement 2 \(line 3\): players: ADD FULLTEXT INDEX blocks writes .* → \[allow-copy\]$/m,
    );
    // The shipped migrations' own warnings are not pending: only V0003's are listed.
    expect(section.match(/^- /gm)).toHaveLength(2);
    expect(md).toMatchSnapshot();

    // The offline plan's summary lists the same warnings.
    const text = renderPlan(head, { tree: false });
    expect(text).toContain("\nSchema: database game, 3 migrations from " + dir + "\n");
    expect(text).toMatch(/^ {4}V0003 statement 2 \(line 3\): .* → \[allow-copy\]$/m);
    expect(text.indexOf("Schema: ")).toBeLessThan(text.indexOf("Resources: "));
  });

  it("a new stack: every migration pending, against no base", async () => {
    const section = schemaOf(comment(null, base));
    expect(section).toContain("The base has no `gamedb:schema`: every migration of `game` is pending on every shard.");
    expect(section).toContain("| 1 `alpha`, 2 `bravo` | `V0001__players`, `V0002__game_logs` |");
  });

  it("no section when nothing changes, or when neither plan has gamedb:schema", async () => {
    expect(comment(base, viaJson(base))).not.toContain("#### Schema");
    const plain = await planOf(validDev());
    expect(comment(plain, viaJson(plain))).not.toContain("#### Schema");
    expect(renderPlan(plain)).not.toContain("Schema:");
    expect(schemaOf(comment(base, plain))).toContain("The head has no `gamedb:schema`");
  });

  it("a removed migration: refused where it was applied", async () => {
    const dir = migrations("removed");
    rmSync(join(ROOT, dir, "V0002__game_logs.sql"));
    rmSync(join(ROOT, dir, "U0002__game_logs.sql"));
    const section = schemaOf(comment(base, await planOf(devWithSchema(dir))));
    expect(section).toContain(
      "- ❌ `V0002__game_logs` is removed: **every shard (1, 2) will refuse to migrate** while it is recorded as applied there without its file. Restore its V file.",
    );
  });
});

function readShipped(name: string): string {
  return readFileSync(join(ROOT, "stacks/migrations", name), "utf8");
}
