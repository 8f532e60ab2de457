#!/usr/bin/env bash
# gamedb-backup: the full backup of one shard, run by gamedb-backup.timer on EVERY member of the shard.
#
# Only one member dumps: the ONLINE SECONDARY with the smallest applier queue (ties: lowest MEMBER_ID), or the
# PRIMARY when it is the only ONLINE member. Every other member logs why it is not the source and exits 0.
# The source dumps with MySQL Shell (util.dumpInstance, consistent) to s3://$GAMEDB_BUCKET/full/<shard>/<ts>/,
# checks that the dump completed (@.done.json), then uploads gamedb-manifest.json next to it.
# Any failure exits non-zero with a "gamedb-backup:" message; systemd's OnFailure= alerts.
#
# It logs in to MySQL as GAMEDB_MYSQL_USER over the local socket (auth_socket maps OS root to that account: no
# password), and MySQL Shell finds its S3 credentials through /etc/gamedb/mysqlsh-aws.config (see dump below).
#
# Config: /etc/gamedb/backup.env (GAMEDB_SHARD, GAMEDB_BUCKET, GAMEDB_REGION, GAMEDB_SELF, GAMEDB_MYSQL_USER).
# GAMEDB_ROOT prefixes local paths; it is set only by tests.
set -euo pipefail

readonly SOCKET=/var/run/mysqld/mysqld.sock
readonly MYSQLSH_AWS_CONFIG=/etc/gamedb/mysqlsh-aws.config

log() { echo "gamedb-backup: $*"; }
die() {
  echo "gamedb-backup: $*" >&2
  exit 1
}

# Runs one query as the backup account over the local socket; tab-separated rows, no header.
sql() { mysql --user="$GAMEDB_MYSQL_USER" --socket="$SOCKET" -N -B -e "$1"; }

# Group members with their applier queue, one per line:
# MEMBER_ID <tab> host:port <tab> MEMBER_STATE <tab> MEMBER_ROLE <tab> COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE
# That column counts the transactions a member has certified and not yet applied: how far its data is behind.
# COUNT_TRANSACTIONS_IN_QUEUE is the certification queue, not the backlog (MySQL 8.4 Reference Manual 29.12.11.15
# "The replication_group_member_stats Table"; mysql-server plugin/group_replication/src/ps_information.cc fills it
# from get_transactions_waiting_certification(), the applier column from get_transactions_waiting_apply()).
readonly MEMBERS_SQL="SELECT m.MEMBER_ID, CONCAT(m.MEMBER_HOST, ':', m.MEMBER_PORT), m.MEMBER_STATE, m.MEMBER_ROLE,
 COALESCE(s.COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE, 0)
 FROM performance_schema.replication_group_members m
 LEFT JOIN performance_schema.replication_group_member_stats s
 ON s.MEMBER_ID = m.MEMBER_ID AND s.CHANNEL_NAME = 'group_replication_applier'"

# Pure: reads the MEMBERS_SQL rows on stdin, prints the MEMBER_ID of the dump source, or nothing when there is
# none. The source is the ONLINE SECONDARY with the smallest queue, ties broken by the lowest MEMBER_ID; the
# PRIMARY only when it is the only ONLINE member.
pick_source() {
  LC_ALL=C awk -F'\t' '
    $3 == "ONLINE" {
      online++
      if ($4 == "PRIMARY") { primary = $1; next }
      q = $5 + 0; id = "" $1
      if (best == "" || q < bestq || (q == bestq && id < best)) { best = id; bestq = q }
    }
    END {
      if (best != "") print best
      else if (online == 1 && primary != "") print primary
    }'
}

# BASE TABLEs per user schema (the schemas util.dumpInstance dumps), recorded in the manifest so the weekly
# restore verification can compare what it loaded. Rows: schema <tab> count.
readonly TABLES_SQL="SELECT TABLE_SCHEMA, COUNT(*) FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'
 AND TABLE_SCHEMA NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema', 'mysql_innodb_cluster_metadata')
 GROUP BY TABLE_SCHEMA ORDER BY TABLE_SCHEMA"

