#!/usr/bin/env bash
# gamedb-binlog-ship: ships this member's closed binary logs to S3, run by gamedb-binlog-ship.timer every few
# minutes on EVERY member of the shard.
#
# On the PRIMARY it first runs FLUSH BINARY LOGS so the open file closes: the timer interval bounds the RPO.
# Every closed binlog (all of SHOW BINARY LOGS but the last, open one) not yet shipped goes to
# s3://$GAMEDB_BUCKET/binlog/<shard>/<server_uuid>/<file>, with a sidecar <file>.json
#   {"file","serverUuid","previousGtids","gtids","firstEventAt","lastEventAt","sha256","bytes"}
# and is then recorded in /var/lib/gamedb/binlog-shipped. A file whose object already exists with the same size
# is recorded without uploading again. Local binlogs are never deleted (binlog_expire_logs_seconds does that).
#
# It logs in to MySQL as GAMEDB_MYSQL_USER over the local socket (auth_socket maps OS root to that account: no
# password). What it runs needs SELECT (performance_schema), RELOAD (FLUSH BINARY LOGS) and REPLICATION CLIENT
# (SHOW BINARY LOGS); the binlog files themselves are read from disk as root.
#
# Config: /etc/gamedb/backup.env (GAMEDB_SHARD, GAMEDB_BUCKET, GAMEDB_REGION, GAMEDB_MYSQL_USER).
# GAMEDB_ROOT prefixes local paths; it is set only by tests.
set -euo pipefail

readonly SOCKET=/var/run/mysqld/mysqld.sock

log() { echo "gamedb-binlog-ship: $*"; }
die() {
  echo "gamedb-binlog-ship: $*" >&2
  exit 1
}

# Runs one query as the backup account over the local socket; tab-separated rows, no header.
sql() { mysql --user="$GAMEDB_MYSQL_USER" --socket="$SOCKET" -N -B -e "$1"; }

# Pure: reads `mysqlbinlog` text on stdin and prints one tab-separated line:
#   previousGtids <tab> gtids <tab> firstEventAt <tab> lastEventAt
# previousGtids: the Previous-GTIDs event's set (it may continue over several "# " lines ending in ",");
# gtids: the set of the file's own transactions, from SET @@SESSION.GTID_NEXT= '...' (consecutive numbers of one
# uuid[:tag] merged into ranges); the times: the first and last "#YYMMDD HH:MM:SS" event headers, as ISO 8601 UTC
# (mysqlbinlog prints them in its local time zone: run it with TZ=UTC).
parse_binlog() {
  LC_ALL=C awk '
    function iso(d, t,   hms) {
      split(t, hms, ":")
      return sprintf("20%s-%s-%sT%02d:%s:%sZ", substr(d, 2, 2), substr(d, 4, 2), substr(d, 6, 2), hms[1], hms[2], hms[3])
    }
    function flush_range(k) {
      if (k == "") return
      r = (lo[k] == hi[k]) ? lo[k] : lo[k] "-" hi[k]
      set[k] = (set[k] == "") ? r : set[k] ":" r
    }
    /^#[0-9][0-9][0-9][0-9][0-9][0-9] +[0-9]+:[0-9][0-9]:[0-9][0-9] / {
      t = iso($1, $2)
      if (first == "") first = t
      last = t
      if ($0 ~ /\tPrevious-GTIDs *$/ || $0 ~ / Previous-GTIDs *$/) { inprev = 1; seenprev = 1 }
      next
    }
    inprev {
      if ($0 ~ /^# at / || $0 !~ /^# /) { inprev = 0 }
      else {
        v = substr($0, 3); gsub(/[ \t]/, "", v)
        if (v != "[empty]") prev = prev v
        if (v !~ /,$/) inprev = 0
        next
      }
    }
    /GTID_NEXT= *\047/ {
      g = $0
      sub(/^.*GTID_NEXT= *\047/, "", g); sub(/\047.*$/, "", g)
      if (g == "AUTOMATIC" || g == "ANONYMOUS") next
      n = g; sub(/^.*:/, "", n); k = substr(g, 1, length(g) - length(n) - 1); n = n + 0
      if (!(k in lo)) { order[++nk] = k; lo[k] = n; hi[k] = n; set[k] = ""; next }
      if (n == hi[k] + 1) { hi[k] = n; next }
      flush_range(k); lo[k] = n; hi[k] = n
    }
    END {
      out = ""
      for (i = 1; i <= nk; i++) { k = order[i]; flush_range(k); out = out (i > 1 ? "," : "") k ":" set[k] }
      printf "%s\t%s\t%s\t%s\n", prev, out, first, last
    }'
}

