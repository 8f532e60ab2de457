/**
 * The router pod's start (infra/mysql/router/bootstrap.sh) logs to the console, where kubectl logs reads it: after
 * the bootstrap it empties logging_folder in the generated mysqlrouter.conf before it execs the router, as Oracle's
 * router image does (mysql/mysql-docker main:mysql-router/8.4/run.sh). Run under bash with a stand-in mysqlrouter
 * that writes the config the way bootstrap does ([DEFAULT] logging_folder=<directory>/log).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROUTER_BOOTSTRAP_SCRIPT } from "../../infra/mysql/router";

/** A bootstrap-generated mysqlrouter.conf, trimmed: what matters here is [DEFAULT] and a [logger] section. */
const generated = (dir: string) =>
  [
    "# File automatically generated during MySQL Router bootstrap",
    "[DEFAULT]",
    `logging_folder=${dir}/log`,
    `runtime_folder=${dir}/run`,
    `data_folder=${dir}/data`,
    "",
    "[logger]",
    "level=INFO",
    "",
    "[metadata_cache:bootstrap]",
    "cluster_type=gr",
    "",
  ].join("\n");

function start(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "gamedb-router-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(join(dir, "password"), "pw-Secret-1\n");
  writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n");
  writeFileSync(join(dir, "tls.crt"), "-----BEGIN CERTIFICATE-----\nROUTER\n-----END CERTIFICATE-----\n");
  writeFileSync(join(dir, "tls.key"), "-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n");
  writeFileSync(join(dir, "generated.conf"), generated(join(dir, "conf")));
  // --bootstrap ... --directory D: writes D/mysqlrouter.conf (0600, as bootstrap does). -c FILE: records the
  // file as the router would read it at start.
  writeFileSync(
    join(bin, "mysqlrouter"),
    [
      "#!/bin/bash",
      'if [ "$1" = --bootstrap ]; then',
      "  cat > /dev/null",
      `  printf '%s\\n' "$@" > ${join(dir, "bootstrap.args")}`,
      '  mkdir -p "$4" && cp ' +
        join(dir, "generated.conf") +
        ' "$4/mysqlrouter.conf" && chmod 600 "$4/mysqlrouter.conf"',
      "  exit 0",
      "fi",
      `[ "$1" = -c ] && cp "$2" ${join(dir, "at-start.conf")} && stat -c %a "$2" > ${join(dir, "at-start.mode")}`,
    ].join("\n"),
  );
  chmodSync(join(bin, "mysqlrouter"), 0o755);
  const run = spawnSync("bash", ["--norc", "--noprofile", "-c", ROUTER_BOOTSTRAP_SCRIPT], {
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      ROUTER_MEMBERS: "10.0.0.1:3306",
      ROUTER_ACCOUNT: "gamedb_router",
      ROUTER_CONF_DIR: join(dir, "conf"),
      ROUTER_PASSWORD_FILE: join(dir, "password"),
      ROUTER_CA_FILE: join(dir, "ca.pem"),
      ROUTER_CLIENT_CERT_FILE: join(dir, "tls.crt"),
      ROUTER_CLIENT_KEY_FILE: join(dir, "tls.key"),
      ...env,
    },
    encoding: "utf8",
  });
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return { run, dir, read };
}

describe("router bootstrap.sh logging", () => {
  it("empties logging_folder before the router starts, and changes nothing else", () => {
    const { run, dir, read } = start();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const atStart = read("at-start.conf");
    expect(atStart.split("\n").filter((l) => l.startsWith("logging_folder"))).toEqual(["logging_folder="]);
    expect(atStart).toBe(generated(join(dir, "conf")).replace(/^logging_folder=.*$/m, "logging_folder="));
    // The config keeps bootstrap's mode (it names the keyring).
    expect(read("at-start.mode").trim()).toBe("600");
    expect(run.stdout).toContain("gamedb-router: bootstrapped; starting the router (logging to the console)");
  });
});

describe("router bootstrap.sh TLS to the members", () => {
  it("bootstraps with verified TLS for the metadata connections and TLS REQUIRED, verified, for routed ones", () => {
    const { run, dir, read } = start();
    expect(run.status).toBe(0);
    const ca = join(dir, "ca.pem");
    expect(read("bootstrap.args").trimEnd().split("\n")).toEqual([
      "--bootstrap",
      "gamedb_router@10.0.0.1:3306",
      "--directory",
      join(dir, "conf"),
      "--force",
      "--account",
      "gamedb_router",
      "--account-create",
      "never",
      "--conf-bind-address",
      "0.0.0.0",
      "--ssl-mode",
      "VERIFY_CA",
      "--ssl-ca",
      ca,
      "--server-ssl-mode",
      "REQUIRED",
      "--server-ssl-verify",
      "VERIFY_IDENTITY",
      "--server-ssl-ca",
      ca,
      "--client-ssl-mode",
      "PREFERRED",
      "--client-ssl-cert",
      join(dir, "tls.crt"),
      "--client-ssl-key",
      join(dir, "tls.key"),
    ]);
  });

  it.each(["ROUTER_CA_FILE", "ROUTER_CLIENT_CERT_FILE", "ROUTER_CLIENT_KEY_FILE"])(
    "refuses to start without a readable %s, naming it",
    (name) => {
      const { run } = start({ [name]: "/nonexistent/file.pem" });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`cannot read ${name} /nonexistent/file.pem`);
    },
  );
});
