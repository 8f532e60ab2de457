#!/bin/bash
# MySQL Router start for one shard (gamedb): bootstrap against the first reachable member with the existing router
# account (never creating one), configuration in an emptyDir, then run the router in the foreground, logging to the
# console.
# Inputs (environment): ROUTER_MEMBERS ("host:3306 host:3306 ..."), ROUTER_ACCOUNT (the account's name),
# ROUTER_CONF_DIR (an empty, writable directory). The account's password is read from the file ROUTER_PASSWORD_FILE
# (a Secret volume), given to mysqlrouter on stdin: never on a command line or in the environment. ROUTER_CA_FILE is
# the stack CA's certificate (public), which signed every member's certificate. ROUTER_CLIENT_CERT_FILE and
# ROUTER_CLIENT_KEY_FILE (the Secret volume) are what the Router presents to clients that use TLS: a certificate from
# the same CA for the Service's names (--client-ssl-cert/--client-ssl-key; --client-ssl-mode PREFERRED keeps plain
# clients working: mysql/mysql-server router/src/router/src/router_app.cc).
# TLS to the members (every member has require_secure_transport=ON): every routed connection uses
# --server-ssl-mode REQUIRED with --server-ssl-verify VERIFY_IDENTITY and --server-ssl-ca, so a client that reaches
# the Router without TLS still reaches the server over verified TLS. Without them the Router's server_ssl_mode is
# AS_CLIENT when unset (kDefaultServerSslMode) and PREFERRED as bootstrap writes it (kDefaultServerSslModeBootstrap),
# and server_ssl_verify DISABLED (mysql/mysql-server 8.4 router/src/routing/include/mysqlrouter/routing.h; options
# in router/src/router/src/router_app.cc). VERIFY_IDENTITY checks the destination's address as an IP first, then as
# a name (router/src/harness/src/tls_client_context.cc verify_hostname: X509_VERIFY_PARAM_set1_ip_asc, then
# set1_host), and members' certificates name the address the metadata gives the Router (infra/mysql/memberTls.ts).
# The bootstrap's and the metadata cache's connections use --ssl-mode VERIFY_CA with --ssl-ca ("SSL connection mode
# for use during bootstrap and normal operation, when connecting to the metadata server"): the chain is verified;
# their address check goes through the client library, not read here, so it is not relied on.
set -euo pipefail

log() { printf 'gamedb-router: %s\n' "$*"; }
die() {
  log "$*" >&2
  exit 1
}

: "${ROUTER_MEMBERS:?ROUTER_MEMBERS must list the members of the shard as host:port}"
: "${ROUTER_ACCOUNT:?ROUTER_ACCOUNT must name the router account}"
: "${ROUTER_CONF_DIR:?ROUTER_CONF_DIR must be a writable directory}"
: "${ROUTER_PASSWORD_FILE:?ROUTER_PASSWORD_FILE must be the file holding the account password}"
: "${ROUTER_CA_FILE:?ROUTER_CA_FILE must be the CA certificate that signed the certificates of the members}"
: "${ROUTER_CLIENT_CERT_FILE:?ROUTER_CLIENT_CERT_FILE must be the certificate the Router presents to clients}"
: "${ROUTER_CLIENT_KEY_FILE:?ROUTER_CLIENT_KEY_FILE must be the key of ROUTER_CLIENT_CERT_FILE}"
[[ -r $ROUTER_PASSWORD_FILE ]] || die "cannot read ROUTER_PASSWORD_FILE $ROUTER_PASSWORD_FILE"
for f in ROUTER_CA_FILE ROUTER_CLIENT_CERT_FILE ROUTER_CLIENT_KEY_FILE; do
  [[ -r ${!f} ]] || die "cannot read $f ${!f}"
done

password=$(head -n 1 "$ROUTER_PASSWORD_FILE")
[[ -n $password ]] || die "ROUTER_PASSWORD_FILE $ROUTER_PASSWORD_FILE is empty"

# Bootstrap asks for the password of the bootstrap user, then of --account (the same account here).
# No --conf-use-gr-notifications: the router's Group Replication notification listener logs in to each member's X
# port with ssl-mode PREFERRED and no CA (mysql-server router metadata_cache gr_notifications.cc), so it would send
# the account's password over TLS nobody verified; the metadata cache's polling (every ttl) finds changes without it.
read -r -a members <<<"$ROUTER_MEMBERS"
for member in "${members[@]}"; do
  log "bootstrapping against $member"
  if printf '%s\n%s\n' "$password" "$password" | mysqlrouter \
    --bootstrap "$ROUTER_ACCOUNT@$member" \
    --directory "$ROUTER_CONF_DIR" \
    --force \
    --account "$ROUTER_ACCOUNT" \
    --account-create never \
    --conf-bind-address 0.0.0.0 \
    --ssl-mode VERIFY_CA \
    --ssl-ca "$ROUTER_CA_FILE" \
    --server-ssl-mode REQUIRED \
    --server-ssl-verify VERIFY_IDENTITY \
    --server-ssl-ca "$ROUTER_CA_FILE" \
    --client-ssl-mode PREFERRED \
    --client-ssl-cert "$ROUTER_CLIENT_CERT_FILE" \
    --client-ssl-key "$ROUTER_CLIENT_KEY_FILE"; then
    unset password
    conf="$ROUTER_CONF_DIR/mysqlrouter.conf"
    # An empty logging_folder makes the router log to the console, where kubectl logs reads it, instead of a file in
    # the emptyDir. Oracle's router image does exactly this after its bootstrap (mysql/mysql-docker main
    # mysql-router/8.4/run.sh: sed -i -e 's/logging_folder=.*$/logging_folder=/' .../mysqlrouter.conf), and the
    # operator's router Deployment runs that entrypoint (mysql-operator 8.4.3-2.1.5
    # mysqloperator/controller/innodbcluster/router_objects.py). Bootstrap writes the key at the start of a line in
    # [DEFAULT]. A missing file is left to mysqlrouter -c to report.
    if [[ -f $conf ]]; then
      sed -i -e 's/^logging_folder=.*$/logging_folder=/' "$conf"
    fi
    log "bootstrapped; starting the router (logging to the console)"
    exec mysqlrouter -c "$conf"
  fi
  log "bootstrap against $member failed; trying the next member"
done
die "no member of ${ROUTER_MEMBERS} accepted the bootstrap: check that the shard's cluster is ONLINE and that the ${ROUTER_ACCOUNT} account exists (the shard's accounts step)"
