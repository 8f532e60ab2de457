# Sourced by adminapi.sh for the configure step (needs $d): installs the my.cnf from fd 4 when it differs from the
# host's. mysqld is (re)started only when it is known not to be serving the group: stopped, or its own member state
# read back as OFFLINE or ERROR (or absent: first start). An ONLINE or RECOVERING member keeps running; the shard's
# converge script restarts members one at a time, secondaries first, when a setting that needs a restart changed. A
# state that cannot be read stops the step.
# shellcheck shell=bash
: "${d:?install-mycnf.sh is sourced by adminapi.sh, which sets d}"
mycnf_path=${GAMEDB_MYCNF_PATH:-/etc/mysql/mysql.conf.d/gamedb.cnf}
if ! { true <&4; } 2>/dev/null; then
  echo "gamedb: the configure step carries no my.cnf (fd 4)" >&2
  exit 1
fi
cat <&4 >"$d/gamedb.cnf"
if ! sudo -n cmp -s "$d/gamedb.cnf" "$mycnf_path"; then
  sudo -n install -m 0644 -o root -g root "$d/gamedb.cnf" "$mycnf_path"
  if ! sudo -n systemctl is-active --quiet mysql; then
    echo "gamedb: my.cnf changed; starting mysqld"
    sudo -n systemctl restart mysql
  elif state=$(sudo -n mysql -N -B -e "SELECT MEMBER_STATE FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid"); then
    case "$state" in
      ONLINE | RECOVERING)
        echo "gamedb: my.cnf changed; the shard's converge step restarts members one at a time if needed" ;;
      *)
        echo "gamedb: my.cnf changed; restarting mysqld (member state: ${state:-none})"
        sudo -n systemctl restart mysql ;;
    esac
  else
    echo "gamedb: my.cnf changed but the member state of this mysqld cannot be read; not restarting it" >&2
    exit 1
  fi
fi
