#!/usr/bin/env bash
# gamedb host bootstrap (Ubuntu 24.04): data volume, MySQL 8.4 LTS server and MySQL Shell from MySQL's APT
# repository, mysql.service. Idempotent: a re-run on a bootstrapped host changes nothing.
# Inputs (environment):
#   GAMEDB_MYSQL_VERSION  8.4.x, required
#   GAMEDB_DATA_DEVICE    optional: a block device (/dev/nvme1n1), or ebs:vol-... (the EBS volume's NVMe device)
#   GAMEDB_DATA_DIR       default /var/lib/mysql
# `bootstrap.sh --validate-only` checks the inputs and exits.
set -euo pipefail

# MySQL Release Engineering <mysql-build@oss.oracle.com>, rsa4096 created 2023-10-23 (key id B7B3B788A8D3785C).
# Source: MySQL 8.4 manual, 2.1.4.2 "Signature Checking Using GnuPG"; fingerprint recomputed from the key block
# published there. Copies are re-signed when the key's expiry is extended, so an expired copy is skipped.
readonly KEY_FPR=BCA43417C3B485DD128EC6D4B7B3B788A8D3785C
readonly KEY_URLS=(
  https://repo.mysql.com/RPM-GPG-KEY-mysql-2025
  "https://keyserver.ubuntu.com/pks/lookup?op=get&options=mr&search=0x$KEY_FPR"
  https://repo.mysql.com/RPM-GPG-KEY-mysql-2023
)
readonly KEYRING=/usr/share/keyrings/gamedb-mysql.gpg
readonly APT_LIST=/etc/apt/sources.list.d/gamedb-mysql.list
readonly APT_PIN=/etc/apt/preferences.d/gamedb-mysql
readonly MARKER=/var/lib/gamedb/bootstrap.done
readonly DEFAULT_DATA_DIR=/var/lib/mysql

log() { printf 'gamedb-bootstrap: %s\n' "$*"; }
die() {
  printf 'gamedb-bootstrap: error: %s\n' "$*" >&2
  exit 1
}

