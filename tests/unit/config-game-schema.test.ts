/** `gamedb:schema` (infra/config/gameSchema.ts): defaults, and every bad value refused naming its path. */
import { RawConfig, validDev } from "../helpers/configs";
import { problemsOf, topologyOf } from "../helpers/validation";

const IMAGE = "registry.example.com/gamedb/gamedb-migrate:0.1.0";

function withSchema(schema: unknown): RawConfig {
  const raw = validDev();
  raw.schema = schema;
  return raw;
}

describe("gamedb:schema", () => {
  it("is optional", () => {
    expect(topologyOf(validDev(), "dev").schema).toBeUndefined();
  });

  it("fills in every default", () => {
    expect(topologyOf(withSchema({ database: "game", image: IMAGE }), "dev").schema).toEqual({
      database: "game",
      migrations: "stacks/migrations",
      image: IMAGE,
      timeoutMinutes: 30,
      concurrency: 4,
      batch: { rows: 1000, pauseThreadsRunning: 25, stopThreadsRunning: 50 },
      partitioned: [],
      partitionSchedule: "15 3 * * *",
    });
    const t = topologyOf(
      withSchema({ database: "game", image: IMAGE, partitioned: [{ table: "game_logs", column: "logged_at" }] }),
      "dev",
    );
    expect(t.schema!.partitioned).toEqual([{ table: "game_logs", column: "logged_at", aheadDays: 7, keepDays: 30 }]);
  });

  it.each([
    [{ image: IMAGE }, "gamedb:schema.database: is required (string)"],
    [{ database: "game" }, "gamedb:schema.image: is required (string)"],
    [
      { database: "gamedb_meta", image: IMAGE },
      'gamedb:schema.database: "gamedb_meta" must not be one of mysql, sys, information_schema, performance_schema, mysql_innodb_cluster_metadata, gamedb_meta',
    ],
    [
      { database: "9lives", image: IMAGE },
      'gamedb:schema.database: "9lives" must be a MySQL name of 1-64 letters, digits and _, not starting with a digit',
    ],
    [
      { database: "game", image: IMAGE, migrations: "../elsewhere" },
      'gamedb:schema.migrations: "../elsewhere" must stay inside the project (no ..)',
    ],
    [
      { database: "game", image: IMAGE, batch: { pauseThreadsRunning: 50, stopThreadsRunning: 40 } },
      "gamedb:schema.batch.stopThreadsRunning: 40 must be above pauseThreadsRunning",
    ],
    [
      { database: "game", image: IMAGE, partitioned: [{ table: "game_logs", column: "at", keepDays: 0 }] },
      "gamedb:schema.partitioned[0].keepDays: 0 is out of range; use at least 1",
    ],
    [
      { database: "game", image: IMAGE, partitionSchedule: "daily" },
      'gamedb:schema.partitionSchedule: "daily" must be five cron fields such as 15 3 * * *',
    ],
    [
      { database: "game", image: IMAGE, concurency: 2 },
      "gamedb:schema.concurency: unknown key; allowed keys here: database, migrations, image, timeoutMinutes, concurrency, batch, partitioned, partitionSchedule",
    ],
  ])("refuses %j", (schema, expected) => {
    expect(problemsOf(withSchema(schema), "dev")).toEqual([expected]);
  });
});
