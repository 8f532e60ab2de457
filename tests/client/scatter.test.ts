import { GameDbError, ScatterError } from "../../client/src/errors";
import { Row } from "../../client/src/merge";
import { DEFAULT_SCATTER_TIMEOUT_MS, ScatterOptions, scatterRows } from "../../client/src/scatter";

/** A fake `run`: each shard's rows, or an error to reject with; records the timeout it was given. */
function fakeRun(answers: Record<number, Row[] | Error>) {
  const calls: { shard: number; timeoutMs: number }[] = [];
  const run = async (shard: number, timeoutMs: number): Promise<Row[]> => {
    calls.push({ shard, timeoutMs });
    const a = answers[shard];
    if (a === undefined) throw new Error(`no answer for shard ${shard}`);
    if (a instanceof Error) throw a;
    return a;
  };
  return { run, calls };
}

const byScore: ScatterOptions = { limit: 10, orderBy: [{ column: "score", direction: "desc" }] };

describe("scatterRows", () => {
  it("asks every shard at once with the timeout, and merges their rows by orderBy", async () => {
    const { run, calls } = fakeRun({
      0: [{ score: 90 }, { score: 10 }],
      1: [{ score: 50 }],
      2: [{ score: 95 }, { score: 50 }],
    });
    const pending = scatterRows([0, 1, 2], { ...byScore, timeoutMs: 750 }, run);
    expect(calls.map((c) => c.shard)).toEqual([0, 1, 2]); // all started before any answer is awaited
    const result = await pending;
    expect(result.rows.map((r) => r.score)).toEqual([95, 90, 50, 50, 10]);
    expect(result).toMatchObject({ shards: [0, 1, 2], failed: [], truncated: false });
    expect(calls.every((c) => c.timeoutMs === 750)).toBe(true);
    const again = fakeRun({ 0: [] });
    await scatterRows([0], { limit: 1 }, again.run);
    expect(again.calls[0]!.timeoutMs).toBe(DEFAULT_SCATTER_TIMEOUT_MS);
  });

  it("without orderBy, rows follow in shard order", async () => {
    const { run } = fakeRun({ 3: [{ id: "c" }], 1: [{ id: "a" }, { id: "b" }] });
    const result = await scatterRows([1, 3], { limit: 10 }, run);
    expect(result.rows).toEqual([{ id: "a" }, { id: "b" }, { id: "c" }]);
  });

  it("truncated is true only when the shards returned more rows than the limit together", async () => {
    const { run } = fakeRun({ 0: [{ score: 3 }, { score: 2 }, { score: 1 }], 1: [{ score: 6 }, { score: 5 }] });
    const four = await scatterRows([0, 1], { ...byScore, limit: 4 }, run);
    expect([four.rows.map((r) => r.score), four.truncated]).toEqual([[6, 5, 3, 2], true]);
    const five = await scatterRows([0, 1], { ...byScore, limit: 5 }, run);
    expect([five.rows.length, five.truncated]).toEqual([5, false]);
    const flat = await scatterRows([0, 1], { limit: 4 }, run);
    expect([flat.rows.length, flat.truncated]).toEqual([4, true]);
  });

  it("partial false (the default): fails with a ScatterError naming each failed shard and its message", async () => {
    const { run } = fakeRun({ 0: [{ score: 1 }], 1: new Error("connect ECONNREFUSED"), 2: new Error("timed out") });
    const error = await scatterRows([0, 1, 2], byScore, run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScatterError);
    const e = error as ScatterError;
    expect(e.code).toBe("SCATTER_FAILED");
    expect(e.failed.map((f) => [f.shard, f.error.message])).toEqual([
      [1, "connect ECONNREFUSED"],
      [2, "timed out"],
    ]);
    expect(e.message).toBe(
      "scatter: 2 of 3 shards failed (shard 1: connect ECONNREFUSED; shard 2: timed out); " +
        "pass partial: true to accept the others' rows",
    );
  });

  it("partial true: the others' rows, and the failed shards listed", async () => {
    const boom = new Error("boom");
    const { run } = fakeRun({ 0: [{ score: 1 }], 1: boom, 2: [{ score: 7 }] });
    const result = await scatterRows([0, 1, 2], { ...byScore, partial: true }, run);
    expect(result.rows).toEqual([{ score: 7 }, { score: 1 }]);
    expect(result.failed).toEqual([{ shard: 1, error: boom }]);
    expect(result.shards).toEqual([0, 1, 2]);
  });

  it("refuses a shard's rows that are not in orderBy order, naming the shard and the row", async () => {
    const { run } = fakeRun({ 0: [{ score: 9 }], 4: [{ score: 1 }, { score: 2 }] });
    await expect(scatterRows([0, 4], byScore, run)).rejects.toThrow(
      "scatter: shard 4 returned rows out of orderBy order at row 1; " +
        "the statement needs the same ORDER BY (and a binary or numeric sort key, or a collator)",
    );
  });

  it("refuses a shard's answer that is not a list of rows (a statement that is not a SELECT)", async () => {
    const header = { affectedRows: 3, insertId: 0 } as unknown as Row[];
    const { run } = fakeRun({ 0: [{ score: 1 }], 2: header });
    for (const options of [byScore, { limit: 10 }, { limit: 10, shardColumn: "shard" }]) {
      const e = await scatterRows([0, 2], options, run).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(GameDbError);
      expect((e as Error).message).toBe(
        "scatter: shard 2 returned no rows (object); scatter runs one SELECT on every shard",
      );
    }
    const holey = fakeRun({ 0: [{ score: 1 }, 7 as unknown as Row] });
    await expect(scatterRows([0], { limit: 10 }, holey.run)).rejects.toThrow(
      "shard 0 returned no rows (row 1 is number)",
    );
  });

  it("shardColumn tags every row with the shard that answered it", async () => {
    const { run } = fakeRun({ 0: [{ n: "5" }], 1: [{ n: "7" }] });
    const result = await scatterRows([0, 1], { limit: 10, shardColumn: "shard" }, run);
    expect(result.rows).toEqual([
      { n: "5", shard: 0 },
      { n: "7", shard: 1 },
    ]);
  });

  describe("refuses bad options naming the option and what is allowed, before asking any shard", () => {
    const cases: [string, Partial<ScatterOptions>, RegExp][] = [
      ["limit 0", { limit: 0 }, /^scatter limit: must be a whole number of rows from 1, got 0$/],
      ["limit 1.5", { limit: 1.5 }, /^scatter limit: .* got 1.5$/],
      ["limit as a string", { limit: "10" as never }, /^scatter limit: .* got 10$/],
      ["no limit", { limit: undefined }, /^scatter limit: .* got undefined$/],
      [
        "timeoutMs 0",
        { timeoutMs: 0 },
        /^scatter timeoutMs: must be a whole number of ms from 1 to 2147483647, got 0$/,
      ],
      ["timeoutMs -5", { timeoutMs: -5 }, /^scatter timeoutMs: .* got -5$/],
      ["timeoutMs 2.5", { timeoutMs: 2.5 }, /^scatter timeoutMs: .* got 2.5$/],
      // Node's setTimeout fires at once above 2^31-1 ms: a huge timeout would time out every shard immediately.
      ["timeoutMs above setTimeout's range", { timeoutMs: 2 ** 31 }, /^scatter timeoutMs: .* got 2147483648$/],
      ["an empty column", { orderBy: [{ column: "" }] }, /^scatter orderBy\.0: must be \{column/],
      [
        "an unknown direction",
        { orderBy: [{ column: "a" }, { column: "b", direction: "up" as "asc" }] },
        /^scatter orderBy\.1: must be \{column, direction\?: "asc" \| "desc"\}$/,
      ],
      ["orderBy as a string", { orderBy: "score" as never }, /^scatter orderBy: must be a list of \{column/],
      ["orderBy as one object", { orderBy: { column: "a" } as never }, /^scatter orderBy: must be a list/],
      ["a null orderBy entry", { orderBy: [null] as never }, /^scatter orderBy\.0: must be \{column/],
      ["shardColumn empty", { shardColumn: "" }, /^scatter shardColumn: must be a column name \(a string\), got $/],
      ["shardColumn a number", { shardColumn: 3 as never }, /^scatter shardColumn: .* got 3$/],
    ];
    it.each(cases)("%s", async (_name, bad, message) => {
      const { run, calls } = fakeRun({ 0: [] });
      const e = await scatterRows([0], { limit: 10, ...bad } as ScatterOptions, run).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(GameDbError);
      expect((e as GameDbError).code).toBe("BAD_OPTION");
      expect((e as Error).message).toMatch(message);
      expect(calls).toEqual([]);
    });
  });
});
