/**
 * TLS to MySQL for real, against MariaDB 10.11 stand-ins (Debian's mariadb-server supports TLS and
 * require_secure_transport as MySQL 8.4 does) with a certificate signed by a test CA for the address clients dial
 * (127.0.0.1), as each member's is by the stack's CA: with require_secure_transport=ON a plain connection is refused;
 * the monitor's check connects over TLS, verifying the CA and the address; a client trusting another CA, or reaching
 * a server whose certificate names another address, is refused; an account made REQUIRE SSL cannot log in without
 * TLS even where the server would allow plain connections. Not MySQL: the MySQL 8.4 side (my.cnf, the accounts
 * step) is checked in tests/unit/mycnf.test.ts and tests/model.
 */
import * as mysql from "mysql2/promise";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENDPOINT_FILES } from "../../infra/contracts/endpoints";
import { MysqlChecker, endpointsCa } from "../../scripts/apps/monitor/mysqlCheck";
import { verifiedTls } from "../../scripts/lib/mysqlTls";
import { type MariaDbFleet, type MariaDbServer, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";
import { makeTestPki, type TestPki } from "../helpers/testCa";

const MONITOR = { user: "gamedb_monitor", password: "monitor-pw-1" };
const read = (file: string) => readFileSync(file, "utf8");

let pki: TestPki;
let fleet: MariaDbFleet;
let server: MariaDbServer;
/** A second server whose certificate names another address (10.9.9.9) than the one dialled. */
let elsewhere: MariaDbFleet;

const tlsArgs = (p: TestPki) => [`--ssl-ca=${p.ca}`, `--ssl-cert=${p.cert}`, `--ssl-key=${p.key}`];

/** SHOW SESSION STATUS's Ssl_version on a new connection with `options`: the TLS version, "" for plain. */
async function sslVersion(s: MariaDbServer, options: mysql.ConnectionOptions): Promise<string> {
  const conn = await mysql.createConnection({ host: s.host, port: s.port, ...options });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
    return String(rows[0]?.Value ?? "");
  } finally {
    await conn.end();
  }
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => "connected",
    (e: Error) => e.message,
  );

beforeAll(async () => {
  pki = makeTestPki("IP:127.0.0.1");
  fleet = await startMariaDbFleet(1, { extraArgs: tlsArgs(pki) });
  server = fleet.servers[0]!;
  const root = await server.connect();
  // As the accounts step makes the monitor account (setup-accounts.js): REQUIRE SSL.
  await root.query("CREATE USER ?@'%' IDENTIFIED BY ? REQUIRE SSL", [MONITOR.user, MONITOR.password]);
  await root.query("GRANT PROCESS ON *.* TO ?@'%'", [MONITOR.user]);
  await root.end();
  const wrongName = pki.issue("IP:10.9.9.9", "elsewhere");
  elsewhere = await startMariaDbFleet(1, {
    extraArgs: [`--ssl-ca=${pki.ca}`, `--ssl-cert=${wrongName.cert}`, `--ssl-key=${wrongName.key}`],
  });
});

afterAll(async () => {
  await fleet?.stopAll();
  await elsewhere?.stopAll();
});

describe("an account made REQUIRE SSL, with require_secure_transport still OFF", () => {
  it("root (no REQUIRE SSL) still logs in over plain TCP: the server allows it so far", async () => {
    expect(await sslVersion(server, { user: "root" })).toBe("");
  });

  it("is refused without TLS and logs in with verified TLS", async () => {
    expect(await failure(sslVersion(server, { ...MONITOR }))).toMatch(/Access denied for user 'gamedb_monitor'/);
    expect(await sslVersion(server, { ...MONITOR, ...verifiedTls(read(pki.ca), server.host, server.port) })).toMatch(
      /^TLSv1\.[23]$/,
    );
  });
});

