/**
 * The game client's verified TLS to a Router (client/src/routerTls.ts), for real: a MariaDB 10.11 stand-in plays the
 * Router, presenting a certificate from a test CA for the name routers.json gives (here "localhost", as the Router's
 * names its Service), with require_secure_transport so nothing plain gets through. The client reads the CA from the
 * endpoints' mysql-tls.json and connects over TLS; the same client without it is refused; a CA that did not sign
 * the certificate, or a name the certificate does not carry, is refused before any query.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GameDbClient, readRouterTls } from "../../client/src";
import { ENDPOINT_FILES } from "../../infra/contracts/endpoints";
import { type MariaDbFleet, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";
import { makeTestPki, type TestPki } from "../helpers/testCa";

let pki: TestPki;
let fleet: MariaDbFleet;
/** A Router whose certificate, from the same CA, names another host (router.invalid). */
let elsewhere: MariaDbFleet;

/** An endpoints directory: one shard owning every slot behind `host`, and mysql-tls.json with `caFile`'s CA. */
function endpointsDir(host: string, caFile: string, port = fleet.servers[0]!.port): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-client-tls-"));
  const write = (file: string, doc: unknown) => fs.writeFileSync(path.join(dir, file), JSON.stringify(doc));
  write(ENDPOINT_FILES.routers, { shard1: { host, ports: { rw: port, ro: port } } });
  write(ENDPOINT_FILES.slotMap, [{ slots: "0-16383", from: 0, to: 16383, shard: 1 }]);
  write(ENDPOINT_FILES.mysqlTls, { ca: fs.readFileSync(caFile, "utf8") });
  return dir;
}

/** The TLS version the client's read connection reports, or the error it fails with. */
async function tlsVersionOf(dir: string, tls: boolean): Promise<string> {
  const client = new GameDbClient({
    endpoints: dir,
    user: "root",
    database: "mysql",
    breaker: { failureThreshold: 100 },
    ...(tls ? { mysql: { ssl: readRouterTls(dir) } } : {}),
  });
  try {
    const rows = await client.read<{ Value: string }[]>("player:1", "SHOW SESSION STATUS LIKE 'Ssl_version'");
    return rows[0]?.Value ?? "";
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  pki = makeTestPki("DNS:localhost");
  fleet = await startMariaDbFleet(1, {
    extraArgs: [`--ssl-ca=${pki.ca}`, `--ssl-cert=${pki.cert}`, `--ssl-key=${pki.key}`, "--bind-address=127.0.0.1"],
  });
  const root = await fleet.servers[0]!.connect();
  await root.query("SET GLOBAL require_secure_transport = ON");
  await root.end();
  const other = pki.issue("DNS:router.invalid", "other-router");
  elsewhere = await startMariaDbFleet(1, {
    extraArgs: [`--ssl-ca=${pki.ca}`, `--ssl-cert=${other.cert}`, `--ssl-key=${other.key}`],
  });
});

afterAll(async () => {
  await fleet?.stopAll();
  await elsewhere?.stopAll();
});

describe("the client's TLS to a Router", () => {
  it("reads the CA from mysql-tls.json and connects over TLS, verifying the certificate and the name", async () => {
    expect(await tlsVersionOf(endpointsDir("localhost", pki.ca), true)).toMatch(/^TLSv1\.[23]$/);
  });

  it("without TLS, is refused by a server that requires it", async () => {
    expect(await tlsVersionOf(endpointsDir("localhost", pki.ca), false)).toMatch(/Access denied for user 'root'/);
  });

  it("refuses a Router whose certificate another CA signed", async () => {
    expect(await tlsVersionOf(endpointsDir("localhost", pki.otherCa), true)).toMatch(
      /self[- ]signed|unable to verify|unable to get local issuer/i,
    );
  });

  it("refuses a Router reached by a name its certificate does not carry", async () => {
    const dir = endpointsDir("localhost", pki.ca, elsewhere.servers[0]!.port);
    expect(await tlsVersionOf(dir, true)).toMatch(
      /Host: localhost\. is not in the cert's altnames: DNS:router\.invalid/,
    );
  });

  it("names the file when mysql-tls.json is missing or holds no certificate", () => {
    const dir = endpointsDir("localhost", pki.ca);
    fs.writeFileSync(path.join(dir, ENDPOINT_FILES.mysqlTls), JSON.stringify({ ca: "nope" }));
    expect(() => readRouterTls(dir)).toThrow(`endpoints: ${path.join(dir, "mysql-tls.json")}: ca: must be a PEM`);
    fs.rmSync(path.join(dir, ENDPOINT_FILES.mysqlTls));
    expect(() => readRouterTls(dir)).toThrow(`endpoints: cannot read ${path.join(dir, "mysql-tls.json")}: ENOENT`);
  });
});
