// scripts/lib/mover/binlogSource.ts binlogLogin: where the mover reads a shard's binlog, over a FAKE connection.
// MySQL 8.4: the Group Replication primary of performance_schema.replication_group_members. MariaDB (the stand-ins)
// has no such table: as an account with SELECT on performance_schema.* (our mover account, infra/mysql/adminapi/
// grants.js and tests/helpers/moveFleet.ts) it answers ER_NO_SUCH_TABLE (1146), and binlogLogin reads the binlog
// where the mover connects. Without that grant MariaDB 10.11 answers 1142 (SELECT command denied) before looking for
// the table (checked on a 10.11.19 stand-in; scripts/lib/mover/throttle.ts skips its query on MariaDB for that
// reason): binlogLogin throws it, which is right on MySQL, where 1142 means the grant is missing.
import type { ShardLogin } from "../../scripts/lib/mover/connect";
import { binlogLogin } from "../../scripts/lib/mover/binlogSource";

const LOGIN: ShardLogin = { shard: 3, host: "gamedb-router-3", port: 6446, user: "gamedb_mover", password: "p" };

function fake(answer: () => unknown) {
  const seen: string[] = [];
  const conn = {
    async query(sql: string) {
      seen.push(sql);
      return [answer(), []];
    },
  };
  return { conn: conn as never, seen };
}
const failWith = (errno: number, message: string) => () => {
  throw Object.assign(new Error(message), { errno });
};

describe("binlogLogin", () => {
  it("reads the binlog of the ONLINE primary, at its report host and port, with the same account", async () => {
    const { conn, seen } = fake(() => [{ host: "shard3-node2.gamedb.internal", port: "3306" }]);
    expect(await binlogLogin(conn, LOGIN)).toEqual({ ...LOGIN, host: "shard3-node2.gamedb.internal", port: 3306 });
    expect(seen).toEqual([
      "SELECT MEMBER_HOST AS host, MEMBER_PORT AS port FROM performance_schema.replication_group_members " +
        "WHERE MEMBER_ROLE = 'PRIMARY' AND MEMBER_STATE = 'ONLINE'",
    ]);
  });

  it("keeps the login when no primary is listed (no group running) or its host is empty", async () => {
    expect(await binlogLogin(fake(() => []).conn, LOGIN)).toBe(LOGIN);
    expect(await binlogLogin(fake(() => [{ host: "", port: 3306 }]).conn, LOGIN)).toBe(LOGIN);
  });

  it("keeps the login on ER_NO_SUCH_TABLE (1146): no Group Replication here (MariaDB)", async () => {
    const { conn } = fake(failWith(1146, "Table 'performance_schema.replication_group_members' doesn't exist"));
    expect(await binlogLogin(conn, LOGIN)).toBe(LOGIN);
  });

  it("throws any other error: a denied SELECT (1142), a lost connection", async () => {
    const denied = "SELECT command denied to user 'gamedb_mover'@'10.0.0.5' for table `replication_group_members`";
    await expect(binlogLogin(fake(failWith(1142, denied)).conn, LOGIN)).rejects.toThrow(denied);
    await expect(binlogLogin(fake(failWith(2013, "Lost connection")).conn, LOGIN)).rejects.toThrow("Lost connection");
    await expect(
      binlogLogin(
        fake(() => {
          throw new Error("no errno");
        }).conn,
        LOGIN,
      ),
    ).rejects.toThrow("no errno");
  });
});
