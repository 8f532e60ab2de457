#!/usr/bin/env bash
# gamedb-alert UNIT: run by gamedb-alert@UNIT.service, which systemd starts through OnFailure= when
# gamedb-backup.service or gamedb-binlog-ship.service fails. Publishes one message to the environment's alert
# topic (the same SNS topic the monitoring worker and the CloudWatch alarms use) naming the shard, this member,
# the failed job and the last lines of its journal. The jobs log no secrets, so the journal lines are safe to send.
#
# Config: /etc/gamedb/backup.env (GAMEDB_SHARD, GAMEDB_REGION, GAMEDB_SELF, GAMEDB_ENVIRONMENT,
# GAMEDB_ALERT_TOPIC_ARN). GAMEDB_ROOT prefixes local paths; it is set only by tests.
set -euo pipefail

die() {
  echo "gamedb-alert: $*" >&2
  exit 1
}

# Pure: the subject line (SNS allows 100 characters).
subject() {
  local s="gamedb $1: $2 failed on $3 ($4)"
  printf '%s' "${s:0:100}"
}

main() {
  local unit=${1:-}
  [[ "$unit" =~ ^gamedb-[a-z-]+\.service$ ]] || die "usage: gamedb-alert gamedb-<job>.service (got '$unit')"
  local env_file="${GAMEDB_ROOT:-}/etc/gamedb/backup.env"
  [[ -r "$env_file" ]] || die "cannot read $env_file"
  # shellcheck source=/dev/null
  source "$env_file"
  : "${GAMEDB_SHARD:?}" "${GAMEDB_REGION:?}" "${GAMEDB_SELF:?}" "${GAMEDB_ENVIRONMENT:?}"
  if [[ -z "${GAMEDB_ALERT_TOPIC_ARN:-}" ]]; then
    echo "gamedb-alert: no alert topic configured; $unit failed on $GAMEDB_SELF" >&2
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
    echo
    echo "Last log lines:"
    journalctl -u "$unit" -n 30 --no-pager -o cat 2>/dev/null || echo "(journal not readable)"
  } >"$BODY"
  aws --region "$GAMEDB_REGION" sns publish --topic-arn "$GAMEDB_ALERT_TOPIC_ARN" \
    --subject "$(subject "$GAMEDB_ENVIRONMENT" "$unit" "$GAMEDB_SHARD" "$GAMEDB_SELF")" \
    --message "file://$BODY" >/dev/null || die "cannot publish to $GAMEDB_ALERT_TOPIC_ARN"
  echo "gamedb-alert: $unit failure published to $GAMEDB_ALERT_TOPIC_ARN"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
