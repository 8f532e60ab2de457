/**
 * The command text that runs an AdminAPI script on a host (infra/mysql/remoteScript.ts): it passes shellcheck, it
 * carries the script and params byte for byte, secrets come only from stdin, and it refuses content that would end
 * its heredocs early.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

  it("writes the script, params, my.cnf and stdin to files exactly, and runs mysqlsh on them as root", () => {
    // Run the real text under bash with sudo and mysqlsh replaced by stand-ins that copy what they are given.
    const dir = mkdtempSync(join(tmpdir(), "gamedb-remote-"));
    const bin = join(dir, "bin");
    spawnSync("mkdir", ["-p", bin]);
    writeFileSync(join(bin, "sudo"), '#!/bin/sh\n[ "$1" = "-n" ] && shift\nexec "$@"\n', { mode: 0o755 });
    writeFileSync(
      join(bin, "mysqlsh"),
      `#!/bin/sh\nwhile [ "$1" != "-f" ]; do shift; done\ncp "$2" ${dir}/script.js; cp "$3" ${dir}/params.json; cp "$4" ${dir}/secrets.json\nls -l "$4" | cut -c1-10 > ${dir}/mode\n`,
      { mode: 0o755 },
    );
    // cmp reports "differs" (1); the others succeed, and mysql prints no member state (not ONLINE).
    for (const [tool, rc] of [
      ["cmp", 1],
      ["install", 0],
      ["mysql", 0],
      ["systemctl", 0],
    ] as const)
      writeFileSync(join(bin, tool), `#!/bin/sh\necho ${tool} "$@" >> ${dir}/calls\nexit ${rc}\n`, { mode: 0o755 });
    const script = "println(\"a $HOME `x` \\\\ 'q'\");\n";
    const params = { seed: "10.0.0.1:3306", quote: "it's $x" };
    const text = adminApiCommand({ script, params, mycnf: MYCNF });
    const secrets = '{"clusterAdminPassword":"s3cr3t"}';
    const run = spawnSync("bash", ["--norc", "--noprofile", "-c", text], {
      input: secrets,
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir },
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, "script.js"), "utf8")).toBe(script);
    expect(JSON.parse(readFileSync(join(dir, "params.json"), "utf8"))).toEqual(params);
    expect(readFileSync(join(dir, "secrets.json"), "utf8")).toBe(secrets);
    expect(readFileSync(join(dir, "mode"), "utf8").trim()).toBe("-rw-------");
    // cmp said "differs" (exit 1), so the my.cnf is installed and, not being ONLINE, mysqld restarted.
    expect(readFileSync(join(dir, "calls"), "utf8")).toContain("systemctl restart mysql");
    expect(text).not.toContain("s3cr3t");
  });

  it("refuses content with a line that would end its heredoc", () => {
    expect(() => adminApiCommand({ script: `x\n${HEREDOC_END}\ny`, params: {} })).toThrow(/would end the heredoc/);
  });
});
