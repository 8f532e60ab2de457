#!/usr/bin/env bash
# The system programs the tests run for real, each with the Debian package that provides it: the one list.
# `npm test` (scripts/test.sh) runs this first. When a program is missing: as root with apt-get, it installs exactly
# the missing packages (one `apt-get update`, one `apt-get install`); otherwise it stops, printing the command to run.
#
#   bash scripts/test-deps.sh           check, then install or say how
#   bash scripts/test-deps.sh --list    the table: "program package" per line
#
# Only shell builtins, `id` and `apt-get` are used, so a test can run it with a PATH of stand-ins.
set -euo pipefail

readonly DEPS=(
  # tests/helpers/shellcheck.ts: every shell script and generated command text
  "shellcheck shellcheck"
  # tests/unit/bootstrap.test.ts: bootstrap.sh's key_ok (gpg), test keys generated (gpg starts gpg-agent), the
  # agent stopped afterwards (gpgconf); all three come with gnupg
  "gpg gnupg"
  "gpg-agent gnupg"
  "gpgconf gnupg"
  # tests/helpers/redisFleet.ts: real Redis Cluster nodes, and redis-cli (the Redis controller runs its --cluster fix)
  "redis-server redis-server"
  "redis-cli redis-tools"
  # scripts/lib/standins/mariadb.ts: private MariaDB 10.11 servers on loopback, stand-ins for shards' Routers
  "mariadbd mariadb-server"
  "mariadb-install-db mariadb-server"
)

if [[ ${1:-} == --list ]]; then
  printf '%s\n' "${DEPS[@]}"
  exit 0
fi
if [[ $# -gt 0 ]]; then
  echo "test-deps: unknown argument '$1' (allowed: --list)" >&2
  exit 2
fi

# Sets MISSING_PROGRAMS ("program (package)" each) and MISSING_PACKAGES (each package once, in table order).
find_missing() {
  local entry program package seen
  MISSING_PROGRAMS=()
  MISSING_PACKAGES=()
  for entry in "${DEPS[@]}"; do
    program=${entry%% *}
    package=${entry#* }
    command -v "$program" >/dev/null && continue
    MISSING_PROGRAMS+=("$program ($package)")
    for seen in "${MISSING_PACKAGES[@]}"; do
      [[ $seen == "$package" ]] && continue 2
    done
    MISSING_PACKAGES+=("$package")
  done
}

# "a, b, c"
join() {
  local out=$1 item
  shift
  for item in "$@"; do out+=", $item"; done
  printf '%s' "$out"
}

find_missing
[[ ${#MISSING_PACKAGES[@]} -eq 0 ]] && exit 0
echo "test-deps: the tests run these programs, not found on PATH: $(join "${MISSING_PROGRAMS[@]}")" >&2
uid=$(id -u)

if [[ $uid == 0 ]] && command -v apt-get >/dev/null; then
  echo "test-deps: installing $(join "${MISSING_PACKAGES[@]}")" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${MISSING_PACKAGES[@]}"
  find_missing
  if [[ ${#MISSING_PROGRAMS[@]} -gt 0 ]]; then
    echo "test-deps: still not found after installing: $(join "${MISSING_PROGRAMS[@]}")" >&2
    exit 1
  fi
  exit 0
fi

if [[ $uid == 0 ]]; then
  echo "test-deps: no apt-get here; on Debian or Ubuntu, run:" >&2
  echo "apt-get install -y ${MISSING_PACKAGES[*]}" >&2
else
  echo "test-deps: not root, so not installing them; run:" >&2
  echo "sudo apt-get install -y ${MISSING_PACKAGES[*]}" >&2
fi
exit 1
