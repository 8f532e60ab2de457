/**
 * The shell commands that carry out a restore plan, for a human to read and run: load the dump with MySQL Shell,
 * download the binlog files, check their sha256, replay them with mysqlbinlog | mysql. Every value is quoted.
 */
import type { RestorePlan } from "./plan";
import { shellQuote } from "../../../infra/shell";

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

function loadDumpStep(plan: RestorePlan, o: CommandOptions): Step {
  const options = [
    `s3BucketName: ${JSON.stringify(o.bucket)}`,
    ...(o.region ? [`s3Region: ${JSON.stringify(o.region)}`] : []),
    ...(o.endpoint ? [`s3EndpointOverride: ${JSON.stringify(o.endpoint)}`] : []),
    `threads: ${o.threads ?? 8}`,
    "resetProgress: true",
    "loadUsers: false",
    'updateGtidSet: "replace"',
  ];
  const js = `util.loadDump(${JSON.stringify(plan.dump.prefix)}, {${options.join(", ")}})`;
  return {
    title: `Load the full dump ${plan.dump.prefix} (finished ${plan.dump.finishedAt}, ${plan.dump.tool}).`,
    comments: [
      "Into an empty MySQL 8.4 instance with local_infile=ON; add your connection options (e.g. root@HOST:3306).",
      "updateGtidSet replace sets gtid_executed/gtid_purged to the dump's, so the replay below continues it.",
    ],
    commands: [
      o.onTarget
        ? `sudo -n mysqlsh --js --no-wizard --socket=${TARGET_SOCKET} --user=root -e ${shellQuote(js)}`
        : `mysqlsh --js -e ${shellQuote(js)}`,
    ],
  };
}

function awsOptions(o: CommandOptions): string {
  return (
    (o.region ? ` --region ${shellQuote(o.region)}` : "") +
    (o.endpoint ? ` --endpoint-url ${shellQuote(o.endpoint)}` : "")
  );
}

export function restoreSteps(plan: RestorePlan, o: CommandOptions): Step[] {
  const steps = [loadDumpStep(plan, o)];
  if (plan.binlogs.length === 0) return steps;
  steps.push({
    title: `Download ${plan.binlogs.length} binlog file(s) into <member uuid>/<file> (members reuse file names).`,
    comments: [],
    commands: plan.binlogs.map(
      (b) => `aws s3 cp ${shellQuote(`s3://${o.bucket}/${b.key}`)} ${shellQuote(b.local)}${awsOptions(o)}`,
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

/** User schemas a target must not hold: a restore goes only into an empty instance, never over live data. */
const EMPTY_CHECK = `SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')`;

/**
 * The script --execute sends to the target over SSH: stop on the first error, refuse a target that holds user
 * schemas, then every step in a fresh working directory (binlog downloads land there).
 */
export function executionScript(steps: Step[]): string {
  return [
    "set -euo pipefail",
    `n=$(sudo -n mysql -N -B -e ${shellQuote(EMPTY_CHECK)})`,
    'if [ "$n" != 0 ]; then',
    '  echo "gamedb-restore: the target holds $n user schema(s); restore only into an empty MySQL 8.4 instance" >&2',
    "  exit 1",
    "fi",
    "work=$(mktemp -d)",
    'cd "$work"',
    ...steps.flatMap((step, i) => [`echo ${shellQuote(`gamedb-restore: ${i + 1}. ${step.title}`)}`, ...step.commands]),
    'echo "gamedb-restore: done"',
    "",
  ].join("\n");
}
