/**
 * The shell commands that carry out a restore plan, for a human to read and run: check the target, load the dump
 * with MySQL Shell, download the binlog files, check their sha256, replay them with mysqlbinlog | mysql, drop the
 * old cluster's metadata. Every value is quoted.
 */
import type { RestorePlan } from "./plan";
import { DROP_METADATA_JS, METADATA_SCHEMA, checkCommand, targetChecks } from "./target";
import { shellQuote } from "../../../infra/shell";
import {
  HOST_CREDENTIALS_PATH,
  MYSQLSH_AWS_CONFIG_PATH,
  MYSQLSH_AWS_PROFILE,
} from "../../../infra/backup/host/mysqlshAws";

export interface CommandOptions {
  stack: string;
  bucket: string;
  region?: string;
  endpoint?: string;
  /** util.loadDump threads. */
  threads?: number;
  /**
   * Commands for the target host itself (--execute): mysqlsh and mysql connect as root over the local socket (with
   * sudo), instead of leaving the connection to the reader. @default false
   */
  onTarget?: boolean;
}

/** The local server's socket (MySQL's APT packages). */
export const TARGET_SOCKET = "/var/run/mysqld/mysqld.sock";

export interface Step {
  title: string;
  comments: string[];
  /** One or more command lines. */
  commands: string[];
}

function mysqlsh(js: string, o: CommandOptions): string {
  return o.onTarget
    ? `sudo -n mysqlsh --js --no-wizard --socket=${TARGET_SOCKET} --user=root -e ${shellQuote(js)}`
    : `mysqlsh --js -e ${shellQuote(js)}`;
}

function checkStep(plan: RestorePlan, o: CommandOptions): Step {
  const replays = plan.binlogs.length > 0;
  return {
    title: `Check the target before loading anything: an empty instance${replays ? ", with gtid_mode=ON" : ""}.`,
    comments: [
      "Each line says why and fails when the target does not fit. Add your connection options to mysql.",
      ...(replays
        ? ["The replay sets GTID_NEXT for every transaction, which gtid_mode=OFF refuses (error 1781)."]
        : []),
    ],
    commands: targetChecks(replays).map((c) => checkCommand(c, o.onTarget ? "sudo -n mysql" : "mysql")),
  };
}

function loadDumpStep(plan: RestorePlan, o: CommandOptions): Step {
  const options = [
    `s3BucketName: ${JSON.stringify(o.bucket)}`,
    ...(o.region ? [`s3Region: ${JSON.stringify(o.region)}`] : []),
    ...(o.endpoint ? [`s3EndpointOverride: ${JSON.stringify(o.endpoint)}`] : []),
    `threads: ${o.threads ?? 8}`,
    // Without progressFile the loader writes load-progress.<server_uuid>.json next to the dump, i.e. into the
    // bucket, which a read-only principal may not; "" turns progress tracking off (mysql-shell 8.4.3 and 8.4.8
    // modules/util/load/load_dump_options.cc create_progress_file_handle, dump_loader.cc setup_progress_file).
    // A load that broke is then redone from the start, into a fresh instance.
    'progressFile: ""',
    "loadUsers: false",
    'updateGtidSet: "replace"',
    // On a shard host MySQL Shell finds no instance-profile credentials by itself (it has no EC2 metadata provider):
    // it reads them through the host's config file, whose credential_process asks the AWS CLI
    // (infra/backup/host/mysqlshAws.ts). Pinning the profile also stops environment keys from being used.
    ...(o.onTarget
      ? [
          `s3ConfigFile: ${JSON.stringify(MYSQLSH_AWS_CONFIG_PATH)}`,
          `s3Profile: ${JSON.stringify(MYSQLSH_AWS_PROFILE)}`,
        ]
      : []),
  ];
  const js = `util.loadDump(${JSON.stringify(plan.dump.prefix)}, {${options.join(", ")}})`;
  return {
    title: `Load the full dump ${plan.dump.prefix} (finished ${plan.dump.finishedAt}, ${plan.dump.tool}).`,
    comments: [
      "Into an empty MySQL 8.4 instance with local_infile=ON; add your connection options (e.g. root@HOST:3306).",
      "updateGtidSet replace sets gtid_executed/gtid_purged to the dump's, so the replay below continues it.",
      'progressFile "" writes nothing into the bucket; a load that broke is redone into a fresh instance.',
    ],
    commands: [...(o.onTarget ? [awsConfigCheck()] : []), mysqlsh(js, o)],
  };
}

/** On the target: the config file MySQL Shell reads its S3 credentials through must be there. */
function awsConfigCheck(): string {
  const path = MYSQLSH_AWS_CONFIG_PATH;
  const why = `gamedb-restore: ${path} is missing on the target: MySQL Shell reads its S3 credentials through it. Restore onto a shard host of this stack (pulumi up installs it with the backup jobs) or write it there as infra/backup/host/mysqlshAws.ts does.`;
  return `sudo -n test -r ${path} || { echo ${shellQuote(why)} >&2; exit 1; }`;
}

