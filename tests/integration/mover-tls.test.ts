/**
 * The slot mover's connections over TLS, for real, against a MariaDB 10.11 stand-in with a certificate from a test
 * CA and require_secure_transport=ON (as every MySQL member now has): with move.json's CA the mover account (REQUIRE
 * SSL, as the accounts step makes it) connects for queries and follows the binlog (zongji, which reads the primary
 * directly, not through a Router); without it, both are refused. The mover verifies the chain: a server whose
 * certificate another CA signed is refused.
 */
import * as fs from "node:fs";
import * as mysql from "mysql2/promise";
import { MOVER_ACCOUNT } from "../../infra/contracts/slotFence";
import { connect, moverLogin, type ShardLogin } from "../../scripts/lib/mover/connect";
import { parsePosition } from "../../scripts/lib/mover/position";
import { BinlogStream } from "../../scripts/lib/mover/stream";
import { type MariaDbFleet, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";
import { makeTestPki, type TestPki } from "../helpers/testCa";

const PASSWORD = "mover-Secret-1";
let pki: TestPki;
let fleet: MariaDbFleet;
let gtid: string;

const login = (ca?: string): ShardLogin =>
  moverLogin(
    { shard: 1, host: fleet.servers[0]!.host, port: fleet.servers[0]!.port },
    { "1": PASSWORD },
    ca === undefined ? undefined : fs.readFileSync(ca, "utf8"),
  );

/** Opens the binlog stream from the current position; resolves "ready" or the error it fails with. */
async function follow(l: ShardLogin): Promise<string> {
  try {
    const stream = await BinlogStream.start(l, "mariadb", {
      serverId: 4_000_000_101,
      from: parsePosition("mariadb", gtid),
      include: { game: ["players"] },
    });
    stream.stop();
    return "ready";
  } catch (e) {
    return (e as Error).message;
  }
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => "connected",
    (e: Error) => e.message,
  );

beforeAll(async () => {
  pki = makeTestPki("IP:127.0.0.1");
  fleet = await startMariaDbFleet(1, {
    extraArgs: [`--ssl-ca=${pki.ca}`, `--ssl-cert=${pki.cert}`, `--ssl-key=${pki.key}`],
  });
  const root = await fleet.servers[0]!.connect();
  await root.query("CREATE USER ?@'%' IDENTIFIED BY ? REQUIRE SSL", [MOVER_ACCOUNT, PASSWORD]);
  await root.query("GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO ?@'%'", [MOVER_ACCOUNT]);
  await root.query("CREATE DATABASE game");
  await root.query("CREATE TABLE game.players (id INT PRIMARY KEY)");
  const [rows] = await root.query<mysql.RowDataPacket[]>("SELECT @@GLOBAL.gtid_binlog_pos AS g");
  gtid = String(rows[0]!.g);
  await root.query("SET GLOBAL require_secure_transport = ON");
  await root.end();
});

afterAll(async () => {
  await fleet?.stopAll();
});

describe("the mover over TLS", () => {
  it("connects with move.json's CA, over TLS", async () => {
    const conn = await connect(login(pki.ca));
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
      expect(String(rows[0]!.Value)).toMatch(/^TLSv1\.[23]$/);
    } finally {
      await conn.end();
    }
  });

  it("follows the binlog over TLS with the CA (zongji gets the same TLS options)", async () => {
    expect(await follow(login(pki.ca))).toBe("ready");
  });

  it("is refused without TLS, for queries and for the binlog", async () => {
    expect(await failure(connect(login()))).toMatch(/Access denied for user 'gamedb_mover'/);
    expect(await follow(login())).toMatch(/Access denied for user 'gamedb_mover'/);
  });

  it("refuses a server whose certificate another CA signed", async () => {
    expect(await failure(connect(login(pki.otherCa)))).toMatch(/self[- ]signed|unable to verify|unable to get local/i);
    expect(await follow(login(pki.otherCa))).toMatch(/self[- ]signed|unable to verify|unable to get local/i);
  });
});
