/**
 * The command text that runs an AdminAPI script on a host (infra/mysql/remoteScript.ts), run for real: the step's
 * text under bash, with the real runner (bin/gamedb-step) and launcher (lib/adminapi.sh, lib/install-mycnf.sh) from
 * this checkout's toolkit installed as `current` under a temp toolkit root, and sudo, mysqlsh, systemctl, cmp,
 * install and mysql replaced by stand-ins. mysqlsh gets exactly the entry's script, the params and the secrets from
 * stdin (mode 0600, removed after), the my.cnf is installed and mysqld restarted only when it must be, the text passes
 * shellcheck and refuses a file that would end its heredoc.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMINAPI_SCRIPTS, AdminApiScriptName, adminApiScript } from "../../infra/mysql/adminapi";
import { adminApiCommand } from "../../infra/mysql/remoteScript";
import { configureSecrets } from "../../infra/mysql/memberTls";
import { FILE_END, PARAMS_END, TOOLKIT_ROOT, stepCommand } from "../../infra/contracts/toolkit";
import { currentToolkit, toolkitDirectory } from "../../infra/toolkit/build";
import { shellcheck } from "../helpers/shellcheck";
import { stepOf } from "../helpers/toolkit";

const MYCNF = "[mysqld]\nserver_id = 1001\nreport_host = 10.0.0.1\n";
/** The member's TLS files among the configure step's secrets (stand-in PEMs). */
const pem = (kind: string, body: string) => `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`;
const CONFIGURE_SECRETS = configureSecrets("s3cr3t", {
  caPem: pem("CERTIFICATE", "Q0E+/="),
  certPem: pem("CERTIFICATE", "Q0VSVA=="),
  keyPem: pem("EC PRIVATE KEY", "S0VZLXNlY3JldC1rZXk="),
});
const TLS = {
  tlsCaPem: CONFIGURE_SECRETS.tlsCaPem,
  tlsCertPem: CONFIGURE_SECRETS.tlsCertPem,
  tlsKeyPem: CONFIGURE_SECRETS.tlsKeyPem,
};
/** The stdin of a configure step as the program writes it: the admin password and the TLS files. */
const CONFIGURE_STDIN = JSON.stringify(CONFIGURE_SECRETS);

/** A toolkit root holding this checkout's toolkit as `<root>/<version>` and `current`, built once. */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "gamedb-remote-toolkit-"));
  const toolkit = currentToolkit();
  expect(toolkitDirectory(toolkit, root)).toBe(join(root, toolkit.version));
  symlinkSync(toolkit.version, join(root, "current"));
});

/** The command text of one script with plain params (and the my.cnf configure needs). */
function commandOf(name: AdminApiScriptName, params: Record<string, unknown> = {}, note?: string): string {
  return adminApiCommand({ script: name, params, mycnf: name === "configure-instance" ? MYCNF : undefined, note });
}

