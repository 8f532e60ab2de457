/**
 * A shard host for the backup scripts (infra/backup/host), under bash with stand-ins on PATH:
 *
 *   fakeHost()        a temp root with /etc/gamedb/backup.env, a binlog dir, and stand-ins in bin/ for mysql,
 *                     mysqlbinlog, mysqlsh and aws; run(script) runs a script against it
 *   membersTable()    performance_schema rows for the stand-in mysql, with both queue columns
 *
 * The stand-ins record what they were asked in the root: `calls` (mysql queries, mysqlsh and aws argv),
 * `mysql-queries` (NUL-separated) and `mysql-users` (the --user of every mysql call), `mysqlsh.argv` and
 * `mysqlsh.env` (NUL-separated, the dump call), `aws-export.env` (the environment of `aws configure
 * export-credentials`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { MYSQLSH_AWS_CONFIG_PATH, mysqlshAwsConfig } from "../../infra/backup/host/mysqlshAws";

export const HOST_DIR = join(__dirname, "../../infra/backup/host");
export const BACKUP_PATH = join(HOST_DIR, "gamedb-backup.sh");
export const SHIP_PATH = join(HOST_DIR, "gamedb-binlog-ship.sh");

export const UUID_A = "1a1a1a1a-0000-11ef-8000-00000000000a";
export const UUID_B = "2b2b2b2b-0000-11ef-8000-00000000000b";
export const UUID_C = "3c3c3c3c-0000-11ef-8000-00000000000c";
export const GROUP = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

/** What `aws configure export-credentials` answers when nothing else names credentials: the instance profile. */
export const IMDS_CREDENTIALS = {
  Version: 1,
  AccessKeyId: "ASIAIMDSEXAMPLE0001",
  SecretAccessKey: "imds/Secret+Value0001",
  SessionToken: "imds-session-token-0001",
  Expiration: "2031-01-01T00:00:00+00:00",
};

export const BACKUP_ENV =
  "GAMEDB_ENVIRONMENT=prod\nGAMEDB_SHARD=shard3\nGAMEDB_BUCKET=gamedb-backups-test\nGAMEDB_REGION=eu-west-1\n" +
  "GAMEDB_SELF=10.0.3.11:3306\nGAMEDB_MYSQL_USER=gamedb_backup\n" +
  "GAMEDB_ALERT_TOPIC_ARN=arn:aws:sns:eu-west-1:123456789012:gamedb-prod-alerts\n";

/** Runs bash on `text` with `bin` first on PATH. */
export function bash(
  text: string,
  opts: { bin?: string; env?: Record<string, string>; args?: string[]; input?: string } = {},
) {
  return spawnSync("bash", ["--norc", "--noprofile", "-c", text, "bash", ...(opts.args ?? [])], {
    input: opts.input ?? "",
    env: { PATH: `${opts.bin ? `${opts.bin}:` : ""}/usr/bin:/bin`, ...opts.env },
    encoding: "utf8",
  });
}