main() {
  trap 'echo "gamedb-binlog-ship: failed at line $LINENO" >&2' ERR
  local root="${GAMEDB_ROOT:-}"
  local env_file="$root/etc/gamedb/backup.env"
  [[ -r "$env_file" ]] || die "cannot read $env_file"
  # shellcheck source=/dev/null
  source "$env_file"
  : "${GAMEDB_SHARD:?gamedb-binlog-ship: GAMEDB_SHARD is not set}" "${GAMEDB_BUCKET:?gamedb-binlog-ship: GAMEDB_BUCKET is not set}"
  : "${GAMEDB_REGION:?gamedb-binlog-ship: GAMEDB_REGION is not set}"
  : "${GAMEDB_MYSQL_USER:?gamedb-binlog-ship: GAMEDB_MYSQL_USER is not set (the MySQL account the job logs in as)}"
  [[ "$GAMEDB_MYSQL_USER" =~ ^[A-Za-z0-9_]{1,32}$ ]] ||
    die "bad GAMEDB_MYSQL_USER: '$GAMEDB_MYSQL_USER' (allowed: a MySQL user name of 1 to 32 letters, digits or _)"
  local state="$root/var/lib/gamedb/binlog-shipped"
  mkdir -p "${state%/*}"
  touch "$state"

  local uuid role basename dir
  uuid=$(sql "SELECT @@GLOBAL.server_uuid") || die "cannot query the local mysqld"
  [[ "$uuid" =~ ^[0-9a-f-]+$ ]] || die "unexpected server_uuid: $uuid"
  role=$(sql "SELECT MEMBER_ROLE FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@GLOBAL.server_uuid") ||
    die "cannot read this member's role"
  if [[ "$role" == "PRIMARY" ]]; then
    sql "FLUSH BINARY LOGS" >/dev/null || die "FLUSH BINARY LOGS failed"
    log "PRIMARY: flushed the binary log"
  fi
  basename=$(sql "SELECT @@GLOBAL.log_bin_basename") || die "cannot read log_bin_basename"
  dir=${basename%/*}

  local logs closed
  logs=$(sql "SHOW BINARY LOGS") || die "SHOW BINARY LOGS failed"
  # All but the last (open) file.
  closed=$(awk -F'\t' 'NF { print $1 }' <<<"$logs" | sed '$d')

  local prefix="s3://$GAMEDB_BUCKET/binlog/$GAMEDB_SHARD/$uuid"
  local file path bytes remote sha parsed prev gtids first last shipped=0
  while IFS= read -r file; do
    [[ -n "$file" ]] || continue
    grep -qxF -- "$file" "$state" && continue
    path="$dir/$file"
    [[ -r "$path" ]] || die "cannot read $path"
    bytes=$(stat -c %s -- "$path")
    remote=$(aws --region "$GAMEDB_REGION" s3 ls "$prefix/$file" 2>/dev/null | awk -v f="$file" '$4 == f { print $3 }' || true)
    if [[ "$remote" == "$bytes" ]]; then
      log "$file is already in $prefix/ with the same size; recording it as shipped"
      echo "$file" >>"$state"
      continue
    fi
    sha=$(sha256sum -- "$path" | cut -d' ' -f1)
    parsed=$(TZ=UTC mysqlbinlog "$path" | parse_binlog) || die "mysqlbinlog could not read $path"
    IFS=$'\t' read -r prev gtids first last <<<"$parsed" || true
    aws --region "$GAMEDB_REGION" s3 cp --only-show-errors --checksum-algorithm SHA256 "$path" "$prefix/$file" ||
      die "cannot upload $path to $prefix/$file"
    printf '{"file":"%s","serverUuid":"%s","previousGtids":"%s","gtids":"%s","firstEventAt":"%s","lastEventAt":"%s","sha256":"%s","bytes":%s}\n' \
      "$file" "$uuid" "$prev" "$gtids" "$first" "$last" "$sha" "$bytes" |
      aws --region "$GAMEDB_REGION" s3 cp --only-show-errors - "$prefix/$file.json" || die "cannot upload $prefix/$file.json"
    echo "$file" >>"$state"
    shipped=$((shipped + 1))
    log "shipped $file ($bytes bytes, gtids ${gtids:-none})"
  done <<<"$closed"
  log "$shipped file(s) shipped to $prefix/"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
