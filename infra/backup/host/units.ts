/**
 * The systemd units that run the backup jobs on every shard host, and the command text that installs them with
 * the two scripts. Pure (apart from reading the two scripts, which ship next to this file).
 *
 *   gamedb-backup.timer        -> gamedb-backup.service        -> /usr/local/sbin/gamedb-backup (full dump)
 *   gamedb-binlog-ship.timer   -> gamedb-binlog-ship.service   -> /usr/local/sbin/gamedb-binlog-ship
 *   either service failing     -> gamedb-alert@<unit>.service  -> /usr/local/sbin/gamedb-alert (SNS alert topic)
 *
 * Both jobs run on every member; the scripts decide on the host which member dumps (gamedb-backup.sh).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { shellQuote } from "../../shell";

/** The full-backup script, installed as /usr/local/sbin/gamedb-backup. */
export const BACKUP_SCRIPT = readFileSync(join(__dirname, "gamedb-backup.sh"), "utf8");
/** The binlog shipping script, installed as /usr/local/sbin/gamedb-binlog-ship. */
export const BINLOG_SHIP_SCRIPT = readFileSync(join(__dirname, "gamedb-binlog-ship.sh"), "utf8");
/** The failure alert (OnFailure= of both jobs), installed as /usr/local/sbin/gamedb-alert. */
export const ALERT_SCRIPT = readFileSync(join(__dirname, "gamedb-alert.sh"), "utf8");

export const BACKUP_SCRIPT_PATH = "/usr/local/sbin/gamedb-backup";
export const BINLOG_SHIP_SCRIPT_PATH = "/usr/local/sbin/gamedb-binlog-ship";
export const ALERT_SCRIPT_PATH = "/usr/local/sbin/gamedb-alert";
const UNIT_DIR = "/etc/systemd/system";
export const TIMERS = ["gamedb-backup.timer", "gamedb-binlog-ship.timer"] as const;
/** systemd's default PATH for services: what the jobs will find. */
const SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface BackupUnitsInput {
  /** The shard key, e.g. "shard3" (used in the unit descriptions; the scripts read /etc/gamedb/backup.env). */
  readonly shardKey: string;
  /** When the full backup runs: a systemd OnCalendar= expression, e.g. "*-*-* 03:00:00". */
  readonly fullSchedule: string;
  /** Minutes between binlog shipping runs: the RPO bound. */
  readonly binlogShipMinutes: number;
}

const unit = (lines: string[]) => `${lines.join("\n")}\n`;

