/**
 * A throwaway CA and server certificate made with the openssl CLI, shaped like the stack's (infra/tls/ca.ts: ECDSA
 * P-256, the server's address as its subject alternative name), for tests of TLS against real servers.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  readonly dir: string;
  /** CA certificate, server certificate and key files. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Another CA's certificate: what a client trusting the wrong CA holds. */
  readonly otherCa: string;
  /** Another server certificate and key from the same CA, for `san`. */
  issue(san: string, name: string): { cert: string; key: string };
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}-key.pem`]);
  // prettier-ignore
  openssl(dir, [
    "req", "-x509", "-new", "-key", `${name}-key.pem`, "-subj", `/O=gamedb/CN=${name}`, "-days", "2",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-out", `${name}.pem`,
  ]);
}

/** `<name>-cert.pem` and `<name>-key.pem` for `san`, signed by the CA in dir. */
function issue(dir: string, san: string, name: string): { cert: string; key: string } {
  openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}-key.pem`]);
  openssl(dir, ["req", "-new", "-key", `${name}-key.pem`, "-subj", `/O=gamedb/CN=${name}`, "-out", `${name}.csr`]);
  writeFileSync(
    join(dir, `${name}.ext`),
    `subjectAltName=${san}\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n`,
  );
  // prettier-ignore
  openssl(dir, [
    "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "2",
    "-extfile", `${name}.ext`, "-out", `${name}-cert.pem`,
  ]);
  return { cert: join(dir, `${name}-cert.pem`), key: join(dir, `${name}-key.pem`) };
}

/** A CA, a server certificate for `san` (e.g. "IP:127.0.0.1") signed by it, and an unrelated CA. */
export function makeTestPki(san: string): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "gamedb-pki-"));
  makeCa(dir, "ca");
  makeCa(dir, "other-ca");
  const server = issue(dir, san, "server");
  return {
    dir,
    ca: join(dir, "ca.pem"),
    ...server,
    otherCa: join(dir, "other-ca.pem"),
    issue: (otherSan, name) => issue(dir, otherSan, name),
  };
}
