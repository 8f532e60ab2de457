/**
 * gamedb-alert.sh, the OnFailure= alert of both backup jobs, under bash with stand-ins for journalctl and aws:
 * what it publishes to the alert topic, once per failure and once when the job works again.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HOST_DIR, bash } from "../helpers/backupHost";

describe("gamedb-alert.sh", () => {
  const ALERT_PATH = join(HOST_DIR, "gamedb-alert.sh");

  function alertHost(env: string) {
    const dir = mkdtempSync(join(tmpdir(), "gamedb-alert-"));
    const bin = join(dir, "bin");
    mkdirSync(bin);
    mkdirSync(join(dir, "etc/gamedb"), { recursive: true });
    writeFileSync(join(dir, "etc/gamedb/backup.env"), env);
    writeFileSync(join(bin, "journalctl"), '#!/bin/sh\necho "gamedb-backup: util.dumpInstance failed"\n', {
      mode: 0o755,
    });
    // aws stand-in: records its arguments and the message file's content.
    writeFileSync(
      join(bin, "aws"),
      `#!/bin/bash\nprintf '[%s]' "$@" > ${dir}/args\nfor a; do [[ $a == file://* ]] && cat "\${a#file://}" > ${dir}/message; done\nexit 0\n`,
      { mode: 0o755 },
    );
    const run = (...args: string[]) =>
      bash(`exec bash "$@"`, { bin, args: [ALERT_PATH, ...args], env: { GAMEDB_ROOT: dir, HOME: dir } });
    const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : "");
    const reset = () => rmSync(join(dir, "args"), { force: true });
    return { run, read, reset };
  }
  const ENV =
    "GAMEDB_ENVIRONMENT=prod\nGAMEDB_SHARD=shard3\nGAMEDB_REGION=eu-west-1\nGAMEDB_SELF=10.0.3.11:3306\n" +
    "GAMEDB_ALERT_TOPIC_ARN=arn:aws:sns:eu-west-1:123456789012:gamedb-prod-alerts\n";

  it("publishes the failed job, shard, member and its last log lines to the alert topic", () => {
    const h = alertHost(ENV);
    const run = h.run("gamedb-backup.service");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(h.read("args")).toBe(
      "[--region][eu-west-1][sns][publish][--topic-arn][arn:aws:sns:eu-west-1:123456789012:gamedb-prod-alerts]" +
        "[--subject][gamedb prod: gamedb-backup.service failed on shard3 (10.0.3.11:3306)]" +
        `[--message][${/\[--message\]\[(file:\/\/[^\]]+)\]/.exec(h.read("args"))![1]}]`,
    );
    const message = h.read("message");
    expect(message).toContain("Environment: prod\nShard: shard3\nMember: 10.0.3.11:3306");
    expect(message).toContain("Job: gamedb-backup.service");
    expect(message).toContain("gamedb-backup: util.dumpInstance failed");
  });

  it("alerts a failing job once, then once more when it works again", () => {
    const h = alertHost(ENV);
    expect(h.run("--resolved", "gamedb-binlog-ship.service").status).toBe(0);
    expect(h.read("args")).toBe(""); // a good run with nothing alerted sends nothing
    expect(h.run("gamedb-binlog-ship.service").status).toBe(0);
    expect(h.read("args")).toContain("[gamedb prod: gamedb-binlog-ship.service failed on shard3 (10.0.3.11:3306)]");
    h.reset();
    const again = h.run("gamedb-binlog-ship.service");
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("already alerted at");
    expect(h.read("args")).toBe("");
    const resolved = h.run("--resolved", "gamedb-binlog-ship.service");
    expect(resolved.status).toBe(0);
    expect(h.read("args")).toContain(
      "[gamedb prod: gamedb-binlog-ship.service works again on shard3 (10.0.3.11:3306)]",
    );
    expect(h.read("message")).toContain("The job works again; it first failed at ");
    h.reset();
    h.run("--resolved", "gamedb-binlog-ship.service");
    expect(h.read("args")).toBe("");
    // The next failure is news again.
    h.run("gamedb-binlog-ship.service");
    expect(h.read("args")).toContain("failed on shard3");
  });

  it("refuses a unit name it does not expect, and logs instead of publishing without a topic", () => {
    const h = alertHost(ENV);
    expect(h.run("sshd.service; rm -rf /").status).not.toBe(0);
    const noTopic = alertHost(ENV.replace(/GAMEDB_ALERT_TOPIC_ARN=.*\n/, ""));
    const run = noTopic.run("gamedb-binlog-ship.service");
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("no alert topic configured");
    expect(noTopic.read("args")).toBe("");
  });
});
