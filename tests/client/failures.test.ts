import { FENCE_ERRNO, FENCE_SQLSTATE } from "../../infra/contracts/slotFence";
import { fenceSignalOf, isConnectionFailure, isFatal } from "../../client/src/failures";

/** Errors as mysql2 and Node reject with (code, errno, sqlState, sqlMessage, fatal). */
const err = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

const refused = err("connect ECONNREFUSED 10.0.0.7:6446", { code: "ECONNREFUSED", errno: -111, fatal: true });
const lost = err("Connection lost: The server closed the connection.", {
  code: "PROTOCOL_CONNECTION_LOST",
  fatal: true,
});
const connectTimeout = err("connect ETIMEDOUT", { code: "ETIMEDOUT", errorno: "ETIMEDOUT", fatal: true });
const dns = err("getaddrinfo ENOTFOUND router", { code: "ENOTFOUND", errno: -3008 });
// MySQL Router answers a client with 2003 when it reaches no destination (errno only: a server-sent error packet).
const routerNoDestination = err("Can't connect to remote MySQL server", { errno: 2003, sqlState: "HY000" });
const tooMany = err("Too many connections", { code: "ER_CON_COUNT_ERROR", errno: 1040, sqlState: "08004" });
const duplicate = err("Duplicate entry '1' for key 'PRIMARY'", {
  code: "ER_DUP_ENTRY",
  errno: 1062,
  sqlState: "23000",
  sqlMessage: "Duplicate entry '1' for key 'PRIMARY'",
});
const syntax = err("You have an error in your SQL syntax", { code: "ER_PARSE_ERROR", errno: 1064, sqlState: "42000" });
const fence = (sqlMessage: string, sqlState = FENCE_SQLSTATE) =>
  err(sqlMessage, { code: "ER_SIGNAL_EXCEPTION", errno: FENCE_ERRNO, sqlState, sqlMessage });

describe("isConnectionFailure", () => {
  it.each([
    ["a refused connection", refused],
    ["a lost connection", lost],
    ["a connect timeout", connectTimeout],
    ["an unknown host", dns],
    ["a Router with no reachable destination (2003)", routerNoDestination],
    ["a lost server (2013, errno only)", err("Lost connection to MySQL server", { errno: 2013 })],
    ["too many connections", tooMany],
  ])("true for %s", (_name, e) => expect(isConnectionFailure(e)).toBe(true));

  it.each([
    ["a duplicate key", duplicate],
    ["a syntax error", syntax],
    ["a fence refusal", fence("GAMEDB_TRYAGAIN slot=1")],
    ["a plain Error", new Error("ECONNREFUSED")],
    ["null", null],
    ["undefined", undefined],
    ["a string", "ECONNREFUSED"],
  ])("false for %s", (_name, e) => expect(isConnectionFailure(e)).toBe(false));
});

describe("fenceSignalOf", () => {
  it("reads each signal from a SQLSTATE 45000 error's sqlMessage", () => {
    expect(fenceSignalOf(fence("GAMEDB_MOVED slot=1234 shard=5 epoch=7"))).toEqual({
      kind: "moved",
      slot: 1234,
      shard: 5,
      epoch: 7,
    });
    expect(fenceSignalOf(fence("GAMEDB_TRYAGAIN slot=0"))).toEqual({ kind: "tryagain", slot: 0 });
    expect(fenceSignalOf(fence("GAMEDB_UNFENCED slot=65535"))).toEqual({ kind: "unfenced", slot: 65535 });
    expect(fenceSignalOf(fence("GAMEDB_SLOT_CHANGE from=3 to=4"))).toEqual({ kind: "slotChange", from: 3, to: 4 });
  });

  it("undefined for another SQLSTATE, another 45000 message, no sqlMessage, or not an error object", () => {
    expect(fenceSignalOf(fence("GAMEDB_TRYAGAIN slot=1", "HY000"))).toBeUndefined();
    expect(fenceSignalOf(fence("order rejected by trigger"))).toBeUndefined();
    expect(fenceSignalOf(fence("GAMEDB_MOVED slot=99999 shard=1 epoch=1"))).toBeUndefined(); // slot out of range
    expect(fenceSignalOf(err("GAMEDB_TRYAGAIN slot=1", { sqlState: FENCE_SQLSTATE }))).toBeUndefined();
    expect(fenceSignalOf(duplicate)).toBeUndefined();
    expect(fenceSignalOf(null)).toBeUndefined();
    expect(fenceSignalOf("GAMEDB_TRYAGAIN slot=1")).toBeUndefined();
  });
});

describe("isFatal (throw the connection away rather than return it to the pool)", () => {
  it("true for errors mysql2 marks fatal and for connection failures", () => {
    expect(isFatal(err("Packets out of order", { code: "PROTOCOL_PACKETS_OUT_OF_ORDER", fatal: true }))).toBe(true);
    expect(isFatal(routerNoDestination)).toBe(true);
    expect(isFatal(refused)).toBe(true);
  });

  it("false for the server's answers (the connection is fine) and for non-objects", () => {
    expect(isFatal(duplicate)).toBe(false);
    expect(isFatal(syntax)).toBe(false);
    expect(isFatal(fence("GAMEDB_MOVED slot=1 shard=2 epoch=3"))).toBe(false);
    expect(isFatal(err("x", { fatal: false }))).toBe(false);
    expect(isFatal(undefined)).toBe(false);
    expect(isFatal("fatal")).toBe(false);
  });
});