# Pure: the TABLES_SQL rows on stdin as a JSON object {"schema": count, ...}.
tables_json() {
  local first=1 schema n out="{"
  while IFS=$'\t' read -r schema n; do
    [[ -n "$schema" ]] || continue
    [[ "$n" =~ ^[0-9]+$ ]] || return 1
    ((first)) || out+=", "
    out+="$(json_str "$schema"): $n"
    first=0
  done
  printf '%s}' "$out"
}

# Pure: the JSON string literal for $1.
json_str() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  s=${s//$'\r'/}
  printf '"%s"' "$s"
}

main() {
  trap 'echo "gamedb-backup: failed at line $LINENO" >&2' ERR
  local env_file="${GAMEDB_ROOT:-}/etc/gamedb/backup.env"
  [[ -r "$env_file" ]] || die "cannot read $env_file"
  # shellcheck source=/dev/null
  source "$env_file"
  : "${GAMEDB_SHARD:?gamedb-backup: GAMEDB_SHARD is not set}" "${GAMEDB_BUCKET:?gamedb-backup: GAMEDB_BUCKET is not set}"
  : "${GAMEDB_REGION:?gamedb-backup: GAMEDB_REGION is not set}" "${GAMEDB_SELF:?gamedb-backup: GAMEDB_SELF is not set}"
  : "${GAMEDB_MYSQL_USER:?gamedb-backup: GAMEDB_MYSQL_USER is not set (the MySQL account the job logs in as)}"
  # These go into a JavaScript string and S3 keys: allow only plain names.
  [[ "$GAMEDB_SHARD" =~ ^[A-Za-z0-9_-]+$ ]] || die "bad GAMEDB_SHARD: $GAMEDB_SHARD"
  [[ "$GAMEDB_BUCKET" =~ ^[a-z0-9][a-z0-9.-]+$ ]] || die "bad GAMEDB_BUCKET: $GAMEDB_BUCKET"
  [[ "$GAMEDB_REGION" =~ ^[a-z0-9-]+$ ]] || die "bad GAMEDB_REGION: $GAMEDB_REGION"
  [[ "$GAMEDB_MYSQL_USER" =~ ^[A-Za-z0-9_]{1,32}$ ]] ||
    die "bad GAMEDB_MYSQL_USER: '$GAMEDB_MYSQL_USER' (allowed: a MySQL user name of 1 to 32 letters, digits or _)"
  local aws_config="${GAMEDB_ROOT:-}$MYSQLSH_AWS_CONFIG"

  # (a) Is this member the dump source?
  local self_uuid members source self_state
  self_uuid=$(sql "SELECT @@GLOBAL.server_uuid") || die "cannot query the local mysqld"
  members=$(sql "$MEMBERS_SQL") || die "cannot read the group members"
  source=$(pick_source <<<"$members")
  if [[ "$source" != "$self_uuid" ]]; then
    self_state=$(awk -F'\t' -v id="$self_uuid" '$1 == id { print $3 "/" $4 }' <<<"$members")
    if [[ -z "$source" ]]; then
      log "not the dump source: no ONLINE member can be the source (this member: ${self_state:-not in the group}); nothing to do"
    else
      log "not the dump source (this member: ${self_state:-not in the group}); the source is $source ($(awk -F'\t' -v id="$source" '$1 == id { print $2 }' <<<"$members"))"
    fi
    exit 0
  fi

  # (b) Dump.
  [[ -r "$aws_config" ]] || die "cannot read $aws_config, which tells MySQL Shell where its S3 credentials come from"
  local ts prefix url started finished threads tool cluster gtid_before
  ts=$(date -u +%Y%m%dT%H%M%SZ)
  prefix="full/$GAMEDB_SHARD/$ts"
  url="s3://$GAMEDB_BUCKET/$prefix"
  threads=$(nproc)
  tool=$(mysqlsh --version) || die "mysqlsh is not usable"
  cluster=$(sql "SELECT cluster_name FROM mysql_innodb_cluster_metadata.clusters LIMIT 1" 2>/dev/null || true)
  cluster=${cluster:-$GAMEDB_SHARD}
  # A lower bound of the dump's GTID set, used only when the dump's own metadata cannot be read.
  gtid_before=$(sql "SELECT @@GLOBAL.gtid_executed") || die "cannot read gtid_executed"
  # Counted just before the consistent dump; a CREATE or DROP TABLE in between shows as a verification mismatch.
  local tables
  tables=$(sql "$TABLES_SQL" | tables_json) || die "cannot count the tables per schema"
  started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  log "this member ($GAMEDB_SELF, $self_uuid) is the dump source; dumping to $url/ with $threads threads"
  # s3ConfigFile and s3Profile (not AWS_CONFIG_FILE/AWS_PROFILE, which the AWS CLI run by credential_process would
  # inherit) make Shell use the file's credential_process; an explicit s3Profile also turns off the environment
  # provider. The credentials file is still read first: a static host's AWS_SHARED_CREDENTIALS_FILE, from backup.env
  # (mysql-shell 8.4.3/8.4.8 mysqlshdk/libs/aws/s3_bucket_config.cc setup_credentials_provider; s3_bucket_options.h).
  local js
  js="shell.connect({scheme: \"mysql\", user: \"$GAMEDB_MYSQL_USER\", socket: \"$SOCKET\"});
util.dumpInstance(\"$prefix\", {s3BucketName: \"$GAMEDB_BUCKET\", s3Region: \"$GAMEDB_REGION\", s3ConfigFile: \"$aws_config\", s3Profile: \"default\", threads: $threads, compression: \"zstd\", consistent: true});"
  mysqlsh --js --no-wizard -e "$js" || die "util.dumpInstance to $url/ failed"
  finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)

  # (d) The dump is complete only when MySQL Shell wrote @.done.json; checked before the manifest is written, so a
  # manifest always describes a complete dump.
  aws --region "$GAMEDB_REGION" s3 ls "$url/@.done.json" >/dev/null || die "$url/@.done.json is missing: the dump is incomplete"

  # (c) The manifest.
  local meta gtid gtid_source listing bytes
  gtid_source="dump-metadata"
  if meta=$(aws --region "$GAMEDB_REGION" s3 cp "$url/@.json" - 2>/dev/null) &&
    gtid=$(sed -n 's/^.*"gtidExecuted"[[:space:]]*:[[:space:]]*"\([^"]*\)".*$/\1/p' <<<"$meta" | head -n 1) &&
    [[ -n "$gtid" ]]; then
    gtid=${gtid//\\n/}
  else
    log "cannot read gtidExecuted from $url/@.json; the manifest records gtid_executed read before the dump"
    gtid=$gtid_before
    gtid_source="server-before-dump"
  fi
  gtid=$(tr -d '\n' <<<"$gtid")
  listing=$(aws --region "$GAMEDB_REGION" s3 ls --recursive --summarize "$url/") || die "cannot list $url/"
  bytes=$(awk '/^[[:space:]]*Total Size:/ { print $3 }' <<<"$listing")
  [[ "$bytes" =~ ^[0-9]+$ ]] || die "cannot read the total size of $url/"

  {
    printf '{\n'
    printf '  "shard": %s,\n' "$(json_str "$GAMEDB_SHARD")"
    printf '  "clusterName": %s,\n' "$(json_str "$cluster")"
    printf '  "source": {"address": %s, "serverUuid": %s},\n' "$(json_str "$GAMEDB_SELF")" "$(json_str "$self_uuid")"
    printf '  "gtidExecuted": %s,\n' "$(json_str "$gtid")"
    printf '  "gtidExecutedSource": %s,\n' "$(json_str "$gtid_source")"
    printf '  "startedAt": %s,\n' "$(json_str "$started")"
    printf '  "finishedAt": %s,\n' "$(json_str "$finished")"
    printf '  "bytes": %s,\n' "$bytes"
    printf '  "tables": %s,\n' "$tables"
    printf '  "tool": %s\n' "$(json_str "$tool")"
    printf '}\n'
  } | aws --region "$GAMEDB_REGION" s3 cp - "$url/gamedb-manifest.json" || die "cannot upload $url/gamedb-manifest.json"
  log "done: $url/ ($bytes bytes)"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