/** `aws`, as root on the target (the instance profile, or a static host's credentials file, which only root reads). */
function aws(o: CommandOptions): string {
  return o.onTarget ? `sudo -n env AWS_SHARED_CREDENTIALS_FILE=${HOST_CREDENTIALS_PATH} aws` : "aws";
}

function dropMetadataStep(o: CommandOptions): Step {
  return {
    title: `Drop the old cluster's ${METADATA_SCHEMA} schema and the recovery accounts it names.`,
    comments: [
      "util.dumpInstance keeps that schema in the dump; Oracle's operator drops it the same way after a load.",
      "Last, because the replayed binlogs write to it. Add your connection options to mysqlsh.",
    ],
    commands: [mysqlsh(DROP_METADATA_JS, o)],
  };
}

function awsOptions(o: CommandOptions): string {
  return (
    (o.region ? ` --region ${shellQuote(o.region)}` : "") +
    (o.endpoint ? ` --endpoint-url ${shellQuote(o.endpoint)}` : "")
  );
}

export function restoreSteps(plan: RestorePlan, o: CommandOptions): Step[] {
  const steps = [checkStep(plan, o), loadDumpStep(plan, o)];
  if (plan.binlogs.length === 0) return [...steps, dropMetadataStep(o)];
  steps.push({
    title: `Download ${plan.binlogs.length} binlog file(s) into <member uuid>/<file> (members reuse file names).`,
    comments: [],
    commands: plan.binlogs.map(
      (b) => `${aws(o)} s3 cp ${shellQuote(`s3://${o.bucket}/${b.key}`)} ${shellQuote(b.local)}${awsOptions(o)}`,
    ),
  });
  steps.push({
    title: "Check them against the sha256 recorded in their sidecars.",
    comments: [],
    commands: [
      `printf '%s\\n' ${plan.binlogs.map((b) => shellQuote(`${b.sha256}  ${b.local}`)).join(" ")} | sha256sum -c -`,
    ],
  });
  const flags = [
    `--exclude-gtids=${shellQuote(plan.dump.gtidExecuted)}`,
    ...(plan.stopDatetime ? [`--stop-datetime=${shellQuote(plan.stopDatetime)}`] : []),
    ...(plan.includeGtids ? [`--include-gtids=${shellQuote(plan.includeGtids)}`] : []),
  ];
  const comments = [
    "--exclude-gtids skips what the dump already holds; files are in transaction order.",
    ...(plan.stopDatetime
      ? [
          `--stop-datetime stops before the first event at or after ${plan.stopDatetime} UTC (TZ=UTC: it reads local time).`,
        ]
      : []),
    ...(plan.includeGtids ? ["--include-gtids applies only the transactions of the target GTID set."] : []),
    "Add your connection options to mysql (e.g. -h HOST -u root -p).",
  ];
  steps.push({
    title: "Replay the binlogs up to the target.",
    comments,
    commands: [
      `${plan.stopDatetime ? "TZ=UTC " : ""}mysqlbinlog ${flags.join(" ")} ${plan.binlogs.map((b) => shellQuote(b.local)).join(" ")} | ${o.onTarget ? "sudo -n mysql" : "mysql"}`,
    ],
  });
  steps.push(dropMetadataStep(o));
  return steps;
}

export function renderPlanText(plan: RestorePlan, steps: Step[], o: CommandOptions): string {
  const target = "time" in plan.target ? plan.target.time : `GTID set ${plan.target.gtid}`;
  const members = new Set(plan.binlogs.map((b) => b.serverUuid)).size;
  const lines = [
    `# Restore of shard ${plan.shard} (stack ${o.stack}) to ${target}, from s3://${o.bucket}`,
    `#   dump:    ${plan.dump.prefix} from ${plan.dump.source.address}, gtid_executed ${plan.dump.gtidExecuted}`,
    `#   binlogs: ${plan.binlogs.length} file(s) from ${members} member(s), replaying ${plan.needed || "nothing"}`,
    ...(plan.notes.length > 0 ? ["#   notes:", ...plan.notes.map((n) => `#   - ${n}`)] : []),
  ];
  steps.forEach((step, i) => {
    lines.push("", `# ${i + 1}. ${step.title}`, ...step.comments.map((c) => `#    ${c}`), ...step.commands);
  });
  return lines.join("\n");
}

/**
 * The script --execute sends to the target over SSH: stop on the first error (the first step checks the target),
 * then every step in a fresh working directory (binlog downloads land there).
 */
export function executionScript(steps: Step[]): string {
  return [
    "set -euo pipefail",
    "work=$(mktemp -d)",
    'cd "$work"',
    ...steps.flatMap((step, i) => [`echo ${shellQuote(`gamedb-restore: ${i + 1}. ${step.title}`)}`, ...step.commands]),
    'echo "gamedb-restore: done"',
    "",
  ].join("\n");
}
