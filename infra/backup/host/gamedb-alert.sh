#!/usr/bin/env bash
# gamedb-alert [--resolved] UNIT: tells the environment's alert topic (the SNS topic the monitoring worker and the
# CloudWatch alarms use) that a backup job failed, once, and that it works again.
#
#   gamedb-alert UNIT             run by gamedb-alert@UNIT.service, which systemd starts through OnFailure= when
#                                 gamedb-backup.service or gamedb-binlog-ship.service fails. Publishes the shard,
#                                 this member, the job and the last lines of its journal, then remembers that it
#                                 did: while the job keeps failing (every 5 minutes for binlog shipping) nothing is
#                                 sent again.
#   gamedb-alert --resolved UNIT  run by the job itself after a successful run (ExecStartPost=). If a failure was
#                                 alerted, publishes that the job works again and forgets the failure.
#
# The jobs log no secrets, so the journal lines are safe to send.
# Config: /etc/gamedb/backup.env (GAMEDB_SHARD, GAMEDB_REGION, GAMEDB_SELF, GAMEDB_ENVIRONMENT,
# GAMEDB_ALERT_TOPIC_ARN). GAMEDB_ROOT prefixes local paths; it is set only by tests.
set -euo pipefail

die() {
  echo "gamedb-alert: $*" >&2
  exit 1
}

# Pure: the subject line (SNS allows 100 characters).
subject() {
  local s="gamedb $1: $2 $3 on $4 ($5)"
  printf '%s' "${s:0:100}"
}

publish() {
  aws --region "$GAMEDB_REGION" sns publish --topic-arn "$GAMEDB_ALERT_TOPIC_ARN" --subject "$1" \
    --message "file://$BODY" >/dev/null || die "cannot publish to $GAMEDB_ALERT_TOPIC_ARN"
}

main() {
  local mode=failed
  if [[ ${1:-} == --resolved ]]; then
    mode=resolved
    shift
  fi
  local unit=${1:-}
  [[ "$unit" =~ ^gamedb-[a-z-]+\.service$ ]] || die "usage: gamedb-alert [--resolved] gamedb-<job>.service (got '$unit')"
  local root=${GAMEDB_ROOT:-}
  local env_file="$root/etc/gamedb/backup.env"
  [[ -r "$env_file" ]] || die "cannot read $env_file"
  # shellcheck source=/dev/null
  source "$env_file"
  : "${GAMEDB_SHARD:?}" "${GAMEDB_REGION:?}" "${GAMEDB_SELF:?}" "${GAMEDB_ENVIRONMENT:?}"
  local state="$root/var/lib/gamedb/alerts/$unit.failed"

  if [[ $mode == resolved && ! -e $state ]]; then
    exit 0 # nothing was alerted: the usual case after a good run
  fi
  if [[ $mode == failed && -e $state ]]; then
    echo "gamedb-alert: $unit failed again on $GAMEDB_SELF; already alerted at $(cat "$state")"
    exit 0
  fi
  if [[ -z "${GAMEDB_ALERT_TOPIC_ARN:-}" ]]; then
    echo "gamedb-alert: no alert topic configured; $unit $mode on $GAMEDB_SELF" >&2
    exit 0
  fi
  # Global, not local: the EXIT trap runs after main returns.
  BODY=$(mktemp)
  trap 'rm -f "$BODY"' EXIT
  {
    echo "Environment: $GAMEDB_ENVIRONMENT"
    echo "Shard: $GAMEDB_SHARD"
    echo "Member: $GAMEDB_SELF ($(hostname))"
    echo "Job: $unit"
    echo "Time: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    if [[ $mode == failed ]]; then
      echo
      echo "Last log lines:"
      journalctl -u "$unit" -n 30 --no-pager -o cat 2>/dev/null || echo "(journal not readable)"
    else
      echo "The job works again; it first failed at $(cat "$state")."
    fi
  } >"$BODY"
  if [[ $mode == failed ]]; then
    publish "$(subject "$GAMEDB_ENVIRONMENT" "$unit" failed "$GAMEDB_SHARD" "$GAMEDB_SELF")"
    mkdir -p "${state%/*}"
    date -u +%Y-%m-%dT%H:%M:%SZ >"$state"
  else
    publish "$(subject "$GAMEDB_ENVIRONMENT" "$unit" "works again" "$GAMEDB_SHARD" "$GAMEDB_SELF")"
    rm -f "$state"
  fi
  echo "gamedb-alert: $unit $mode published to $GAMEDB_ALERT_TOPIC_ARN"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
