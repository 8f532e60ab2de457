/**
 * The backup jobs' install step (infra/backup/host/installStep.ts): its command text, run for real through the
 * toolkit's runner and launcher (infra/toolkit/host/backup-install.sh) from a built toolkit directory, with stand-ins
 * for sudo, systemctl, aws and snap (tests/helpers/backupInstall.ts). The scripts themselves: backup-host.test.ts.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { stepCommand } from "../../infra/contracts/toolkit";
import { backupUnits } from "../../infra/backup/host/units";
import { backupInstallCommand } from "../../infra/backup/host/installStep";
import { CREDENTIALS_PATH, backupHostFiles, hostBackupEnv } from "../../infra/backup/hostJobs";
import { currentToolkit, entryFiles } from "../../infra/toolkit/build";
import { BACKUP_ENTRY } from "../../infra/toolkit/sources";
import { freshRoot, runBackupInstall } from "../helpers/backupInstall";
import { toolkitWith } from "../helpers/toolkitHost";
import { shellcheck } from "../helpers/shellcheck";

const HOST_DIR = join(__dirname, "../../infra/backup/host");
const SCRIPTS = {
  "/usr/local/sbin/gamedb-backup": readFileSync(join(HOST_DIR, "gamedb-backup.sh"), "utf8"),
  "/usr/local/sbin/gamedb-binlog-ship": readFileSync(join(HOST_DIR, "gamedb-binlog-ship.sh"), "utf8"),
  "/usr/local/sbin/gamedb-alert": readFileSync(join(HOST_DIR, "gamedb-alert.sh"), "utf8"),
};
const LAUNCHER = readFileSync(join(__dirname, "../../infra/toolkit/host/backup-install.sh"), "utf8");

const units = backupUnits({ shardKey: "shard3", fullSchedule: "daily", binlogShipMinutes: 5 });
/** A prod host's files; `staticHost` names the credentials file in backup.env and MySQL Shell's config. */
const hostFiles = (staticHost = false, u = units) =>
  backupHostFiles(
    u,
    hostBackupEnv(
      { environment: "prod", shardKey: "shard3", region: "eu-west-1", staticHost },
      {
        bucket: "gamedb-prod-backups-123456789012",
        alertTopicArn: "arn:aws:sns:eu-west-1:123456789012:gamedb-prod-alerts",
        address: "10.0.3.11",
      },
    ),
  );
const mode = (path: string) => spawnSync("stat", ["-c", "%a", path], { encoding: "utf8" }).stdout.trim();

describe("shellcheck", () => {
  it("the launcher and the step's command text", () => {
    expect(shellcheck(LAUNCHER)).toEqual([]);
    expect(shellcheck(backupInstallCommand(hostFiles(true), { stdinTo: CREDENTIALS_PATH }))).toEqual([]);
  });
});

describe("the step's command text", () => {
  it("stays small: the scripts are in the toolkit, only this host's files are in the text", () => {
    const text = backupInstallCommand(hostFiles(true), { stdinTo: CREDENTIALS_PATH });
    // Was about 26 KB per host with the scripts inline.
    expect(JSON.stringify(text).length).toBeLessThan(3000);
    for (const script of Object.values(SCRIPTS)) expect(text).not.toContain(script.split("\n")[1]);
    expect(text).toMatch(/^exec bash \/opt\/gamedb\/toolkit\/current\/bin\/gamedb-step backup\/install [0-9a-f]{64} /m);
  });

  it("changes with the entry's launcher and scripts and this host's files, not with the rest of the toolkit", () => {
    const files = currentToolkit().files;
    const withFile = (path: string) => toolkitWith({ [path]: `${files.get(path)!.text}# changed\n` });
    const text = (toolkit = currentToolkit(), host = hostFiles()) => backupInstallCommand(host, {}, toolkit);
    const base = text();
    const adminapi = [...files.keys()].find((p) => p.startsWith("adminapi/"))!;
    expect(text(withFile(adminapi))).toBe(base);
    expect(text(withFile("lib/bootstrap.sh"))).toBe(base);
    expect(text(withFile("lib/backup-install.sh"))).not.toBe(base);
    expect(text(withFile("backup/gamedb-alert.sh"))).not.toBe(base);
    const schedule = backupUnits({ shardKey: "shard3", fullSchedule: "daily", binlogShipMinutes: 10 });
    expect(text(undefined, hostFiles(false, schedule))).not.toBe(base);
  });

  it("refuses a stdin path that is not absolute", () => {
    expect(() => backupInstallCommand(units, { stdinTo: "relative/path" })).toThrow(/path "relative\/path" must/);
  });
});