describe("require_secure_transport=ON", () => {
  beforeAll(async () => {
    const root = await server.connect();
    await root.query("SET GLOBAL require_secure_transport = ON");
    await root.end();
  });

  // MariaDB answers an insecure login with "Access denied" (MySQL 8.4 with ER_SECURE_TRANSPORT_REQUIRED, 3159).
  it("refuses a plain TCP connection, whatever the account: root, allowed before, is refused now", async () => {
    expect(await failure(sslVersion(server, { user: "root" }))).toMatch(/Access denied for user 'root'/);
    expect(await sslVersion(server, { user: "root", ...verifiedTls(read(pki.ca), server.host, server.port) })).toMatch(
      /^TLSv1/,
    );
  });

  it("accepts TLS verified against the CA and the address dialled", async () => {
    expect(await sslVersion(server, { user: "root", ...verifiedTls(read(pki.ca), server.host, server.port) })).toMatch(
      /^TLSv1\.[23]$/,
    );
  });

  it("is refused by a client that trusts another CA", async () => {
    expect(
      await failure(sslVersion(server, { user: "root", ...verifiedTls(read(pki.otherCa), server.host, server.port) })),
    ).toMatch(/self[- ]signed|unable to verify|unable to get local issuer/i);
  });

  it("refuses a certificate from the right CA for another address during the handshake, before the login", async () => {
    const s = elsewhere.servers[0]!;
    // An unknown account: had the login been sent, the server would answer "Access denied" first.
    const error = await failure(sslVersion(s, { user: "nosuchuser", ...verifiedTls(read(pki.ca), s.host, s.port) }));
    expect(error).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list: 10\.9\.9\.9/);
    expect(error).not.toMatch(/Access denied/);
  });

  it("the monitor refuses a member whose certificate, from the right CA, names another address", async () => {
    const s = elsewhere.servers[0]!;
    const checker = new MysqlChecker({ user: "root", password: "", timeoutMs: 5000, ca: () => read(pki.ca) });
    try {
      const r = await checker.check({ host: s.host, port: s.port });
      expect(r.ok ? "" : r.error).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list: 10\.9\.9\.9/);
      expect(checker.openConnections).toBe(0);
    } finally {
      checker.close();
    }
  });

  it("the monitor's check connects with verified TLS when it has the CA, and is refused without", async () => {
    const target = { host: server.host, port: server.port };
    // As the worker runs it: the CA read from the endpoints' mysql-tls.json (ENDPOINT_FILES.mysqlTls).
    const endpointsDir = mkdtempSync(join(tmpdir(), "gamedb-endpoints-"));
    writeFileSync(join(endpointsDir, ENDPOINT_FILES.mysqlTls), JSON.stringify({ ca: read(pki.ca) }));
    const withCa = new MysqlChecker({ ...MONITOR, timeoutMs: 5000, ca: () => endpointsCa(endpointsDir) });
    const plain = new MysqlChecker({ ...MONITOR, timeoutMs: 5000 });
    const wrongCa = new MysqlChecker({ ...MONITOR, timeoutMs: 5000, ca: () => read(pki.otherCa) });
    const missing = new MysqlChecker({ ...MONITOR, timeoutMs: 5000, ca: () => endpointsCa(pki.dir) });
    try {
      // Logged in over TLS: what fails is the query (MariaDB has no Group Replication tables), not the connection.
      const ok = await withCa.check(target);
      expect(ok.ok).toBe(false);
      expect(ok.ok ? "" : ok.error).toMatch(/replication_group_members/);
      expect(withCa.openConnections).toBe(0);
      const refused = await plain.check(target);
      expect(refused.ok ? "" : refused.error).toMatch(/Access denied for user 'gamedb_monitor'/);
      const untrusted = await wrongCa.check(target);
      expect(untrusted.ok ? "" : untrusted.error).toMatch(
        /self[- ]signed|unable to verify|unable to get local issuer/i,
      );
      const noFile = await missing.check(target);
      expect(noFile.ok ? "" : noFile.error).toMatch(
        /^cannot read the CA: ENOENT: no such file or directory, open '\S+\/mysql-tls\.json'/,
      );
    } finally {
      for (const c of [withCa, plain, wrongCa, missing]) c.close();
    }
  });
});