/** Sources a script (main does not run) and calls one of its functions on stdin. */
export function callFunction(script: string, fn: string, input: string): string {
  const run = bash(`source "$1"; ${fn}`, { args: [script], input });
  if (run.status !== 0 || run.stderr !== "") throw new Error(`${fn} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

export interface MemberRow {
  id: string;
  address: string;
  state: string;
  role: string;
  /** COUNT_TRANSACTIONS_IN_QUEUE: waiting for certification. */
  certQueue: number;
  /** COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE: certified, waiting to be applied. */
  applierQueue: number;
}

const MEMBER_COLUMNS = [
  "MEMBER_ID",
  "ADDRESS",
  "MEMBER_STATE",
  "MEMBER_ROLE",
  "COUNT_TRANSACTIONS_IN_QUEUE",
  "COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE",
];

/** The group's members for the stand-in mysql: a header row, then one row per member. */
export function membersTable(rows: MemberRow[]): string {
  const lines = rows.map((r) => [r.id, r.address, r.state, r.role, r.certQueue, r.applierQueue].join("\t"));
  return [MEMBER_COLUMNS.join("\t"), ...lines, ""].join("\n");
}

/** Reads a stand-in's NUL-separated record (argv, or `env -0` output as a map). */
export function readNul(path: string): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").split("\0").slice(0, -1) : [];
}
export function envMap(entries: string[]): Record<string, string> {
  return Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

// mysql --user=U --socket=S -N -B -e QUERY: answers from files in the root, by query. The group members query gets
// the columns it names from $D/members (a header row names them), as performance_schema would.
const MYSQL_STUB = [
  'q="${*: -1}"; user=""',
  'for a; do case "$a" in --user=*) user=${a#--user=} ;; esac; done',
  'echo "mysql $q" >> "$D/calls"; printf "%s\\0" "$q" >> "$D/mysql-queries"; echo "${user:-<none>}" >> "$D/mysql-users"',
  'case "$q" in',
  "  *replication_group_member_stats*)",
  "    col=$(grep -oE 's\\.COUNT_TRANSACTIONS[A-Z_]*' <<<\"$q\" | head -n 1); col=${col#s.}",
  "    awk -F'\\t' -v col=\"$col\" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i",
  '      if (!c) { print "no column " col > "/dev/stderr"; exit 1 }; next }',
  '      { print $1 "\\t" $2 "\\t" $3 "\\t" $4 "\\t" $c }\' "$D/members" ;;',
  '  *MEMBER_ROLE*) cat "$D/role" ;;',
  '  "SELECT @@GLOBAL.server_uuid") cat "$D/uuid" ;;',
  "  FLUSH*) ;;",
  '  *log_bin_basename*) echo "$D/binlogs/binlog" ;;',
  '  "SHOW BINARY LOGS") cat "$D/binlogs.txt" ;;',
  `  *gtid_executed*) echo "${GROUP}:1-99" ;;`,
  "  *cluster_name*) echo shard3 ;;",
  '  *information_schema.TABLES*) cat "$D/tables" 2>/dev/null || true ;;',
  '  *) echo "unexpected query: $q" >&2; exit 1 ;;',
  "esac",
].join("\n");

const MYSQLSH_STUB = [
  '[ "$1" = --version ] && { echo "mysqlsh   Ver 8.4.3 for Linux on x86_64 - for MySQL 8.4.3 (MySQL Community Server (GPL))"; exit 0; }',
  'printf "mysqlsh" >> "$D/calls"; printf " [%s]" "$@" >> "$D/calls"; echo >> "$D/calls"',
  'printf "%s\\0" "$@" > "$D/mysqlsh.argv"; env -0 > "$D/mysqlsh.env"',
  'touch "$D/dumped"',
].join("\n");

// `aws configure export-credentials`: the AWS CLI's resolution, reduced to what the tests need: environment keys,
// then the shared credentials file's profile, then the config file (a credential_process there would run this
// command again: recorded as aws-recursed, and failing), then the instance profile ($D/imds.json).
const AWS_EXPORT = [
  'if [ "$1 $2" = "configure export-credentials" ]; then',
  '  env -0 > "$D/aws-export.env"',
  '  ini() { [ -f "$1" ] && awk -v s="$2" -v k="$3" \'/^\\[/ { n = $0; gsub(/^\\[[ \\t]*|[ \\t]*\\]$/, "", n);',
  '    sub(/^profile[ \\t]+/, "", n); cur = (n == s); next }',
  '    cur && index($0, "=") { key = substr($0, 1, index($0, "=") - 1); gsub(/[ \\t]/, "", key)',
  '      if (key == k) { v = substr($0, index($0, "=") + 1); gsub(/^[ \\t]+|[ \\t]+$/, "", v); print v; exit } }\' "$1"; }',
  "  p=${AWS_PROFILE:-${AWS_DEFAULT_PROFILE:-default}}",
  "  creds=${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}; conf=${AWS_CONFIG_FILE:-$HOME/.aws/config}",
  '  if [ -n "${AWS_ACCESS_KEY_ID:-}" ]; then id=$AWS_ACCESS_KEY_ID; secret=$AWS_SECRET_ACCESS_KEY',
  '  elif id=$(ini "$creds" "$p" aws_access_key_id) && [ -n "$id" ]; then secret=$(ini "$creds" "$p" aws_secret_access_key)',
  '  elif [ -n "$(ini "$conf" "$p" credential_process)" ]; then echo "$conf" > "$D/aws-recursed"',
  '    echo "Credential process resolution detected an infinite loop" >&2; exit 255',
  '  elif [ -f "$D/imds.json" ]; then cat "$D/imds.json"; exit 0',
  '  else echo "Unable to retrieve credentials: no credentials found" >&2; exit 255; fi',
  '  printf \'{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\\n\' "$id" "$secret"; exit 0',
  "fi",
].join("\n");

// aws s3: logs its arguments; `cp - URL` also logs stdin; `s3 ls` answers from $D/ls (default: nothing, exit 1).
const AWS_S3 = [
  'printf "aws" >> "$D/calls"; printf " [%s]" "$@" >> "$D/calls"; echo >> "$D/calls"',
  'args=" $* "',
  'case "$args" in',
  '  *" s3 ls "*--summarize*) [ -f "$D/summary" ] && cat "$D/summary" ;;',
  '  *" s3 ls "*) [ -f "$D/ls" ] && { cat "$D/ls"; exit 0; }; exit 1 ;;',
  '  *" s3 cp "*"/@.json - "*) [ -f "$D/meta.json" ] && cat "$D/meta.json" || exit 1 ;;',
  '  *" - s3://"*) { echo "--- stdin for ${@: -1}"; cat; } >> "$D/uploads" ;;',
  '  *" s3 cp "*) echo "${@: -1}" >> "$D/objects" ;;',
  "esac",
].join("\n");

export type FakeHost = ReturnType<typeof fakeHost>;

/**
 * A host: a temp root with /etc/gamedb/backup.env (`env`), MySQL Shell's AWS config as on an EC2 host, a binlog
 * dir, and the stand-ins in bin/.
 */
export function fakeHost(env = BACKUP_ENV) {
  const dir = mkdtempSync(join(tmpdir(), "gamedb-backup-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  mkdirSync(join(dir, "binlogs"));
  const stub = (name: string, body: string) =>
    writeFileSync(join(bin, name), `#!/bin/bash\nD=${dir}\n${body}\n`, { mode: 0o755 });
  /** Writes a file of the root (`path` relative to it, or absolute on the host as /etc/...). */
  const set = (path: string, value: string) => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, value);
  };
  set("etc/gamedb/backup.env", env);
  set(MYSQLSH_AWS_CONFIG_PATH, mysqlshAwsConfig());
  stub("mysql", MYSQL_STUB);
  stub("mysqlbinlog", `echo "mysqlbinlog $*" >> "$D/calls"\ncat "$D/mysqlbinlog.txt"`);
  stub("mysqlsh", MYSQLSH_STUB);
  stub("aws", `${AWS_EXPORT}\n${AWS_S3}`);
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : "");
  const run = (script: string, extraEnv: Record<string, string> = {}) => {
    const result = bash(`exec bash "$1"`, { bin, args: [script], env: { GAMEDB_ROOT: dir, HOME: dir, ...extraEnv } });
    const calls = read("calls");
    writeFileSync(join(dir, "calls"), "");
    return { ...result, calls };
  };
  return { dir, bin, set, read, run };
}
