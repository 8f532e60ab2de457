/**
 * Throwaway certificates for TLS tests, made with the `openssl` CLI the way infra/tls/ca.ts makes the stack's: an
 * ECDSA P-256 CA, and a server certificate it signs for the given names with serverAuth and clientAuth (Redis
 * nodes present it to each other on the cluster bus). Files are written 0600 under a fresh temporary directory.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface TestCa {
  readonly dir: string;
  readonly caFile: string;
  readonly caPem: string;
  readonly caKeyFile: string;
}

export interface TestServerCert {
  readonly certFile: string;
  readonly keyFile: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === "ENOENT") throw new Error("openssl is not installed (apt-get install openssl)");
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString() ?? String(e)}`);
  }
}

/** A self-signed CA named `name` in a new directory. */
export function createTestCa(name: string): TestCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gamedb-tls-${name}-`));
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"], dir);
  openssl(
    [
      ...["req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "2", "-subj", `/O=gamedb/CN=${name}`],
      ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
      ...["-out", "ca.crt"],
    ],
    dir,
  );
  fs.chmodSync(path.join(dir, "ca.key"), 0o600);
  const caFile = path.join(dir, "ca.crt");
  return { dir, caFile, caPem: fs.readFileSync(caFile, "utf8"), caKeyFile: path.join(dir, "ca.key") };
}

/**
 * A server certificate for `names`, signed by `ca`, as `<label>.crt` and `<label>.key` in the CA's directory. A name
 * is a DNS name, or an openssl subjectAltName entry such as "IP:127.0.0.1".
 */
export function createServerCert(ca: TestCa, label: string, names: string[]): TestServerCert {
  const { dir } = ca;
  const sans = names.map((n) => (/^(DNS|IP):/.test(n) ? n : `DNS:${n}`));
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${label}.key`], dir);
  openssl(["req", "-new", "-key", `${label}.key`, "-subj", `/O=gamedb/CN=${label}`, "-out", `${label}.csr`], dir);
  const ext = path.join(dir, `${label}.ext`);
  fs.writeFileSync(
    ext,
    [
      `subjectAltName=${sans.join(",")}`,
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth,clientAuth",
      "",
    ].join("\n"),
  );
  openssl(
    [
      ...["x509", "-req", "-in", `${label}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"],
      ...["-days", "2", "-sha256", "-extfile", ext, "-out", `${label}.crt`],
    ],
    dir,
  );
  fs.chmodSync(path.join(dir, `${label}.key`), 0o600);
  return { certFile: path.join(dir, `${label}.crt`), keyFile: path.join(dir, `${label}.key`) };
}
