/**
 * The systemd units that run the backup jobs on every shard host. Pure. The scripts ship in the host toolkit
 * (infra/toolkit/sources.ts); installStep.ts writes the command that installs them and these units.
 *
 *   gamedb-backup.timer        -> gamedb-backup.service        -> /usr/local/sbin/gamedb-backup (full dump)
 *   gamedb-binlog-ship.timer   -> gamedb-binlog-ship.service   -> /usr/local/sbin/gamedb-binlog-ship
 *   either service failing     -> gamedb-alert@<unit>.service  -> /usr/local/sbin/gamedb-alert (SNS alert topic)
 *
 * Both jobs run on every member; the scripts decide on the host which member dumps (gamedb-backup.sh).
 */
/** Where the toolkit's launcher installs gamedb-backup.sh, gamedb-binlog-ship.sh and gamedb-alert.sh. */
export const BACKUP_SCRIPT_PATH = "/usr/local/sbin/gamedb-backup";
export const BINLOG_SHIP_SCRIPT_PATH = "/usr/local/sbin/gamedb-binlog-ship";
export const ALERT_SCRIPT_PATH = "/usr/local/sbin/gamedb-alert";
const UNIT_DIR = "/etc/systemd/system";

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

/** The unit files, by absolute path. The launcher runs `systemctl enable --now` on the .timer units among them. */
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