/** Runs the real command text under bash, with sudo, mysqlsh and the system tools replaced by stand-ins. */
function runWithStandIns(
  text: string,
  stdin: string,
  tools: { cmp: number; active: number; mysql: [number, string]; reload?: number } = {
    cmp: 0,
    active: 0,
    mysql: [0, "ONLINE"],
  },
) {
  const dir = mkdtempSync(join(tmpdir(), "gamedb-remote-"));
  const bin = join(dir, "bin");
  const secrets = join(dir, "shm");
  for (const d of [bin, secrets]) mkdirSync(d);
  const mycnfPath = join(dir, "gamedb.cnf");
  const stub = (name: string, body: string) => writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  stub("sudo", '[ "$1" = "-n" ] && shift\nexec "$@"');
  stub(
    "mysqlsh",
    [
      `echo mysqlsh "$@" >> ${dir}/calls`,
      'while [ "$1" != "-f" ]; do shift; done',
      `cp "$2" ${dir}/script.js; cp "$3" ${dir}/params.json; cp "$4" ${dir}/secrets.json`,
      `ls -l "$4" | cut -c1-10 > ${dir}/mode`,
    ].join("\n"),
  );
  stub("cmp", `exit ${tools.cmp}`);
  // install -m MODE -o OWNER -g GROUP SRC DEST: SRC is the 7th argument (install -d only logs).
  stub(
    "install",
    [
      `echo install "$@" >> ${dir}/calls`,
      '[ "$1" = -d ] && exit 0',
      `mkdir -p ${dir}/installed && cp "$7" ${dir}/installed/$(basename "$8")`,
      `case "$8" in *.cnf) cp "$7" ${dir}/installed.cnf ;; esac`,
    ].join("\n"),
  );
  stub(
    "mysql",
    [
      `case "$*" in *"RELOAD TLS"*) echo mysql "$@" >> ${dir}/calls; exit ${tools.reload ?? 0} ;; esac`,
      `printf '%s' '${tools.mysql[1]}'`,
      `exit ${tools.mysql[0]}`,
    ].join("\n"),
  );
  stub("systemctl", `echo systemctl "$@" >> ${dir}/calls\n[ "$1" = is-active ] && exit ${tools.active}\nexit 0`);
  const run = spawnSync("bash", ["--norc", "--noprofile", "-c", text.split(TOOLKIT_ROOT).join(root)], {
    input: stdin,
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: dir,
      GAMEDB_TOOLKIT_ROOT: root,
      GAMEDB_LOCK: join(dir, "lock"),
      GAMEDB_SECRET_DIR: secrets,
      GAMEDB_MYCNF_PATH: mycnfPath,
      GAMEDB_TLS_DIR: "/etc/mysql/gamedb-tls",
    },
    encoding: "utf8",
  });
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : "");
  return { run, read, calls: read("calls"), secretDir: () => readdirSync(secrets), mycnfPath };
}

