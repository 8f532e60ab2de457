# Sourced by adminapi.sh for the configure step, before install-mycnf.sh (needs $d holding secrets.json): installs the
# member's CA certificate, certificate and key, which arrive among the step's secrets on stdin (tlsCaPem, tlsCertPem,
# tlsKeyPem: PEM text in the JSON infra/mysql/innodbCluster.ts writes), into the directory my.cnf's ssl_ca, ssl_cert
# and ssl_key name (TLS_DIR in infra/mysql/mycnf.ts), the key 0600 and owned by mysql. The PEMs pass only through
# this shell and files under $d (tmpfs, removed on exit): never an argument, the environment or a log line.
# When a file changed and mysqld runs, mysqld is pointed at the files and reloads them (ALTER INSTANCE RELOAD TLS:
# new connections get the new certificate, open ones keep theirs; MySQL 8.4 Reference Manual, "Server-Side Runtime
# Configuration and Monitoring for Encrypted Connections"), so a renewed certificate needs no restart.
# shellcheck shell=bash
: "${d:?install-tls.sh is sourced by adminapi.sh, which sets d}"
tls_dir=${GAMEDB_TLS_DIR:-/etc/mysql/gamedb-tls}

# tls_pem NAME FILE: writes the PEM at "NAME" of secrets.json to FILE. JSON.stringify escapes nothing in PEM text but
# its newlines, so the value is read as a run of PEM characters and \n, and anything else is refused.
tls_pem() {
  local v
  v=$(grep -o "\"$1\":\"[-A-Za-z0-9+/= \\\\]*\"" "$d/secrets.json" | head -n 1) || true
  v=${v#*\":\"}
  v=${v%\"}
  v=${v//\\n/$'\n'}
  if [[ $v != "-----BEGIN "* || $v != *"-----END "* || $v == *\\* ]]; then
    echo "gamedb: secrets.$1 is missing or not one PEM text; the configure step passes the member's TLS files on stdin. Rerun the step." >&2
    exit 1
  fi
  printf '%s' "$v" >"$2"
}

tls_pem tlsCaPem "$d/ca.pem"
tls_pem tlsCertPem "$d/server-cert.pem"
tls_pem tlsKeyPem "$d/server-key.pem"
sudo -n install -d -m 0750 -o mysql -g mysql "$tls_dir"
for f in ca.pem server-cert.pem server-key.pem; do
  if ! sudo -n cmp -s "$d/$f" "$tls_dir/$f"; then
    mode=0644
    [[ $f == server-key.pem ]] && mode=0600
    sudo -n install -m "$mode" -o mysql -g mysql "$d/$f" "$tls_dir/$f"
    echo "gamedb: wrote $tls_dir/$f"
  fi
done
# A running mysqld reloads every time, changed files or not: a reload that failed before (the files were installed
# already) must be retried by the next run, and the step runs only when its inputs change.
if sudo -n systemctl is-active --quiet mysql; then
  if ! sudo -n mysql -e "SET GLOBAL ssl_ca = '$tls_dir/ca.pem', ssl_cert = '$tls_dir/server-cert.pem', ssl_key = '$tls_dir/server-key.pem'; ALTER INSTANCE RELOAD TLS"; then
    echo "gamedb: mysqld did not load the new TLS files in $tls_dir (see its error above); it keeps its previous ones" >&2
    exit 1
  fi
  echo "gamedb: mysqld reloaded its TLS files"
fi
