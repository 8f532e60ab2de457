/**
 * The shell that runs in the router and Redis pods, run for real under bash/sh with stand-ins for mysqlrouter and
 * redis-server: the password goes on stdin or into a file, never onto a command line.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROUTER_BOOTSTRAP_SCRIPT } from "../../infra/mysql/router";
import { REDIS_START } from "../../infra/redis/cluster";
import { shellcheck } from "../helpers/shellcheck";

function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), "gamedb-k8s-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  return { dir, bin, stub };
}

describe("router bootstrap.sh", () => {
  it("passes shellcheck", () => {
    expect(shellcheck(ROUTER_BOOTSTRAP_SCRIPT)).toEqual([]);
  });

  function run(failing: string[]) {
    const { dir, bin, stub } = sandbox();
    writeFileSync(join(dir, "password"), "pw-Secret-1\n");
    for (const f of ["ca.pem", "tls.crt", "tls.key"]) writeFileSync(join(dir, f), `${f}\n`);
    // mysqlrouter stand-in: records its arguments and stdin; --bootstrap fails for the members listed in FAILING.
    stub(
      "mysqlrouter",
      [
        `echo "ARGS $*" >> ${dir}/log`,
        'if [ "$1" = --bootstrap ]; then',
        `  echo "STDIN $(cat | tr '\\n' '|')" >> ${dir}/log`,
        `  for f in ${failing.join(" ")}; do [ "$2" = "gamedb_router@$f" ] && exit 1; done`,
        "  exit 0",
        "fi",
        `echo RUNNING >> ${dir}/log`,
      ].join("\n"),
    );
    const r = spawnSync("bash", ["--norc", "--noprofile", "-c", ROUTER_BOOTSTRAP_SCRIPT], {
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        ROUTER_MEMBERS: "10.0.0.1:3306 10.0.0.2:3306",
        ROUTER_ACCOUNT: "gamedb_router",
        ROUTER_CONF_DIR: join(dir, "conf"),
        ROUTER_PASSWORD_FILE: join(dir, "password"),
        ROUTER_CA_FILE: join(dir, "ca.pem"),
        ROUTER_CLIENT_CERT_FILE: join(dir, "tls.crt"),
        ROUTER_CLIENT_KEY_FILE: join(dir, "tls.key"),
      },
      encoding: "utf8",
    });
    return { r, log: readFileSync(join(dir, "log"), "utf8"), dir };
  }

  it("bootstraps with the existing account, password on stdin only, then runs the router", () => {
    const { r, log, dir } = run(["10.0.0.1:3306"]);
    expect(r.status).toBe(0);
    const lines = log.trim().split("\n");
    expect(lines[0]).toBe(
      `ARGS --bootstrap gamedb_router@10.0.0.1:3306 --directory ${dir}/conf --force --account gamedb_router --account-create never --conf-bind-address 0.0.0.0` +
        ` --ssl-mode VERIFY_CA --ssl-ca ${dir}/ca.pem --server-ssl-mode REQUIRED --server-ssl-verify VERIFY_IDENTITY` +
        ` --server-ssl-ca ${dir}/ca.pem --client-ssl-mode PREFERRED --client-ssl-cert ${dir}/tls.crt` +
        ` --client-ssl-key ${dir}/tls.key`,
    );
    expect(lines[1]).toBe("STDIN pw-Secret-1|pw-Secret-1|");
    expect(lines[2]).toContain("--bootstrap gamedb_router@10.0.0.2:3306");
    expect(lines[3]).toBe("STDIN pw-Secret-1|pw-Secret-1|");
    expect(lines[4]).toBe(`ARGS -c ${dir}/conf/mysqlrouter.conf`);
    expect(lines[5]).toBe("RUNNING");
    for (const l of lines.filter((x) => x.startsWith("ARGS"))) expect(l).not.toContain("pw-Secret-1");
    expect(r.stdout + r.stderr).not.toContain("pw-Secret-1");
  });

  it("stops with a message naming what to check when no member accepts", () => {
    const { r, log } = run(["10.0.0.1:3306", "10.0.0.2:3306"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "gamedb-router: no member of 10.0.0.1:3306 10.0.0.2:3306 accepted the bootstrap: check that the shard's cluster is ONLINE and that the gamedb_router account exists",
    );
    expect(log).not.toContain("RUNNING");
  });
});

describe("redis start", () => {
  it("passes shellcheck as sh", () => {
    expect(shellcheck(REDIS_START, "sh")).toEqual([]);
  });

  it("writes the password and announced hostname to the include file and starts redis-server without them", () => {
    const { dir, bin, stub } = sandbox();
    stub("redis-server", `echo "ARGS $*" > ${dir}/args; env > ${dir}/env`);
    const run = join(dir, "run");
    mkdirSync(run);
    const script = REDIS_START.replace("/run/redis/runtime.conf", join(run, "runtime.conf"));
    const r = spawnSync("sh", ["-c", script], {
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        REDIS_PASSWORD: "pw-Secret-2",
        POD_NAME: "gamedb-redis-4",
        HEADLESS_DOMAIN: "gamedb-redis-headless.gamedb.svc.cluster.local",
      },
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(readFileSync(join(run, "runtime.conf"), "utf8")).toBe(
      "requirepass pw-Secret-2\nmasterauth pw-Secret-2\ncluster-announce-hostname gamedb-redis-4.gamedb-redis-headless.gamedb.svc.cluster.local\n",
    );
    expect(readFileSync(join(dir, "args"), "utf8").trim()).toBe("ARGS /etc/redis/redis.conf");
    expect(readFileSync(join(dir, "env"), "utf8")).not.toContain("pw-Secret-2");
  });
});