describe("adminApiCommand", () => {
  it.each(ADMINAPI_SCRIPTS)("%s: the command text passes shellcheck", (name) => {
    const text = commandOf(
      name,
      { clusterName: "shard1", self: "10.0.0.1:3306" },
      name === "converge-cluster" ? "converge requested 2026-11-25T12:00:00Z" : undefined,
    );
    expect(shellcheck(text)).toEqual([]);
  });

  it.each(ADMINAPI_SCRIPTS)(
    "%s: runs mysqlsh as root on exactly the entry's script, the params and the secrets from stdin",
    (name) => {
      const params = { seed: "10.0.0.1:3306", quote: 'it\'s $x `y` \\ "z"', nested: { list: [1, "two"] } };
      const text = commandOf(name, params);
      const secrets = name === "configure-instance" ? CONFIGURE_STDIN : '{"clusterAdminPassword":"s3cr3t"}';
      const { run, read, calls, secretDir } = runWithStandIns(text, secrets);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      // The script mysqlsh runs is the entry's files joined as adminApiScript joins them, byte for byte.
      expect(read("script.js")).toBe(adminApiScript(name));
      expect(read("script.js")).toBe(stepOf(text).script);
      expect(read("params.json")).toBe(`${JSON.stringify(params)}\n`);
      expect(JSON.parse(read("params.json"))).toEqual(params);
      expect(read("secrets.json")).toBe(secrets);
      expect(read("mode").trim()).toBe("-rw-------");
      expect(calls).toMatch(/^mysqlsh --js --no-wizard -f \S+\/script\.js \S+\/params\.json \S+\/secrets\.json\n/m);
      // The private directory with the secrets is removed on exit.
      expect(secretDir()).toEqual([]);
      expect(text).not.toContain("s3cr3t");
      // Neither the command text nor any command line the step ran carries the TLS key.
      for (const said of [text, calls, run.stdout, run.stderr]) expect(said).not.toContain("S0VZLXNlY3JldC1rZXk=");
      if (name !== "configure-instance") expect(calls).not.toMatch(/^(install|systemctl)/m);
    },
  );

  it("carries params holding the heredoc delimiters, newlines and quotes unchanged (JSON keeps them on one line)", () => {
    const params = { odd: `a\n${PARAMS_END}\n${FILE_END}\n'"$(reboot)` };
    const text = commandOf("join-member", params);
    expect(text.split("\n").filter((l) => l === PARAMS_END)).toHaveLength(1);
    const { run, read } = runWithStandIns(text, "{}");
    expect(run.status).toBe(0);
    expect(JSON.parse(read("params.json"))).toEqual(params);
  });

  it("configure: installs a changed my.cnf byte for byte and starts a stopped mysqld", () => {
    const text = commandOf("configure-instance", { self: "10.0.0.1:3306" });
    const { run, read, calls, mycnfPath } = runWithStandIns(text, CONFIGURE_STDIN, {
      cmp: 1,
      active: 3,
      mysql: [1, ""],
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(calls).toMatch(new RegExp(`^install -m 0644 -o root -g root \\S+/gamedb\\.cnf ${mycnfPath}$`, "m"));
    expect(read("installed.cnf")).toBe(MYCNF);
    expect(calls).toContain("systemctl restart mysql");
    // mysqld is (re)started before the script runs.
    expect(calls.indexOf("systemctl restart mysql")).toBeLessThan(calls.indexOf("mysqlsh"));
    expect(read("script.js")).toBe(adminApiScript("configure-instance"));
  });

  it.each([
    ["an ONLINE member keeps running", [0, "ONLINE"], 0, false],
    ["a RECOVERING member keeps running", [0, "RECOVERING"], 0, false],
    ["an OFFLINE member is restarted", [0, "OFFLINE"], 0, true],
    ["a running mysqld outside any group is restarted", [0, ""], 0, true],
    ["an unreadable member state stops the command without a restart", [1, ""], 1, false],
  ] as const)("my.cnf changed: %s", (_what, mysql, status, restarted) => {
    const text = commandOf("configure-instance");
    const { run, calls } = runWithStandIns(text, CONFIGURE_STDIN, { cmp: 1, active: 0, mysql: [mysql[0], mysql[1]] });
    expect(run.status).toBe(status);
    expect(calls.includes("systemctl restart mysql")).toBe(restarted);
    // A stopped command runs no script.
    expect(calls.includes("mysqlsh")).toBe(status === 0);
  });

  it("leaves an unchanged my.cnf and TLS files alone, but has a running mysqld reload TLS (a failed reload is retried)", () => {
    const text = commandOf("configure-instance");
    const { run, calls } = runWithStandIns(text, CONFIGURE_STDIN, { cmp: 0, active: 0, mysql: [0, "ONLINE"] });
    expect(run.status).toBe(0);
    expect(calls).toMatch(
      /^install -d -m 0750 -o mysql -g mysql \/etc\/mysql\/gamedb-tls\nsystemctl is-active --quiet mysql\nmysql -e SET GLOBAL [^\n]*ALTER INSTANCE RELOAD TLS\nmysqlsh [^\n]*\n$/,
    );
  });

  it("configure: installs the member's TLS files from stdin byte for byte, the key 0600, then reloads TLS", () => {
    const text = commandOf("configure-instance");
    const { run, read, calls } = runWithStandIns(text, CONFIGURE_STDIN, { cmp: 1, active: 0, mysql: [0, "ONLINE"] });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(read("installed/ca.pem")).toBe(TLS.tlsCaPem);
    expect(read("installed/server-cert.pem")).toBe(TLS.tlsCertPem);
    expect(read("installed/server-key.pem")).toBe(TLS.tlsKeyPem);
    expect(calls).toMatch(
      /^install -m 0600 -o mysql -g mysql \S+\/server-key\.pem \/etc\/mysql\/gamedb-tls\/server-key\.pem$/m,
    );
    expect(calls).toMatch(/^install -m 0644 -o mysql -g mysql \S+\/ca\.pem \/etc\/mysql\/gamedb-tls\/ca\.pem$/m);
    const reload =
      "mysql -e SET GLOBAL ssl_ca = '/etc/mysql/gamedb-tls/ca.pem', ssl_cert = '/etc/mysql/gamedb-tls/server-cert.pem', " +
      "ssl_key = '/etc/mysql/gamedb-tls/server-key.pem'; ALTER INSTANCE RELOAD TLS";
    expect(calls.split("\n")).toContain(reload);
    // TLS files first (my.cnf names them), then my.cnf, then the script.
    expect(calls.indexOf(reload)).toBeLessThan(calls.indexOf("gamedb.cnf"));
    expect(calls.indexOf("gamedb.cnf")).toBeLessThan(calls.indexOf("mysqlsh"));
  });

  it("configure: a stopped mysqld gets the TLS files without a reload (it reads them when my.cnf starts it)", () => {
    const { run, calls } = runWithStandIns(commandOf("configure-instance"), CONFIGURE_STDIN, {
      cmp: 1,
      active: 3,
      mysql: [1, ""],
    });
    expect(run.status).toBe(0);
    expect(calls).toContain("server-key.pem");
    expect(calls).not.toContain("RELOAD TLS");
  });

  it.each(["tlsCaPem", "tlsCertPem", "tlsKeyPem"])("configure: stops, naming secrets.%s, when it is missing", (key) => {
    const stdin = JSON.stringify({ clusterAdminPassword: "s3cr3t", ...TLS, [key]: undefined });
    const { run, calls } = runWithStandIns(commandOf("configure-instance"), stdin, {
      cmp: 1,
      active: 0,
      mysql: [0, ""],
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`gamedb: secrets.${key} is missing or not one PEM text`);
    expect(calls).not.toContain("mysqlsh");
    expect(calls).not.toContain("gamedb.cnf");
  });

  it("configure: a TLS value with another JSON escape than \\n is refused, not unescaped", () => {
    const stdin = JSON.stringify({ clusterAdminPassword: "s3cr3t", ...TLS, tlsCertPem: pem("CERTIFICATE", 'a"b') });
    const { run } = runWithStandIns(commandOf("configure-instance"), stdin, { cmp: 1, active: 0, mysql: [0, ""] });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("secrets.tlsCertPem is missing or not one PEM text");
  });

  it("configure: a TLS reload mysqld refuses stops the step before my.cnf and the script", () => {
    const { run, calls } = runWithStandIns(commandOf("configure-instance"), CONFIGURE_STDIN, {
      cmp: 1,
      active: 0,
      mysql: [0, "ONLINE"],
      reload: 1,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("mysqld did not load the new TLS files in /etc/mysql/gamedb-tls");
    expect(calls).not.toContain("mysqlsh");
  });

  it("runs nothing when no installed toolkit version has the files the step names", () => {
    const { entry, params, file } = stepOf(commandOf("configure-instance"));
    const text = stepCommand({ entry, sha256: "0".repeat(64), params, file });
    const { run, calls } = runWithStandIns(text, "{}");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`no installed toolkit version under ${root} has entry ${entry} with hash`);
    expect(calls).toBe("");
  });

  it("takes a my.cnf with configure-instance only", () => {
    expect(() => adminApiCommand({ script: "join-member", params: {}, mycnf: MYCNF })).toThrow(
      "a my.cnf goes with configure-instance only (script join-member)",
    );
    expect(() => adminApiCommand({ script: "configure-instance", params: {} })).toThrow(
      "a my.cnf goes with configure-instance only (script configure-instance)",
    );
  });

  it("refuses a my.cnf with a line that would end its heredoc", () => {
    expect(() =>
      adminApiCommand({ script: "configure-instance", params: {}, mycnf: `[mysqld]\n${FILE_END}\nx = 1\n` }),
    ).toThrow(`step content has a line "${FILE_END}"; it would end its heredoc`);
  });

  it("carries a my.cnf with the params' delimiter as a line unchanged (the params' heredoc ended before it)", () => {
    const mycnf = `[mysqld]\n${PARAMS_END}\nx = 1\n`;
    const text = adminApiCommand({ script: "configure-instance", params: { self: "a" }, mycnf });
    const { run, read } = runWithStandIns(text, CONFIGURE_STDIN, { cmp: 1, active: 3, mysql: [1, ""] });
    expect(run.status).toBe(0);
    expect(read("installed.cnf")).toBe(mycnf);
    expect(JSON.parse(read("params.json"))).toEqual({ self: "a" });
  });
});