/** A job's oneshot service: after mysqld, alerting on failure and, after a good run, that it works again. */
function jobService(description: string, script: string, scheduling: string[]): string {
  return unit([
    "[Unit]",
    `Description=${description}`,
    "After=mysql.service network-online.target",
    "Wants=network-online.target",
    "OnFailure=gamedb-alert@%n.service",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${script}`,
    // "works again" if a failure was alerted; the leading "-" means it never fails the job.
    `ExecStartPost=-${ALERT_SCRIPT_PATH} --resolved %n`,
    ...scheduling,
  ]);
}

/** The unit files, by absolute path. */
export function backupUnits(input: BackupUnitsInput): Record<string, string> {
  const { shardKey, fullSchedule, binlogShipMinutes } = input;
  if (!/^[A-Za-z0-9_-]+$/.test(shardKey)) throw new Error(`backupUnits: bad shardKey "${shardKey}"`);
  if (fullSchedule.trim() === "" || /[\n\r]/.test(fullSchedule))
    throw new Error(`backupUnits: bad fullSchedule "${fullSchedule}"`);
  if (!Number.isInteger(binlogShipMinutes) || binlogShipMinutes < 1)
    throw new Error(`backupUnits: binlogShipMinutes must be a positive integer, got ${binlogShipMinutes}`);

  return {
    [`${UNIT_DIR}/gamedb-backup.service`]: jobService(
      `gamedb full backup of ${shardKey} (only the chosen member dumps)`,
      BACKUP_SCRIPT_PATH,
      ["Nice=19", "IOSchedulingClass=idle"],
    ),
    [`${UNIT_DIR}/gamedb-backup.timer`]: unit([
      "[Unit]",
      `Description=gamedb full backup of ${shardKey}`,
      "",
      "[Timer]",
      `OnCalendar=${fullSchedule}`,
      "Persistent=true",
      "RandomizedDelaySec=300",
      "",
      "[Install]",
      "WantedBy=timers.target",
    ]),
    [`${UNIT_DIR}/gamedb-binlog-ship.service`]: jobService(
      `gamedb binlog shipping of ${shardKey}`,
      BINLOG_SHIP_SCRIPT_PATH,
      ["Nice=10", "IOSchedulingClass=best-effort", "IOSchedulingPriority=7"],
    ),
    [`${UNIT_DIR}/gamedb-binlog-ship.timer`]: unit([
      "[Unit]",
      `Description=gamedb binlog shipping of ${shardKey} every ${binlogShipMinutes} min`,
      "",
      "[Timer]",
      "OnBootSec=2min",
      `OnUnitActiveSec=${binlogShipMinutes}min`,
      "",
      "[Install]",
      "WantedBy=timers.target",
    ]),
    // A template: systemd starts gamedb-alert@gamedb-backup.service.service when that job fails.
    [`${UNIT_DIR}/gamedb-alert@.service`]: unit([
      "[Unit]",
      `Description=gamedb alert: %i failed on ${shardKey}`,
      "After=network-online.target",
      "",
      "[Service]",
      "Type=oneshot",
      `ExecStart=${ALERT_SCRIPT_PATH} %i`,
    ]),
  };
}

/** A heredoc delimiter that no line of `content` equals. */
export function heredocDelimiter(content: string): string {
  const lines = new Set(content.split("\n"));
  let delimiter = "GAMEDB_UNIT_EOF";
  for (let i = 1; lines.has(delimiter); i++) delimiter = `GAMEDB_UNIT_EOF_${i}`;
  return delimiter;
}

export interface InstallOptions {
  /**
   * Write the command's stdin to this path (mode 0600, root), only when it differs. Static hosts receive their
   * AWS credentials file this way: a secret never appears in the command text.
   * @default none: the command reads no stdin
   */
  readonly stdinTo?: string;
}

/**
 * The bash command text (run over SSH as a user with passwordless sudo) that installs the three scripts (mode 0755)
 * and the unit files (0644), each only when its content differs from the file on the host, then runs
 * `systemctl daemon-reload` (when anything changed) and `systemctl enable --now` on the two timers. It never
 * touches mysqld. The jobs need the AWS CLI v2: when `aws` is missing it is installed from its snap (Ubuntu
 * 24.04 has no apt package for it) and linked into /usr/local/bin, which systemd services have on PATH. Content is carried in quoted heredocs, byte for byte (a missing final newline is added).
 * The target paths are prefixed with ${GAMEDB_ROOT:-}, which only tests set.
 */
export function installCommand(files: Record<string, string>, options: InstallOptions = {}): string {
  const all: Record<string, string> = {
    [BACKUP_SCRIPT_PATH]: BACKUP_SCRIPT,
    [BINLOG_SHIP_SCRIPT_PATH]: BINLOG_SHIP_SCRIPT,
    [ALERT_SCRIPT_PATH]: ALERT_SCRIPT,
    ...files,
  };
  const parts = [
    "set -euo pipefail",
    'root="${GAMEDB_ROOT:-}"',
    "changed=0",
    "d=$(mktemp -d)",
    "trap 'rm -rf \"$d\"' EXIT",
    // Read stdin before any other program can consume it.
    ...(options.stdinTo ? ["umask 077", 'cat > "$d/stdin"', "umask 022"] : []),
    "# put PATH MODE: installs $d/new as $root$PATH unless that file has the same content.",
    "put() {",
    '  if sudo -n cmp -s "$d/new" "$root$1"; then',
    '    echo "gamedb: $1 unchanged"',
    "  else",
    '    sudo -n install -D -m "$2" "$d/new" "$root$1"',
    '    echo "gamedb: wrote $1"',
    "    changed=1",
    "  fi",
    "}",
  ];
  for (const [path, content] of Object.entries(all)) {
    if (!/^\/[A-Za-z0-9._/@-]+$/.test(path)) throw new Error(`installCommand: bad path "${path}"`);
    const body = content.endsWith("\n") ? content : `${content}\n`;
    const delimiter = heredocDelimiter(body);
    const mode = path.startsWith("/usr/local/sbin/") ? "0755" : "0644";
    parts.push(`cat > "$d/new" <<'${delimiter}'\n${body}${delimiter}`, `put ${shellQuote(path)} ${mode}`);
  }
  if (options.stdinTo) {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(options.stdinTo)) throw new Error(`installCommand: bad path "${options.stdinTo}"`);
    parts.push(
      '[[ -s "$d/stdin" ]] || { echo "gamedb: expected the file on stdin" >&2; exit 1; }',
      'cp "$d/stdin" "$d/new"',
      `put ${shellQuote(options.stdinTo)} 0600`,
    );
  }
  parts.push(
    // The jobs run under systemd, whose PATH has no /snap/bin: look for aws there, and link the snap's binary
    // into /usr/local/bin whenever the snap is installed.
    `sys_path="\${GAMEDB_SYSTEMD_PATH:-${SYSTEMD_PATH}}"`,
    'if ! PATH="$sys_path" command -v aws >/dev/null; then',
    '  if [[ ! -x "$root/snap/bin/aws" ]]; then',
    "    command -v snap >/dev/null || { echo 'gamedb: the AWS CLI v2 is missing and snap is not available: install it and re-run' >&2; exit 1; }",
    "    sudo -n snap install aws-cli --classic",
    "  fi",
    '  sudo -n mkdir -p "$root/usr/local/bin"',
    '  sudo -n ln -sf /snap/bin/aws "$root/usr/local/bin/aws"',
    '  echo "gamedb: linked /usr/local/bin/aws to the aws-cli snap"',
    "fi",
    'if [[ "$changed" == 1 ]]; then',
    "  sudo -n systemctl daemon-reload",
    "fi",
    `sudo -n systemctl enable --now ${TIMERS.join(" ")}`,
  );
  return `${parts.join("\n")}\n`;
}