describe("the step on a host", () => {
  it("writes the scripts and files byte for byte, only when they differ, and enables the timers", () => {
    const root = freshRoot();
    const files = hostFiles();
    const text = backupInstallCommand(files);

    const first = runBackupInstall(text, root);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    for (const [path, content] of Object.entries(SCRIPTS)) {
      expect(readFileSync(join(root, path), "utf8")).toBe(content);
      expect(mode(join(root, path))).toBe("755");
    }
    for (const [path, content] of Object.entries(files)) {
      expect(readFileSync(join(root, path), "utf8")).toBe(content);
      expect(mode(join(root, path))).toBe("644");
    }
    expect(first.systemctl).toBe(
      "systemctl daemon-reload\nsystemctl enable --now gamedb-backup.timer gamedb-binlog-ship.timer\n",
    );
    expect(first.stdout.match(/gamedb: wrote /g)).toHaveLength(10);
    // The launcher's temporary directory is gone.
    expect(readdirSync(root).sort()).toEqual(["etc", "usr"]);

    const second = runBackupInstall(text, root);
    expect(second.status).toBe(0);
    expect(second.stdout).not.toContain("gamedb: wrote");
    expect(second.systemctl).toBe("systemctl enable --now gamedb-backup.timer gamedb-binlog-ship.timer\n");

    const changed = backupUnits({ shardKey: "shard3", fullSchedule: "daily", binlogShipMinutes: 10 });
    const third = runBackupInstall(backupInstallCommand(hostFiles(false, changed)), root);
    expect(third.status).toBe(0);
    expect(third.stdout.match(/gamedb: wrote (.*)/g)).toEqual([
      "gamedb: wrote /etc/systemd/system/gamedb-binlog-ship.timer",
    ]);
    expect(third.systemctl).toContain("daemon-reload");
  });

  it("never touches mysqld: the launcher only installs files, links aws and enables the timers", () => {
    const code = LAUNCHER.split("\n").filter((line) => !/^\s*#/.test(line));
    expect(code.join("\n")).not.toMatch(/restart|mysql|stop /);
    const systemctl = code.filter((line) => line.includes("systemctl"));
    expect(systemctl.map((l) => l.trim())).toEqual([
      "sudo -n systemctl daemon-reload",
      'sudo -n systemctl enable --now "${timers[@]}"',
    ]);
  });

  it("installs the AWS CLI from its snap when systemd's PATH has no aws, and fails with a message without snap", () => {
    const text = backupInstallCommand(units);

    const noSnap = runBackupInstall(text, freshRoot(), { aws: false });
    expect(noSnap.status).not.toBe(0);
    expect(noSnap.stderr).toContain("the AWS CLI v2 is missing and snap is not available");

    const root = freshRoot();
    const withSnap = runBackupInstall(text, root, { aws: false, snap: true });
    expect(withSnap.stderr).toBe("");
    expect(withSnap.status).toBe(0);
    expect(withSnap.snap).toBe("snap install aws-cli --classic\n");
    expect(readlinkSync(join(root, "usr/local/bin/aws"))).toBe("/snap/bin/aws");

    // The snap already there (an SSH session would find /snap/bin/aws; systemd would not): only the link.
    const linkOnly = runBackupInstall(text, root, { aws: false, snap: true });
    expect(linkOnly.status).toBe(0);
    expect(linkOnly.snap).toBe("");
    expect(linkOnly.stdout).toContain("gamedb: linked /usr/local/bin/aws to the aws-cli snap");

    const present = runBackupInstall(text, freshRoot(), { aws: true, snap: true });
    expect(present.status).toBe(0);
    expect(present.stdout).not.toContain("linked");
  });

  it("with stdinTo, installs stdin as a 0600 file that never appears in the command text", () => {
    const root = freshRoot();
    const secret = "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s3cr3t/value\n";
    const text = backupInstallCommand(hostFiles(true), { stdinTo: CREDENTIALS_PATH });
    expect(text).not.toContain("s3cr3t");
    const first = runBackupInstall(text, root, { input: secret });
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const path = join(root, CREDENTIALS_PATH);
    expect(readFileSync(path, "utf8")).toBe(secret);
    expect(mode(path)).toBe("600");
    expect(first.stdout).not.toContain("s3cr3t");
    expect(runBackupInstall(text, root, { input: secret }).stdout).toContain(`gamedb: ${CREDENTIALS_PATH} unchanged`);

    const empty = runBackupInstall(text, freshRoot(), { input: "" });
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toContain("expected the file on stdin");
    expect(empty.stdout).not.toContain("gamedb: wrote");
  });

  it("writes contents that look like shell, headers or heredoc ends byte for byte", () => {
    const tricky: Record<string, string> = {
      "/etc/gamedb/a.conf": "x\nGAMEDB_PUTX /etc/y 0644\n  GAMEDB_PUT /etc/z 0644\nGAMEDB_UNIT_EOF\ny\n",
      "/etc/gamedb/b.conf": "back\\slash \\n $HOME `id` 'q' \"d\"\r\n\n\n\ttab  \n",
      "/etc/gamedb/empty": "",
      "/etc/gamedb/no-newline": "last line",
    };
    const root = freshRoot();
    const run = runBackupInstall(backupInstallCommand(tricky), root);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    for (const [path, content] of Object.entries(tricky))
      expect(readFileSync(join(root, path), "utf8")).toBe(path.endsWith("no-newline") ? `${content}\n` : content);
    // No timer among the files: nothing to enable.
    expect(run.systemctl).toBe("systemctl daemon-reload\n");
  });

  it.each([
    ["a path with ..", "GAMEDB_PUT /etc/../x 0644\nx\n", "bad header 'GAMEDB_PUT /etc/../x 0644'"],
    ["a relative path", "GAMEDB_PUT etc/x 0644\n", "bad header"],
    ["a bad mode", "GAMEDB_PUT /etc/x 644\n", "bad header"],
    ["an extra field", "GAMEDB_PUT /etc/x 0644 y\n", "bad header"],
    ["two spaces", "GAMEDB_PUT  /etc/x 0644\n", "bad header"],
    ["a bare header", "GAMEDB_STDIN\n", "bad header"],
    ["content before a header", "x\nGAMEDB_PUT /etc/x 0644\n", "a content line outside a GAMEDB_PUT file: 'x'"],
    ["content of the stdin file", "GAMEDB_STDIN /etc/x 0600\nx\n", "a content line outside a GAMEDB_PUT file"],
    ["a path twice", "GAMEDB_PUT /etc/x 0644\nGAMEDB_PUT /etc/x 0644\n", "/etc/x is given twice"],
    ["two stdin files", "GAMEDB_STDIN /etc/x 0600\nGAMEDB_STDIN /etc/y 0600\n", "only one file can come on stdin"],
  ])("the launcher refuses a bundle with %s, writing nothing", (_what, bundle, message) => {
    const text = stepCommand({
      entry: BACKUP_ENTRY,
      sha256: entryFiles(currentToolkit(), BACKUP_ENTRY).sha256,
      file: bundle,
    });
    const root = freshRoot();
    const run = runBackupInstall(text, root, { input: "secret\n" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`gamedb: file bundle: ${message}`);
    expect(readdirSync(root)).toEqual([]);
  });

  it("the launcher refuses a step without a bundle", () => {
    const text = stepCommand({ entry: BACKUP_ENTRY, sha256: entryFiles(currentToolkit(), BACKUP_ENTRY).sha256 });
    const run = runBackupInstall(text, freshRoot());
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("gamedb: the backup install step carries no file bundle (fd 4)");
  });
});
