/**
 * TLS from a game server to the Routers, verified: each shard's Router presents a certificate from the stack's CA
 * naming its Service (gamedb-shard<id>-router.<namespace>.svc.cluster.local, the host routers.json gives), and the
 * endpoints carry that CA as `mysql-tls.json`. Pass the result as `mysql: { ssl }`; the Router accepts plain
 * connections too (client_ssl_mode PREFERRED), and reaches MySQL over verified TLS either way.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ENDPOINT_FILES, mysqlTlsSchema, parseDocument } from "../../infra/contracts/endpoints";
import { EndpointsError } from "./errors";

/** mysql2's TLS options: the CA, the certificate verified, and the name dialled checked against it. */
export interface RouterTls {
  readonly ca: string;
  readonly rejectUnauthorized: true;
  readonly verifyIdentity: true;
}

/** From the mounted endpoints directory (or a file holding `mysql-tls.json`'s document); throws naming the file. */
export function readRouterTls(location: string): RouterTls {
  let file = location;
  try {
    if (fs.statSync(location).isDirectory()) file = path.join(location, ENDPOINT_FILES.mysqlTls);
    const { ca } = parseDocument(mysqlTlsSchema, file, fs.readFileSync(file, "utf8"));
    return { ca, rejectUnauthorized: true, verifyIdentity: true };
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`${file}:`)) throw new EndpointsError(`endpoints: ${e.message}`);
    throw new EndpointsError(`endpoints: cannot read ${file}: ${(e as Error).message}`);
  }
}
