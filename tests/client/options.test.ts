import { OptionsError } from "../../client/src/errors";
import { ClientOptionsInput, parseOptions } from "../../client/src/options";
import { evenDoc } from "./fixtures";

const base: ClientOptionsInput = { endpoints: "/etc/gamedb/endpoints", user: "game", database: "game" };

/** The message parseOptions refuses `input` with (fails the test if it accepts it). */
function refusal(input: unknown): string {
  try {
    parseOptions(input as ClientOptionsInput);
  } catch (e) {
    expect(e).toBeInstanceOf(OptionsError);
    expect((e as OptionsError).code).toBe("BAD_OPTION");
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe("parseOptions", () => {
  it("applies every default", () => {
    expect(parseOptions(base)).toEqual({
      ...base,
      pool: { connectionLimit: 10, queueLimit: 200, connectTimeoutMs: 5000, idleTimeoutMs: 60_000 },
      breaker: { failureThreshold: 3, probeIntervalMs: 1000 },
      tryAgain: { maxWaitMs: 3000, initialDelayMs: 10, maxDelayMs: 200 },
      reloadPollMs: 5000,
      mysql: {},
    });
  });

  it("keeps given values, fills the rest of a partly given group, and passes mysql's other options through", () => {
    const onEvent = () => undefined;
    const options = parseOptions({
      ...base,
      endpoints: evenDoc(2),
      password: "",
      pool: { connectionLimit: 50 },
      tryAgain: { maxWaitMs: 100 },
      mysql: { charset: "utf8mb4", supportBigNumbers: true },
      onEvent,
    });
    expect(options.pool).toEqual({
      connectionLimit: 50,
      queueLimit: 200,
      connectTimeoutMs: 5000,
      idleTimeoutMs: 60_000,
    });
    expect(options.tryAgain).toEqual({ maxWaitMs: 100, initialDelayMs: 10, maxDelayMs: 200 });
    expect(options.mysql).toEqual({ charset: "utf8mb4", supportBigNumbers: true });
    expect(options.endpoints).toEqual(evenDoc(2));
    expect(options.onEvent).toBe(onEvent);
    expect(options.password).toBe("");
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "a negative limit",
      { pool: { connectionLimit: -1 } },
      "pool.connectionLimit: must be a whole number from 1 to 1000",
    ],
    ["a zero queue", { pool: { queueLimit: 0 } }, "pool.queueLimit: must be a whole number from 1 to 100000"],
    [
      "a number as a string",
      { pool: { connectTimeoutMs: "5000" } },
      "pool.connectTimeoutMs: must be a whole number of milliseconds from 1 to 120000",
    ],
    [
      "a fraction",
      { breaker: { probeIntervalMs: 2.5 } },
      "breaker.probeIntervalMs: must be a whole number of milliseconds from 1 to 600000",
    ],
    [
      "a threshold too high",
      { breaker: { failureThreshold: 101 } },
      "breaker.failureThreshold: must be a whole number from 1 to 100",
    ],
    [
      "a wait too long",
      { tryAgain: { maxWaitMs: 600_001 } },
      "tryAgain.maxWaitMs: must be a whole number of milliseconds from 1 to 600000",
    ],
    [
      "a negative delay",
      { tryAgain: { initialDelayMs: -10 } },
      "tryAgain.initialDelayMs: must be a whole number of milliseconds from 1 to 60000",
    ],
    ["NaN", { reloadPollMs: NaN }, "reloadPollMs: must be a whole number of milliseconds from 1 to 3600000"],
    [
      "endpoints as a number",
      { endpoints: 7 },
      "endpoints: must be a path (the mounted gamedb-endpoints directory, or a JSON file) or an object {routers, slotMap}",
    ],
    ["endpoints as a list", { endpoints: ["/a"] }, "endpoints: must be a path"],
    ["an empty endpoints path", { endpoints: "" }, "endpoints: must be a path"],
    ["user missing", { user: undefined }, "user: must be the MySQL account name (a string)"],
    ["database as a number", { database: 1 }, "database: must be the schema name (a string)"],
    ["password as a number", { password: 1234 }, "password: must be a string"],
    ["onEvent not a function", { onEvent: "log" }, "onEvent: must be a function"],
    ["mysql not an object", { mysql: "ssl" }, "mysql: must be an object of more mysql2 pool options"],
    ["an empty user", { user: "" }, "user: must be the MySQL account name (a string)"],
  ])("refuses %s naming the field and what is allowed", (_name, bad, message) => {
    expect(refusal({ ...base, ...bad })).toContain(`gamedb client options: ${message}`);
  });

  it("refuses an unknown key naming it and the keys allowed there", () => {
    expect(refusal({ ...base, poolSize: 5 })).toBe(
      'gamedb client options: (options): unknown key "poolSize"; allowed: endpoints, user, password, database, pool, ' +
        "breaker, tryAgain, reloadPollMs, mysql, onEvent",
    );
    expect(refusal({ ...base, pool: { limit: 5, connectionLimit: 5 } })).toBe(
      'gamedb client options: pool: unknown key "limit"; allowed: connectionLimit, queueLimit, connectTimeoutMs, ' +
        "idleTimeoutMs",
    );
    expect(refusal({ ...base, breaker: { threshold: 1, interval: 2 } })).toContain(
      'breaker: unknown keys "threshold", "interval"; allowed: failureThreshold, probeIntervalMs',
    );
  });

  it("lists every problem at once", () => {
    const message = refusal({ ...base, user: 5, pool: { connectionLimit: 0 }, reloadPollMs: -1 });
    expect(message).toContain("user: must be");
    expect(message).toContain("pool.connectionLimit: must be");
    expect(message).toContain("reloadPollMs: must be");
  });

  it.each(["host", "port", "user", "password", "database"])("refuses mysql.%s: the client sets it", (key) => {
    expect(refusal({ ...base, mysql: { charset: "utf8mb4", [key]: "x" } })).toBe(
      `gamedb client options: mysql.${key}: set by the client from the endpoints and options; ` +
        "use the top-level user, password and database",
    );
  });

  it("refuses no options at all", () => {
    expect(refusal(undefined)).toMatch(/^gamedb client options: \(options\): /);
  });
});