validate() {
  local errors=() e
  GAMEDB_DATA_DIR=${GAMEDB_DATA_DIR:-$DEFAULT_DATA_DIR}
  GAMEDB_DATA_DEVICE=${GAMEDB_DATA_DEVICE:-}
  [[ ${GAMEDB_MYSQL_VERSION:-} =~ ^8\.4\.[0-9]{1,2}$ ]] ||
    errors+=("GAMEDB_MYSQL_VERSION must be a MySQL 8.4 LTS version such as 8.4.3 (got '${GAMEDB_MYSQL_VERSION:-}')")
  [[ -z $GAMEDB_DATA_DEVICE || $GAMEDB_DATA_DEVICE =~ ^(/dev/[A-Za-z0-9/_-]+|ebs:vol-[0-9a-f]{8,17})$ ]] ||
    errors+=("GAMEDB_DATA_DEVICE must be a block device such as /dev/nvme1n1 or ebs:<volume id> such as ebs:vol-0abc12345 (got '$GAMEDB_DATA_DEVICE')")
  [[ $GAMEDB_DATA_DIR =~ ^(/[A-Za-z0-9_.-]+)+$ && ! $GAMEDB_DATA_DIR =~ /\.\.?(/|$) ]] ||
    errors+=("GAMEDB_DATA_DIR must be an absolute directory path such as /var/lib/mysql (got '$GAMEDB_DATA_DIR')")
  if ((${#errors[@]})); then
    for e in "${errors[@]}"; do printf 'gamedb-bootstrap: error: %s\n' "$e" >&2; done
    exit 2
  fi
}

# put_file PATH MODE < content: writes PATH when its content differs. Status 0: written; 1: already so.
put_file() {
  local tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [[ -f $1 ]] && cmp -s "$tmp" "$1"; then
    rm -f "$tmp"
    return 1
  fi
  install -D -m "$2" "$tmp" "$1"
  rm -f "$tmp"
  log "wrote $1"
}

apt_get() {
  DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

APT_UPDATED=
apt_update() {
  [[ -n $APT_UPDATED ]] || apt_get update
  APT_UPDATED=1
}

# need COMMAND PACKAGE: installs PACKAGE when COMMAND is missing.
need() {
  command -v "$1" >/dev/null || {
    apt_update
    apt_get install --no-install-recommends "$2"
  }
}

preflight() {
  [[ $(id -u) == 0 ]] || die "must run as root"
  # shellcheck source=/dev/null
  [[ -r /etc/os-release ]] && . /etc/os-release
  [[ ${ID:-}/${VERSION_CODENAME:-} == ubuntu/noble ]] || die "needs Ubuntu 24.04 (noble), found ${PRETTY_NAME:-unknown}"
}

# Step 1: the data volume, formatted only when it holds nothing, mounted at the data dir by UUID.
data_volume() {
  local want=$GAMEDB_DATA_DEVICE dir=$GAMEDB_DATA_DIR dev probe rc=0 fstype uuid end
  [[ -n $want ]] || {
    log "no data device: $dir stays on the root filesystem"
    return 0
  }
  if [[ $want == ebs:* ]]; then
    want=${want#ebs:}
    want=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${want/-/}
  fi
  if [[ ! -b $want ]]; then
    log "waiting up to 5 minutes for $want"
    end=$((SECONDS + 300))
    until [[ -b $want ]]; do
      ((SECONDS < end)) || die "data device $want did not appear within 5 minutes"
      sleep 3
    done
  fi
  dev=$(readlink -f "$want")
  probe=$(blkid -p -o export "$dev") || rc=$?
  ((rc == 0 || rc == 2)) || die "blkid cannot probe $dev (exit $rc)"
  fstype=$(sed -n 's/^TYPE=//p' <<<"$probe")
  if [[ -z $fstype ]]; then
    grep -q '^PTTYPE=' <<<"$probe" && die "$dev has a partition table but no filesystem; refusing to format it"
    need mkfs.xfs xfsprogs
    log "formatting $dev with XFS (blkid found no filesystem on it)"
    mkfs.xfs -q -L gamedb-data "$dev"
    udevadm settle || true
    fstype=xfs
  elif ! grep -qx 'USAGE=filesystem' <<<"$probe"; then
    die "$dev holds $fstype, not a filesystem"
  fi
  uuid=$(blkid -p -o value -s UUID "$dev")
  [[ -n $uuid ]] || die "no filesystem UUID on $dev"
  if ! awk -v u="UUID=$uuid" '$1 == u { f = 1 } END { exit !f }' /etc/fstab; then
    awk -v d="$dir" '$1 !~ /^#/ && $2 == d { f = 1 } END { exit !f }' /etc/fstab &&
      die "/etc/fstab already mounts another device at $dir"
    printf 'UUID=%s %s %s defaults,noatime,nofail 0 2\n' "$uuid" "$dir" "$fstype" >>/etc/fstab
    log "added UUID=$uuid $dir to /etc/fstab"
    systemctl daemon-reload
  fi
  if mountpoint -q "$dir"; then
    [[ $(readlink -f "$(findmnt -n -o SOURCE --mountpoint "$dir")") == "$dev" ]] ||
      die "$dir is already a mount point of another device"
  else
    mkdir -p "$dir"
    [[ -z $(ls -A "$dir") ]] || die "$dir is not empty; refusing to mount $dev over it"
    mount "$dir"
    log "mounted $dev at $dir"
  fi
}

# The mysql account and data dir, before the package: its postinst initialises an empty data dir in place.
prepare_host() {
  local dir=$GAMEDB_DATA_DIR
  getent group mysql >/dev/null || groupadd --system mysql
  getent passwd mysql >/dev/null ||
    useradd --system --gid mysql --home-dir "$DEFAULT_DATA_DIR" --no-create-home --shell /bin/false \
      --comment "MySQL Server" mysql
  mkdir -p "$dir"
  [[ $(stat -c %U:%G "$dir") == mysql:mysql ]] || chown mysql:mysql "$dir"
  [[ $(stat -c %a "$dir") == 750 ]] || chmod 0750 "$dir"
  if [[ $dir != "$DEFAULT_DATA_DIR" ]]; then
    # mysql.conf.d is read in name order: this file comes after the package's mysqld.cnf (datadir=/var/lib/mysql).
    put_file /etc/mysql/mysql.conf.d/zz-gamedb-datadir.cnf 0644 <<EOF || true
# Generated by gamedb bootstrap: the data directory.
[mysqld]
datadir = $dir
EOF
    if put_file /etc/apparmor.d/local/usr.sbin.mysqld 0644 <<EOF; then
# Generated by gamedb bootstrap: the data directory.
$dir/ r,
$dir/** rwk,
EOF
      if [[ -f /etc/apparmor.d/usr.sbin.mysqld ]] && aa-enabled -q 2>/dev/null; then
        apparmor_parser -r -T -W /etc/apparmor.d/usr.sbin.mysqld
      fi
    fi
  fi
  # The packaged unit allows 10000 descriptors; mysqld wants about 5 per connection (max_connections up to 10000).
  # With a data volume, mysqld must never start on the root filesystem's empty directory when the mount is missing
  # (the fstab entry is nofail so the host still boots): RequiresMountsFor ties the unit to the mount.
  # A change reaches a running mysqld at its next restart.
  local unit_conf
  unit_conf=$'# Generated by gamedb bootstrap.\n'
  if [[ -n $GAMEDB_DATA_DEVICE ]]; then
    unit_conf+=$'[Unit]\n'"RequiresMountsFor=$GAMEDB_DATA_DIR"$'\n'
  fi
  unit_conf+=$'[Service]\nLimitNOFILE=65536\n'
  if printf '%s' "$unit_conf" | put_file /etc/systemd/system/mysql.service.d/gamedb.conf 0644; then
    systemctl daemon-reload
  fi
}

# key_ok FILE: FILE holds one primary key, MySQL's (full fingerprint), neither expired nor revoked.
key_ok() {
  gpg --batch --with-colons --show-keys "$1" 2>/dev/null | awk -F: -v fpr="$KEY_FPR" '
    $1 == "pub" { n++; bad = ($2 == "e" || $2 == "r"); next_fpr = 1; next }
    $1 == "fpr" && next_fpr { ok = ($10 == fpr && !bad); next_fpr = 0 }
    END { exit !(n == 1 && ok) }'
}

# Step 2: MySQL's APT repository, trusted only through the pinned key.
apt_repo() {
  local url arch
  need curl curl
  need gpg gnupg
  if ! key_ok "$KEYRING"; then
    for url in "${KEY_URLS[@]}"; do
      log "fetching MySQL's signing key from $url"
      if curl -fsSL --retry 5 --retry-delay 3 --max-time 60 -o "$WORK/key.asc" "$url" && key_ok "$WORK/key.asc"; then
        gpg --batch --quiet --import "$WORK/key.asc"
        gpg --batch --export "$KEY_FPR" >"$WORK/key.gpg"
        key_ok "$WORK/key.gpg" || die "exported key does not verify"
        install -m 0644 "$WORK/key.gpg" "$KEYRING"
        log "trusting MySQL's signing key $KEY_FPR in $KEYRING"
        APT_UPDATED=
        break
      fi
      log "skipped $url: no current copy of key $KEY_FPR there"
    done
    key_ok "$KEYRING" || die "could not get a current copy of MySQL's signing key $KEY_FPR"
  fi
  arch=$(dpkg --print-architecture)
  if put_file "$APT_LIST" 0644 <<EOF; then
deb [arch=$arch signed-by=$KEYRING] https://repo.mysql.com/apt/ubuntu noble mysql-8.4-lts mysql-tools
EOF
    APT_UPDATED=
  fi
}

installed() { dpkg-query -W -f='${db:Status-Abbrev}${Version}' "$1" 2>/dev/null | sed -n 's/^ii *//p'; }

# Step 3: server and Shell at exactly the requested version, held.
install_mysql() {
  local v=$GAMEDB_MYSQL_VERSION-1ubuntu24.04 p held note=
  put_file "$APT_PIN" 0644 <<EOF || true
Package: mysql-server mysql-client mysql-common mysql-community-* mysql-shell
Pin: version $v
Pin-Priority: 1001
EOF
  if [[ $(installed mysql-community-server) == "$v" && $(installed mysql-shell) == "$v" ]]; then
    log "MySQL server and Shell $v already installed"
  else
    # An empty root password: root@localhost authenticates with auth_socket.
    debconf-set-selections <<'EOF'
mysql-community-server mysql-community-server/root-pass password
mysql-community-server mysql-community-server/re-root-pass password
EOF
    apt_update
    [[ $(dpkg --print-architecture) == amd64 ]] || note=" (MySQL publishes its Ubuntu packages for amd64 only)"
    for p in mysql-community-server mysql-shell; do
      apt-cache show "$p=$v" >/dev/null 2>&1 || die "$p $v is not in MySQL's APT repository for this host$note;" \
        "versions there: $(apt-cache madison "$p" | awk '{ print $3 }' | paste -sd ' ')"
    done
    log "installing MySQL server and Shell $v"
    apt_get install --allow-change-held-packages --allow-downgrades \
      "mysql-server=$v" "mysql-community-server=$v" "mysql-shell=$v"
  fi
  held=$(apt-mark showhold)
  for p in $(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'mysql-*' 2>/dev/null | awk '$1 == "ii" { print $2 }'); do
    grep -qx "$p" <<<"$held" || apt-mark hold "$p"
  done
}

# Step 4: mysqld running from the data dir.
start_mysql() {
  local actual
  systemctl is-enabled --quiet mysql.service || systemctl enable mysql.service
  systemctl is-active --quiet mysql.service || systemctl start mysql.service
  if command -v my_print_defaults >/dev/null; then
    actual=$(my_print_defaults mysqld | sed -n 's/^--datadir=//p' | tail -n 1)
    [[ ${actual%/} == "$GAMEDB_DATA_DIR" ]] || die "mysqld's datadir is '$actual', not $GAMEDB_DATA_DIR"
  fi
  [[ -f $GAMEDB_DATA_DIR/mysql.ibd ]] || die "$GAMEDB_DATA_DIR holds no initialised MySQL data directory"
  [[ $(stat -c %U "$GAMEDB_DATA_DIR/mysql.ibd") == mysql ]] || die "$GAMEDB_DATA_DIR is not owned by mysql"
  log "mysql.service is running with its data in $GAMEDB_DATA_DIR"
}

main() {
  exec </dev/null # `bash -s` reads this script from stdin: no command may consume it
  validate
  [[ ${1:-} != --validate-only ]] || return 0
  preflight
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  export GNUPGHOME=$WORK/gnupg
  mkdir -m 0700 "$GNUPGHOME"
  log "MySQL $GAMEDB_MYSQL_VERSION, data dir $GAMEDB_DATA_DIR, data device ${GAMEDB_DATA_DEVICE:-none}"
  data_volume
  prepare_host
  apt_repo
  install_mysql
  start_mysql
  put_file "$MARKER" 0644 <<<"$GAMEDB_MYSQL_VERSION" || true
  log "done"
}

main "$@"
