/**
 * The command text that runs an AdminAPI script on a host (infra/mysql/remoteScript.ts): it passes shellcheck, it
 * carries the script and params byte for byte, secrets come only from stdin, and it refuses content that would end
 * its heredocs early.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMINAPI_SCRIPTS, adminApiScript } from "../../infra/mysql/adminapi";
import { HEREDOC_END, adminApiCommand } from "../../infra/mysql/remoteScript";
import { shellcheck } from "../helpers/shellcheck";

const MYCNF = "[mysqld]\nserver_id = 1001\nreport_host = 10.0.0.1\n";

describe("adminApiCommand", () => {
  it.each(ADMINAPI_SCRIPTS)("%s: the command text passes shellcheck", (name) => {
    const text = adminApiCommand({
      script: adminApiScript(name),
      params: { clusterName: "shard1", self: "10.0.0.1:3306" },
      mycnf: name === "configure-instance" ? MYCNF : undefined,
      note: name === "converge-cluster" ? "converge requested 2026-11-25T12:00:00Z" : undefined,
    });
    expect(shellcheck(text)).toEqual([]);
  });

  /** Runs the real command text under bash, with sudo, mysqlsh and the system tools replaced by stand-ins. */
  function runWithStandIns(
    text: string,
    stdin: string,
    tools: { cmp: number; active: number; mysql: [number, string] },
  ) {
    const dir = mkdtempSync(join(tmpdir(), "gamedb-remote-"));
    const bin = join(dir, "bin");
    mkdirSync(bin);
    const stub = (name: string, body: string) =>
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    stub("sudo", '[ "$1" = "-n" ] && shift\nexec "$@"');
    stub(
      "mysqlsh",
      `while [ "$1" != "-f" ]; do shift; done\ncp "$2" ${dir}/script.js; cp "$3" ${dir}/params.json; cp "$4" ${dir}/secrets.json\nls -l "$4" | cut -c1-10 > ${dir}/mode`,
    );
    stub("cmp", `exit ${tools.cmp}`);
    stub("install", `echo install "$@" >> ${dir}/calls`);
    stub("mysql", `printf '%s' '${tools.mysql[1]}'\nexit ${tools.mysql[0]}`);
    stub("systemctl", `echo systemctl "$@" >> ${dir}/calls\n[ "$1" = is-active ] && exit ${tools.active}\nexit 0`);
    const run = spawnSync("bash", ["--norc", "--noprofile", "-c", text], {
      input: stdin,
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir },
      encoding: "utf8",
    });
    const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : "");
    return { run, read, calls: read("calls") };
  }

  it("writes the script, params, my.cnf and stdin to files exactly, and runs mysqlsh on them as root", () => {
    const script = "println(\"a $HOME `x` \\\\ 'q'\");\n";
    const params = { seed: "10.0.0.1:3306", quote: "it's $x" };
    const text = adminApiCommand({ script, params, mycnf: MYCNF });
    const secrets = '{"clusterAdminPassword":"s3cr3t"}';
    const { run, read, calls } = runWithStandIns(text, secrets, { cmp: 1, active: 3, mysql: [1, ""] });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(read("script.js")).toBe(script);
    expect(JSON.parse(read("params.json"))).toEqual(params);
    expect(read("secrets.json")).toBe(secrets);
    expect(read("mode").trim()).toBe("-rw-------");
    // my.cnf differs and mysqld is stopped: install it and start mysqld.
    expect(calls).toContain(`install -m 0644 -o root -g root`);
    expect(calls).toContain("systemctl restart mysql");
    expect(text).not.toContain("s3cr3t");
  });

  it.each([
    ["an ONLINE member keeps running", [0, "ONLINE"], 0, false],
    ["a RECOVERING member keeps running", [0, "RECOVERING"], 0, false],
    ["an OFFLINE member is restarted", [0, "OFFLINE"], 0, true],
    ["a running mysqld outside any group is restarted", [0, ""], 0, true],
    ["an unreadable member state stops the command without a restart", [1, ""], 1, false],
  ] as const)("my.cnf changed: %s", (_what, mysql, status, restarted) => {
    const text = adminApiCommand({ script: "x", params: {}, mycnf: MYCNF });
    const { run, calls } = runWithStandIns(text, "{}", { cmp: 1, active: 0, mysql: [mysql[0], mysql[1]] });
    expect(run.status).toBe(status);
    expect(calls.includes("systemctl restart mysql")).toBe(restarted);
  });

  it("leaves an unchanged my.cnf and a running mysqld alone", () => {
    const text = adminApiCommand({ script: "x", params: {}, mycnf: MYCNF });
    const { run, calls } = runWithStandIns(text, "{}", { cmp: 0, active: 0, mysql: [0, "ONLINE"] });
    expect(run.status).toBe(0);
    expect(calls).toBe("");
  });

  it("refuses content with a line that would end its heredoc", () => {
    expect(() => adminApiCommand({ script: `x\n${HEREDOC_END}\ny`, params: {} })).toThrow(/would end the heredoc/);
  });
});
