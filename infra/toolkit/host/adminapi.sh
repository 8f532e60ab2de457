#!/usr/bin/env bash
# Launcher of the adminapi/* entries: DIR FILE...: the .js files, joined with newlines, are the script mysqlsh runs;
# a .sh file (install-tls.sh, install-mycnf.sh) is sourced first, in the entry's order. The secrets JSON arrives on stdin and is written, mode 0600, into
# a private directory on tmpfs removed on exit; the params JSON comes on fd 3. mysqlsh runs as root (sudo) so the
# scripts reach mysqld's socket with auth_socket.
set -euo pipefail
dir=$1
shift
umask 077
# One gamedb command at a time per host: an interrupted `pulumi up` may leave mysqlsh running.
exec 9>"${GAMEDB_LOCK:-/run/lock/gamedb-adminapi.lock}"
flock -w 900 9 || {
  echo "gamedb: another gamedb command has held this host for 15 minutes" >&2
  exit 1
}
d=$(mktemp -d "${GAMEDB_SECRET_DIR:-/dev/shm}/gamedb.XXXXXX")
trap 'rm -rf "$d"' EXIT
cat >"$d/secrets.json"
if { true <&3; } 2>/dev/null; then cat <&3 >"$d/params.json"; else echo '{}' >"$d/params.json"; fi
: >"$d/script.js"
sep=
for f in "$@"; do
  case $f in
    *.js)
      printf '%s' "$sep" >>"$d/script.js"
      cat "$dir/$f" >>"$d/script.js"
      sep=$'\n'
      ;;
    *.sh) ;;
    *)
      echo "gamedb: $f is neither a .js script nor a .sh helper" >&2
      exit 1
      ;;
  esac
done
for f in "$@"; do
  # shellcheck source=/dev/null
  case $f in *.sh) . "$dir/$f" ;; esac
done
sudo -n mysqlsh --js --no-wizard -f "$d/script.js" "$d/params.json" "$d/secrets.json"
