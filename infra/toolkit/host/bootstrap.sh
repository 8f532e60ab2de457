#!/usr/bin/env bash
# Launcher of the host/bootstrap entry: DIR SCRIPT, the bootstrap's environment file on fd 4. Once per host: a host
# whose marker says it is bootstrapped is left alone (mysql.version applies to new hosts; upgrades follow the
# runbook), so re-running this step on every host, as a change to the script does, changes nothing. Otherwise it waits
# for cloud-init's first boot when the environment file says so (EC2: apt must be free; a static host's cloud-init
# may never report done), installs the environment file and runs the bootstrap as root, its output also appended to
# the bootstrap log.
set -euo pipefail
dir=$1
script=$2
marker=${GAMEDB_BOOTSTRAP_MARKER:-/var/lib/gamedb/bootstrap.done}
env_path=${GAMEDB_BOOTSTRAP_ENV:-/etc/gamedb/bootstrap.env}
log=${GAMEDB_BOOTSTRAP_LOG:-/var/log/gamedb-bootstrap.log}
if ! { true <&4; } 2>/dev/null; then
  echo "gamedb-bootstrap: the step carries no environment file (fd 4)" >&2
  exit 1
fi
if [[ -f $marker ]]; then
  echo "gamedb-bootstrap: host bootstrapped (MySQL $(cat "$marker")); nothing to do"
  exit 0
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cat <&4 >"$tmp"
# shellcheck source=/dev/null
wait_for_cloud_init=$(. "$tmp" && printf '%s' "${GAMEDB_WAIT_CLOUD_INIT:-}")
if [[ $wait_for_cloud_init == 1 ]] && command -v cloud-init >/dev/null; then
  rc=0
  timeout 1800 cloud-init status --wait >/dev/null 2>&1 || rc=$?
  if ((rc == 124)); then
    echo "gamedb-bootstrap: cloud-init did not finish within 1800 seconds" >&2
    exit 1
  fi
  ((rc == 0)) || echo "gamedb-bootstrap: cloud-init reported exit $rc; bootstrapping anyway"
fi
sudo -n install -D -m 0644 -o root -g root "$tmp" "$env_path"
# shellcheck disable=SC2016 # expanded by the root shell
sudo -n bash -c 'set -o pipefail; set -a; . "$1"; set +a; bash "$2" 2>&1 | tee -a "$3"' _ "$env_path" "$dir/$script" "$log"
