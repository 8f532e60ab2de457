#!/usr/bin/env bash
# Redis Cluster topology for the gamedb-redis StatefulSet (pods gamedb-redis-0..N-1, N = masters x (1 + replicas)).
# Two Kubernetes Jobs run this one script, with the redis:7 image's redis-cli:
#
#   reconcile.sh drain      BEFORE the StatefulSet is resized. On scale-in, moves every slot off the masters whose
#                           pods go (ordinals >= N), moves staying replicas off going masters, then removes the going
#                           nodes from the cluster (--cluster del-node), so the pods can be deleted without losing a
#                           key. Nothing to do (exit 0) on first creation or scale-out. Fails when going pods exist but
#                           the cluster cannot be reached.
#   reconcile.sh reconcile  AFTER the resize, when the pods run. Waits for every desired node, then creates the
#                           cluster, or adds the new nodes (masters first, slots rebalanced onto them, then replicas),
#                           forgets unreachable nodes that are not desired, fixes open slots, and checks the result:
#                           all 16384 slots covered, M masters, each with exactly R replicas. A second run changes
#                           nothing.
#
# Masters and replicas are read from CLUSTER NODES, never from ordinals (after failovers any ordinal may be a
# master); ordinals only say which pods are desired (< N) and which go (>= N).
#
# Inputs, environment only:
#   REDIS_MASTERS              M, 3..1000
#   REDIS_REPLICAS_PER_MASTER  R, 0..5
#   REDIS_HOST_TEMPLATE        host of pod i, "{i}" replaced by the ordinal
#                              (gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local)
#   REDIS_PORT_BASE            port of pod 0 (6379)
#   REDIS_PORT_STEP            pod i listens on REDIS_PORT_BASE + i * REDIS_PORT_STEP (0 in Kubernetes)
#   REDIS_MAX_ORDINAL_PROBE    drain: ordinals N..N+probe-1 are looked at for going pods (default 64)
#   REDIS_WAIT_SECONDS         bound on each wait (nodes answering, cluster agreeing, failover) (default 300)
#   REDISCLI_AUTH              the password, read by redis-cli itself; unset or empty: no password
#
# redis-cli 7.0 behaviour this relies on (checked against 7.0.15):
# - --cluster create / add-node accept host names (redis-cli resolves them for CLUSTER MEET, which needs an IP).
# - A master that loses its last slot turns into a replica of the receiver while cluster-allow-replica-migration
#   is yes, and a rebalance still holding the old view then fails ("Please use SETSLOT only with masters"); drain
#   turns that option off on the masters it empties, so they stay empty masters until del-node.
# - --cluster check exits 0 with a failed replica in the cluster, so replica counts are taken from CLUSTER NODES.
set -euo pipefail

readonly PREFIX="redis-reconcile:"
# Bound on one plain redis-cli command (a connection that hangs must not hang the Job).
readonly CMD_TIMEOUT=15

log() { printf '%s %s\n' "$PREFIX" "$*"; }
die() {
  printf '%s ERROR: %s\n' "$PREFIX" "$*" >&2
  exit 1
}
invalid() {
  printf '%s ERROR: %s\n' "$PREFIX" "$*" >&2
  exit 2
}

# --- inputs ------------------------------------------------------------------------------------------------------

if [[ $# -ne 1 || ($1 != drain && $1 != reconcile) ]]; then
  invalid "usage: reconcile.sh drain|reconcile"
fi
readonly MODE=$1

# is_int VALUE MIN MAX: VALUE is a decimal integer (no sign, at most 6 digits) within MIN..MAX.
is_int() {
  [[ $1 =~ ^[0-9]{1,6}$ ]] && ((10#$1 >= $2 && 10#$1 <= $3))
}

REDIS_MASTERS=${REDIS_MASTERS-}
REDIS_REPLICAS_PER_MASTER=${REDIS_REPLICAS_PER_MASTER-}
REDIS_HOST_TEMPLATE=${REDIS_HOST_TEMPLATE-}
REDIS_PORT_BASE=${REDIS_PORT_BASE-}
REDIS_PORT_STEP=${REDIS_PORT_STEP-}
REDIS_MAX_ORDINAL_PROBE=${REDIS_MAX_ORDINAL_PROBE:-64}
REDIS_WAIT_SECONDS=${REDIS_WAIT_SECONDS:-300}

is_int "$REDIS_MASTERS" 3 1000 ||
  invalid "REDIS_MASTERS must be an integer from 3 to 1000 (a Redis Cluster needs at least 3 masters), got '$REDIS_MASTERS'"
is_int "$REDIS_REPLICAS_PER_MASTER" 0 5 ||
  invalid "REDIS_REPLICAS_PER_MASTER must be an integer from 0 to 5, got '$REDIS_REPLICAS_PER_MASTER'"
is_int "$REDIS_PORT_BASE" 1 65535 ||
  invalid "REDIS_PORT_BASE must be a port number from 1 to 65535, got '$REDIS_PORT_BASE'"
is_int "$REDIS_PORT_STEP" 0 1000 ||
  invalid "REDIS_PORT_STEP must be an integer from 0 to 1000 (0: every pod listens on REDIS_PORT_BASE), got '$REDIS_PORT_STEP'"
is_int "$REDIS_MAX_ORDINAL_PROBE" 1 1000 ||
  invalid "REDIS_MAX_ORDINAL_PROBE must be an integer from 1 to 1000, got '$REDIS_MAX_ORDINAL_PROBE'"
is_int "$REDIS_WAIT_SECONDS" 1 86400 ||
  invalid "REDIS_WAIT_SECONDS must be an integer from 1 to 86400, got '$REDIS_WAIT_SECONDS'"
# A DNS name (labels of letters, digits and '-', separated by '.') or an IPv4 address, with "{i}" for the ordinal.
host_probe=${REDIS_HOST_TEMPLATE//\{i\}/0}
if [[ ! $host_probe =~ ^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$ ||
  ${#REDIS_HOST_TEMPLATE} -gt 253 ]]; then
  invalid "REDIS_HOST_TEMPLATE must be a host name (letters, digits, '-' and '.') with {i} for the pod ordinal, e.g. gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local, got '$REDIS_HOST_TEMPLATE'"
fi
if ((10#$REDIS_PORT_STEP == 0)) && [[ $REDIS_HOST_TEMPLATE != *'{i}'* ]]; then
  invalid "REDIS_HOST_TEMPLATE must contain {i} when REDIS_PORT_STEP is 0 (every pod listens on the same port), got '$REDIS_HOST_TEMPLATE'"
fi
unset host_probe

readonly M=$((10#$REDIS_MASTERS))
readonly R=$((10#$REDIS_REPLICAS_PER_MASTER))
readonly N=$((M * (1 + R)))
readonly PORT_BASE=$((10#$REDIS_PORT_BASE))
readonly PORT_STEP=$((10#$REDIS_PORT_STEP))
readonly PROBE=$((10#$REDIS_MAX_ORDINAL_PROBE))
readonly WAIT=$((10#$REDIS_WAIT_SECONDS))
if ((PORT_BASE + (N - 1) * PORT_STEP > 65535)); then
  invalid "REDIS_PORT_BASE + (N - 1) x REDIS_PORT_STEP exceeds 65535 (N = $N nodes)"
fi

# redis-cli would send AUTH with an empty password; no password means no AUTH at all.
if [[ -z ${REDISCLI_AUTH-} ]]; then
  unset REDISCLI_AUTH
fi
command -v redis-cli >/dev/null || die "redis-cli not found on PATH"
command -v timeout >/dev/null || die "timeout (coreutils) not found on PATH"

# --- addresses and plain commands ---------------------------------------------------------------------------------

host_of() { printf '%s' "${REDIS_HOST_TEMPLATE//\{i\}/$1}"; }
port_of() { printf '%s' $((PORT_BASE + $1 * PORT_STEP)); }
addr_of() { printf '%s:%s' "$(host_of "$1")" "$(port_of "$1")"; }

# cli HOST PORT ARGS...: one command; output without carriage returns; non-zero exit on a connection or reply error.
cli() {
  local host=$1 port=$2 out
  shift 2
  out=$(timeout "$CMD_TIMEOUT" redis-cli -e -h "$host" -p "$port" "$@") || return 1
  printf '%s\n' "${out//$'\r'/}"
}

# ping HOST PORT: 0 when the node answers PONG; the error otherwise in LAST_ERROR.
LAST_ERROR=""
ping() {
  local out
  if out=$(timeout "$CMD_TIMEOUT" redis-cli -e -h "$1" -p "$2" PING 2>&1) && [[ $out == PONG ]]; then
    return 0
  fi
  LAST_ERROR=${out:-no answer within ${CMD_TIMEOUT}s}
  LAST_ERROR=${LAST_ERROR//$'\n'/ }
  return 1
}

# no_such_host: the last ping failed because the host name does not exist (a pod that does not exist has no DNS
# name). Anything else (refused, timeout, DNS server unreachable) may be a pod that exists but is down.
no_such_host() {
  [[ $LAST_ERROR == *"Name or service not known"* || $LAST_ERROR == *"No address associated with hostname"* ]]
}

# info_field TEXT FIELD: the value of "field:value" in INFO / CLUSTER INFO text.
info_field() {
  local line
  while IFS= read -r line; do
    if [[ $line == "$2:"* ]]; then
      printf '%s' "${line#*:}"
      return 0
    fi
  done <<<"$1"
  return 1
}

# cluster ARGS...: redis-cli --cluster, its output streamed as progress lines (colours and progress bars dropped).
cluster() {
  local rc
  log "redis-cli --cluster $*"
  set +e
  redis-cli --cluster "$@" 2>&1 | sed -u -e 's/\x1b\[[0-9;]*m//g' -e '/^#*$/d' -e '/^Moving slot [0-9]* from /d' \
    -e "s/^/$PREFIX   /"
  rc=${PIPESTATUS[0]}
  set -e
  return "$rc"
}

# --- the cluster as one node sees it (CLUSTER NODES) --------------------------------------------------------------

declare -a NODE_IDS=()
declare -A NODE_IP=() NODE_PORT=() NODE_HOSTNAME=() NODE_FLAGS=() NODE_MASTER=() NODE_SLOTS=()

# count_slots SLOTS...: how many slots the CLUSTER NODES slot fields cover (open-slot markers "[...]" excluded).
count_slots() {
  local n=0 tok
  for tok in "$@"; do
    case $tok in
    \[*) ;;
    *-*) n=$((n + ${tok#*-} - ${tok%-*} + 1)) ;;
    *) n=$((n + 1)) ;;
    esac
  done
  printf '%s' "$n"
}

# load_nodes HOST PORT: fill the NODE_* tables from that node's CLUSTER NODES.
load_nodes() {
  local text line id addr flags master hostport
  local -a fields
  text=$(cli "$1" "$2" CLUSTER NODES) || return 1
  NODE_IDS=()
  NODE_IP=() NODE_PORT=() NODE_HOSTNAME=() NODE_FLAGS=() NODE_MASTER=() NODE_SLOTS=()
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    read -ra fields <<<"$line"
    id=${fields[0]} addr=${fields[1]} flags=${fields[2]} master=${fields[3]}
    hostport=${addr%%@*}
    NODE_IDS+=("$id")
    NODE_IP[$id]=${hostport%:*}
    NODE_PORT[$id]=${hostport##*:}
    NODE_HOSTNAME[$id]=""
    if [[ $addr == *,* ]]; then NODE_HOSTNAME[$id]=${addr#*,}; fi
    NODE_FLAGS[$id]=",${flags},"
    NODE_MASTER[$id]=$master
    NODE_SLOTS[$id]=$(count_slots "${fields[@]:8}")
  done <<<"$text"
}

is_master() { [[ ${NODE_FLAGS[$1]} == *,master,* ]]; }
is_replica() { [[ ${NODE_FLAGS[$1]} == *,slave,* ]]; }
is_failing() { [[ ${NODE_FLAGS[$1]} =~ ,(fail|fail\?|handshake|noaddr), ]]; }
short() { printf '%s' "${1:0:8}"; }

# Where to reach a node: the desired pod's host name when it is one, else the address it reports.
declare -A ID_HOST=() ID_PORT=()
node_host() { printf '%s' "${ID_HOST[$1]:-${NODE_IP[$1]}}"; }
node_port() { printf '%s' "${ID_PORT[$1]:-${NODE_PORT[$1]}}"; }
node_cli() {
  local id=$1
  shift
  cli "$(node_host "$id")" "$(node_port "$id")" "$@"
}
node_name() { printf '%s (%s:%s)' "$(short "$1")" "$(node_host "$1")" "$(node_port "$1")"; }

# node_alive ID: the node's address answers, and with that node ID (a pod IP may have been reused by another pod).
node_alive() {
  local host port myid
  host=$(node_host "$1") port=$(node_port "$1")
  [[ -n $host && $port != 0 ]] || return 1
  myid=$(cli "$host" "$port" CLUSTER MYID 2>/dev/null) || return 1
  [[ $myid == "$1" ]]
}

# masters / replicas_of: healthy masters and the healthy replicas following one.
masters() {
  local id
  for id in "${NODE_IDS[@]}"; do
    if is_master "$id" && ! is_failing "$id"; then printf '%s\n' "$id"; fi
  done
}
replicas_of() {
  local id
  for id in "${NODE_IDS[@]}"; do
    if is_replica "$id" && ! is_failing "$id" && [[ ${NODE_MASTER[$id]} == "$1" ]]; then printf '%s\n' "$id"; fi
  done
}
count_lines() { if [[ -z $1 ]]; then printf 0; else printf '%s' "$(wc -l <<<"$1")"; fi; }

# fewest_replicas IDS...: the master among IDS with the fewest replicas (the first of them on a tie).
fewest_replicas() {
  local id best="" best_n=999999 n
  for id in "$@"; do
    n=$(count_lines "$(replicas_of "$id")")
    if ((n < best_n)); then best=$id best_n=$n; fi
  done
  printf '%s' "$best"
}

# --- waiting ------------------------------------------------------------------------------------------------------

# normalized_view HOST PORT: a node's CLUSTER NODES reduced to "id role master slots" lines for the nodes in
# WAIT_SET (open-slot markers left out: check_slots deals with them), sorted; a line "UNSETTLED" when the node sees
# one of them failing, in handshake or without address.
declare -A WAIT_SET=()
normalized_view() {
  local text line role tok
  local -a fields slots
  text=$(cli "$1" "$2" CLUSTER NODES) || return 1
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    read -ra fields <<<"$line"
    # Nodes outside the waited-on set (a gone node about to be forgotten) do not count.
    [[ -n ${WAIT_SET[${fields[0]}]-} ]] || continue
    if [[ ",${fields[2]}," =~ ,(fail|fail\?|handshake|noaddr), ]]; then
      printf 'UNSETTLED\n'
    fi
    role=master
    [[ ",${fields[2]}," != *,slave,* ]] || role=slave
    slots=()
    for tok in "${fields[@]:8}"; do [[ $tok == '['* ]] || slots+=("$tok"); done
    printf '%s %s %s %s\n' "${fields[0]}" "$role" "${fields[3]}" "${slots[*]}"
  done <<<"$text" | sort
}

# wait_agree IDS...: until every one of these nodes sees the same nodes, roles and slots, none failing, reports
# cluster_state:ok, and every replica's link to its master is up.
wait_agree() {
  local deadline=$((SECONDS + WAIT)) next_log=$((SECONDS + 10)) id first view settled reason info
  WAIT_SET=()
  for id in "$@"; do WAIT_SET[$id]=1; done
  while :; do
    settled=1 reason="" first=""
    for id in "$@"; do
      if ! view=$(normalized_view "$(node_host "$id")" "$(node_port "$id")"); then
        settled=0 reason="$(node_name "$id") does not answer"
        break
      fi
      if [[ $view == *UNSETTLED* ]]; then
        settled=0 reason="$(node_name "$id") sees a failing node"
        break
      fi
      if [[ -z $first ]]; then
        first=$view
      elif [[ $view != "$first" ]]; then
        settled=0 reason="$(node_name "$id") does not agree yet about nodes and slots"
        break
      fi
    done
    if ((settled)); then
      # A master that just joined or restarted answers CLUSTERDOWN for a while (2 s in 7.0), even to MIGRATE.
      for id in "$@"; do
        info=$(node_cli "$id" CLUSTER INFO 2>/dev/null) || info=""
        if [[ $(info_field "$info" cluster_state || true) != ok ]]; then
          settled=0 reason="$(node_name "$id") does not report cluster_state:ok yet"
          break
        fi
      done
    fi
    if ((settled)); then
      for id in "$@"; do
        info=$(node_cli "$id" INFO replication 2>/dev/null) || info=""
        if [[ $(info_field "$info" role || true) == slave && $(info_field "$info" master_link_status || true) != up ]]; then
          settled=0 reason="replica $(node_name "$id") is not in sync with its master yet"
          break
        fi
      done
    fi
    ((settled)) && return 0
    ((SECONDS < deadline)) || die "the cluster did not settle within ${WAIT}s: $reason"
    if ((SECONDS >= next_log)); then
      log "waiting: $reason"
      next_log=$((SECONDS + 10))
    fi
    sleep 0.5
  done
}

# check_slots HOST PORT: fix open slots (left by an interrupted migration) with --cluster fix, then require
# --cluster check to pass with all 16384 slots covered. Uncovered slots are not "fixed" (that would hand them to
# empty masters and hide a lost master): the script stops.
check_slots() {
  local out rc=0
  out=$(redis-cli --cluster check "$1:$2" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g') || rc=$?
  if [[ $out == *"slots are open"* || $out == *"in migrating state"* || $out == *"in importing state"* ]]; then
    log "open slots found: fixing them"
    cluster fix "$1:$2" || true
    rc=0
    out=$(redis-cli --cluster check "$1:$2" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g') || rc=$?
  fi
  if ((rc != 0)) || [[ $out != *"[OK] All 16384 slots covered."* ]]; then
    printf '%s\n' "$out" | grep -E '^\[(ERR|WARNING)\]' | sed -e "s/^/$PREFIX   /" >&2 || true
    die "redis-cli --cluster check $1:$2 fails (see above); not changing the cluster"
  fi
}

# forget ID: every reachable node forgets a node that is gone (its replicas first moved to another master).
forget() {
  local gone=$1 id target
  local -a others=()
  for id in $(masters); do [[ $id == "$gone" ]] || others+=("$id"); done
  for id in $(replicas_of "$gone"); do
    target=$(fewest_replicas "${others[@]}")
    log "replica $(node_name "$id") follows $(short "$gone"), which is gone: it now replicates $(node_name "$target")"
    node_cli "$id" CLUSTER REPLICATE "$target" >/dev/null || die "CLUSTER REPLICATE on $(node_name "$id") failed"
  done
  for id in "${NODE_IDS[@]}"; do
    [[ $id != "$gone" ]] || continue
    if is_failing "$id" || ! node_alive "$id"; then continue; fi
    node_cli "$id" CLUSTER FORGET "$gone" >/dev/null ||
      die "CLUSTER FORGET $(short "$gone") on $(node_name "$id") failed"
  done
}

# --- drain --------------------------------------------------------------------------------------------------------

# pick_entry ORDINALS...: of these nodes, the one in a cluster (slots assigned) that most of them list in CLUSTER
# NODES, i.e. the cluster most nodes agree on, never a stale node alone with the slots it claimed for its keys, or
# one that still lists nodes that forgot it. Prints the ordinal (the lowest on a tie); nothing when none is in a
# cluster.
pick_entry() {
  local i j n info best="" best_n=0
  local -A entry_ids=() entry_views=() entry_slots=()
  for i in "$@"; do
    entry_ids[$i]=$(cli "$(host_of "$i")" "$(port_of "$i")" CLUSTER MYID 2>/dev/null) || continue
    info=$(cli "$(host_of "$i")" "$(port_of "$i")" CLUSTER INFO 2>/dev/null) || continue
    entry_views[$i]=$(cli "$(host_of "$i")" "$(port_of "$i")" CLUSTER NODES 2>/dev/null) || continue
    entry_slots[$i]=$(info_field "$info" cluster_slots_assigned || echo 0)
  done
  for i in "${!entry_views[@]}"; do
    ((entry_slots[$i] > 0)) || continue
    n=0
    for j in "${!entry_views[@]}"; do
      if [[ ${entry_views[$j]} == *"${entry_ids[$i]}"* ]]; then n=$((n + 1)); fi
    done
    if ((n > best_n)) || { ((n == best_n)) && ((i < best)); }; then best=$i best_n=$n; fi
  done
  printf '%s' "$best"
}

# wait_members: wait_agree over the nodes with a known address that NODE_* (fresh) shows in the cluster.
wait_members() {
  local id
  local -a ids=()
  for id in "${!ID_HOST[@]}"; do [[ -z ${NODE_FLAGS[$id]-} ]] || ids+=("$id"); done
  wait_agree "${ids[@]}"
}

drain() {
  local i id host port ghost gport entry="" info deadline ok target
  local -a going_ordinals=() going_down=() staying_up=()
  local -A going=() going_reachable=()

  log "drain: keeping ordinals 0..$((N - 1)) ($M masters x (1 + $R replicas)); looking for going pods at ordinals $N..$((N + PROBE - 1))"
  for ((i = N; i < N + PROBE; i++)); do
    (($(port_of "$i") <= 65535)) || break
    if ping "$(host_of "$i")" "$(port_of "$i")"; then
      going_ordinals+=("$i")
      log "going pod $i ($(addr_of "$i")) answers"
    elif ((PORT_STEP == 0)) && ! no_such_host; then
      # Pods differ by host name: one whose name resolves exists, even when it does not answer.
      going_down+=("$i")
      log "going pod $i ($(addr_of "$i")) exists but does not answer: $LAST_ERROR"
    fi
  done

  # An entry into the cluster: a staying node that belongs to one (it has slots). When going pods exist, the
  # staying ones are waited for; without any, a shrink would proceed blind.
  local -a existing=("${going_ordinals[@]}" "${going_down[@]}")
  deadline=$((SECONDS + WAIT))
  while :; do
    staying_up=()
    for ((i = 0; i < N; i++)); do
      if ping "$(host_of "$i")" "$(port_of "$i")"; then staying_up+=("$i"); fi
    done
    entry=$(pick_entry "${staying_up[@]}")
    [[ -z $entry && ${#existing[@]} -gt 0 && ${#staying_up[@]} -eq 0 ]] || break
    if ((SECONDS >= deadline)); then
      die "going pods exist (ordinals ${existing[*]}) but no staying node (ordinals 0..$((N - 1)), e.g. $(addr_of 0)) answers within ${WAIT}s (last error: $LAST_ERROR); refusing to let the StatefulSet shrink blind"
    fi
    sleep 1
  done

  if [[ -z $entry ]]; then
    # No staying node is in a cluster: only empty, unclustered going pods may go.
    if ((${#going_down[@]} > 0)); then
      die "going pods ${going_down[*]} exist but do not answer, and no staying node (ordinals 0..$((N - 1))) is in a cluster; cannot tell whether they hold data: refusing to let the StatefulSet shrink"
    fi
    for i in "${going_ordinals[@]}"; do
      host=$(host_of "$i") port=$(port_of "$i")
      info=$(cli "$host" "$port" CLUSTER INFO) || die "going pod $i ($(addr_of "$i")) stopped answering"
      if (($(info_field "$info" cluster_slots_assigned || echo 0) > 0 ||
        $(info_field "$info" cluster_known_nodes || echo 1) > 1 ||
        $(cli "$host" "$port" DBSIZE || echo 1) > 0)); then
        die "going pod $i ($(addr_of "$i")) is in a cluster or holds keys, but no staying node (ordinals 0..$((N - 1))) is in a cluster; refusing to let the StatefulSet shrink blind"
      fi
    done
    log "no cluster among the staying nodes and no going pod holds data: nothing to drain"
    return 0
  fi

  host=$(host_of "$entry") port=$(port_of "$entry")
  log "cluster entry: pod $entry ($host:$port)"
  load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
  for ((i = 0; i < N; i++)); do
    id=$(cli "$(host_of "$i")" "$(port_of "$i")" CLUSTER MYID 2>/dev/null) || continue
    ID_HOST[$id]=$(host_of "$i") ID_PORT[$id]=$(port_of "$i")
  done

  # Going nodes: the going pods that answer (by node ID) and the cluster's nodes at a going pod's address.
  for i in "${going_ordinals[@]}"; do
    ghost=$(host_of "$i") gport=$(port_of "$i")
    id=$(cli "$ghost" "$gport" CLUSTER MYID) || die "CLUSTER MYID on going pod $i ($ghost:$gport) failed"
    if [[ -z ${NODE_FLAGS[$id]-} ]]; then
      info=$(cli "$ghost" "$gport" CLUSTER INFO) || die "CLUSTER INFO on going pod $i ($ghost:$gport) failed"
      if (($(info_field "$info" cluster_slots_assigned || echo 0) > 0 || $(cli "$ghost" "$gport" DBSIZE || echo 1) > 0)); then
        die "going pod $i ($ghost:$gport) holds slots or keys but is not a member of the cluster seen from pod $entry; refusing to let it go"
      fi
      log "going pod $i ($ghost:$gport) is not a member of the cluster: nothing to move off it"
      continue
    fi
    ID_HOST[$id]=$ghost ID_PORT[$id]=$gport
    going[$id]=$i
    going_reachable[$id]=1
  done
  for id in "${NODE_IDS[@]}"; do
    [[ -z ${going[$id]-} && -z ${ID_HOST[$id]-} ]] || continue
    for ((i = N; i < N + PROBE; i++)); do
      (($(port_of "$i") <= 65535)) || break
      if [[ ${NODE_PORT[$id]} == "$(port_of "$i")" && (${NODE_HOSTNAME[$id]} == "$(host_of "$i")" || ${NODE_IP[$id]} == "$(host_of "$i")") ]]; then
        going[$id]=$i
        log "cluster node $(short "$id") at going pod $i's address does not answer"
        break
      fi
    done
  done
  if ((${#going[@]} == 0)); then
    log "no going node is in the cluster: nothing to drain"
    return 0
  fi

  # Going nodes that are unreachable: fine when they hold no slots (forgotten at the end), fatal otherwise.
  for id in "${!going[@]}"; do
    if [[ -z ${going_reachable[$id]-} ]] && is_master "$id" && ((NODE_SLOTS[$id] > 0)); then
      die "going node $(short "$id") (pod ${going[$id]}) owns ${NODE_SLOTS[$id]} slots but cannot be reached; its slots cannot be moved"
    fi
  done
  check_slots "$host" "$port"

  local -a staying_masters=() going_masters=()
  refresh_sets() {
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
    staying_masters=() going_masters=()
    for id in $(masters); do
      if [[ -n ${going[$id]-} ]]; then going_masters+=("$id"); else staying_masters+=("$id"); fi
    done
  }
  refresh_sets

  # Too few staying masters: promote staying replicas of going masters (no data moves, the going master becomes
  # a replica).
  local gm replica
  for gm in "${going_masters[@]}"; do
    ((${#staying_masters[@]} < M)) || break
    ((NODE_SLOTS[$gm] > 0)) || continue
    replica=""
    for id in $(replicas_of "$gm"); do
      if [[ -z ${going[$id]-} ]]; then
        replica=$id
        break
      fi
    done
    [[ -n $replica ]] || continue
    log "only ${#staying_masters[@]} of $M masters stay: failing over going master $(node_name "$gm") to its staying replica $(node_name "$replica")"
    node_cli "$replica" CLUSTER FAILOVER >/dev/null || die "CLUSTER FAILOVER on $(node_name "$replica") failed"
    deadline=$((SECONDS + WAIT))
    until [[ $(info_field "$(node_cli "$replica" INFO replication 2>/dev/null || true)" role || true) == master ]]; do
      ((SECONDS < deadline)) || die "$(node_name "$replica") did not become master within ${WAIT}s"
      sleep 0.5
    done
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
    wait_members
    refresh_sets
  done
  ((${#staying_masters[@]} > 0)) || die "no staying node is a master; nothing can take the going masters' slots"

  # Move every slot off the going masters onto the staying ones. A master emptied with
  # cluster-allow-replica-migration yes would turn into a replica mid-rebalance (see the top): turned off first.
  # Every going master weighs 0, emptied or not (--cluster-use-empty-masters would otherwise fill the empty ones).
  local attempt full
  local -a weights
  for attempt in 1 2 3; do
    weights=() full=0
    for gm in "${going_masters[@]}"; do
      weights+=("$gm=0")
      if ((NODE_SLOTS[$gm] > 0)); then full=$((full + 1)); fi
    done
    ((full > 0)) || break
    for gm in "${going_masters[@]}"; do
      node_cli "$gm" CONFIG SET cluster-allow-replica-migration no >/dev/null ||
        die "CONFIG SET on $(node_name "$gm") failed"
    done
    log "moving the slots of $full going master(s) onto ${#staying_masters[@]} staying master(s) (attempt $attempt)"
    cluster rebalance "$host:$port" --cluster-weight "${weights[@]}" --cluster-use-empty-masters ||
      log "rebalance exited non-zero; checking the result"
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
    wait_members
    check_slots "$host" "$port"
    refresh_sets
  done
  for gm in "${going_masters[@]}"; do
    ((NODE_SLOTS[$gm] == 0)) || die "going master $(node_name "$gm") still owns ${NODE_SLOTS[$gm]} slots after 3 rebalances"
  done

  # No staying replica may follow a going master.
  for gm in "${going_masters[@]}"; do
    for id in $(replicas_of "$gm"); do
      [[ -z ${going[$id]-} ]] || continue
      target=$(fewest_replicas "${staying_masters[@]}")
      log "staying replica $(node_name "$id") follows going master $(short "$gm"): it now replicates $(node_name "$target")"
      node_cli "$id" CLUSTER REPLICATE "$target" >/dev/null || die "CLUSTER REPLICATE on $(node_name "$id") failed"
      load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
    done
  done

  # Remove the going nodes: replicas first (del-node would re-home a removed master's replicas, maybe onto another
  # going master), unreachable ones by CLUSTER FORGET.
  local -a order=()
  for id in "${!going[@]}"; do if ! is_master "$id"; then order+=("$id"); fi; done
  for id in "${!going[@]}"; do if is_master "$id"; then order+=("$id"); fi; done
  local removed=0
  for id in "${order[@]}"; do
    if [[ -n ${going_reachable[$id]-} ]]; then
      cluster del-node "$host:$port" "$id" || die "redis-cli --cluster del-node $(node_name "$id") failed"
      # del-node's CLUSTER RESET SOFT empties a replica in memory only: its AOF still holds the keys, and a restart
      # on the same volume (a later scale-out) would load them and claim their slots as "unassigned". FLUSHALL is
      # written to the AOF. RESET HARD gives a new node ID: the old one stays blacklisted by CLUSTER FORGET for 60 s.
      if node_cli "$id" FLUSHALL >/dev/null && node_cli "$id" CLUSTER RESET HARD >/dev/null; then
        log "flushed and reset removed node $(node_name "$id") (its volume keeps no stale keys or node ID)"
      else
        log "could not flush and reset removed node $(node_name "$id"); reconcile resets it if it comes back"
      fi
    else
      log "forgetting unreachable going node $(short "$id") (pod ${going[$id]})"
      forget "$id"
    fi
    removed=$((removed + 1))
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
  done
  for id in "${!going[@]}"; do unset "ID_HOST[$id]" "ID_PORT[$id]"; done

  wait_members
  check_slots "$host" "$port"
  for id in "${!going[@]}"; do
    [[ -z ${NODE_FLAGS[$id]-} ]] || die "going node $(short "$id") is still in the cluster"
  done
  ok=$(count_lines "$(masters)")
  log "drained: $removed going node(s) removed; the cluster has $ok master(s) on the staying pods; the StatefulSet may shrink"
}

# --- reconcile ----------------------------------------------------------------------------------------------------

declare -a DESIRED_ID=()

wait_for_desired() {
  local deadline=$((SECONDS + WAIT)) next_log=$((SECONDS + 10)) i
  local -a missing
  log "waiting (up to ${WAIT}s) for $N nodes to answer PING"
  while :; do
    missing=()
    for ((i = 0; i < N; i++)); do
      ping "$(host_of "$i")" "$(port_of "$i")" || missing+=("$i")
    done
    ((${#missing[@]} > 0)) || return 0
    if ((SECONDS >= deadline)); then
      die "${#missing[@]} of $N nodes do not answer PING within ${WAIT}s: ordinals ${missing[*]} (e.g. $(addr_of "${missing[0]}"); last error: $LAST_ERROR)"
    fi
    if ((SECONDS >= next_log)); then
      log "waiting for ordinals ${missing[*]}"
      next_log=$((SECONDS + 10))
    fi
    sleep 1
  done
}

# slots_fair ID: the master's slots are within 10% of an even share (an interrupted rebalance leaves less; a
# rebalance, with its 2% threshold, lands within it).
slots_fair() {
  local d=$((NODE_SLOTS[$1] * M - 16384))
  ((d < 0)) && d=$((-d))
  ((d * 10 <= 16384))
}

# topology_ok: NODE_* (fresh) shows exactly the desired nodes, M healthy masters each with a fair share of slots and
# exactly R healthy replicas. Prints what differs.
topology_ok() {
  local id m n ok=0
  local -a ms
  mapfile -t ms < <(masters)
  if ((${#ms[@]} != M)); then
    printf '%s masters, want %s; ' "${#ms[@]}" "$M"
    ok=1
  fi
  for m in "${ms[@]}"; do
    n=$(count_lines "$(replicas_of "$m")")
    if ((n != R)); then
      printf 'master %s has %s replicas, want %s; ' "$(short "$m")" "$n" "$R"
      ok=1
    fi
    if ! slots_fair "$m"; then
      printf 'master %s has %s slots, about %s wanted; ' "$(short "$m")" "${NODE_SLOTS[$m]}" $((16384 / M))
      ok=1
    fi
  done
  for id in "${DESIRED_ID[@]}"; do
    if [[ -z ${NODE_FLAGS[$id]-} ]]; then
      printf 'node %s is not in the cluster; ' "$(short "$id")"
      ok=1
    fi
  done
  for id in "${NODE_IDS[@]}"; do
    if [[ -z ${ID_HOST[$id]-} ]]; then
      printf 'node %s is not a desired node; ' "$(short "$id")"
      ok=1
    elif is_failing "$id"; then
      printf 'node %s is failing; ' "$(short "$id")"
      ok=1
    fi
  done
  return "$ok"
}

summary() {
  local m out=""
  for m in $(masters); do
    out+=" $(short "$m")[${NODE_SLOTS[$m]} slots, $(count_lines "$(replicas_of "$m")") replica(s)]"
  done
  printf '%s' "${out# }"
}

reconcile() {
  local i id host port info entry="" text
  local -a new=()

  log "reconcile: $N nodes at ordinals 0..$((N - 1)), $M masters x (1 + $R replicas)"
  wait_for_desired

  local -A d_slots=() d_known=() d_keys=() d_role=()
  for ((i = 0; i < N; i++)); do
    host=$(host_of "$i") port=$(port_of "$i")
    id=$(cli "$host" "$port" CLUSTER MYID) || die "CLUSTER MYID on $host:$port failed (is cluster-enabled yes set?)"
    info=$(cli "$host" "$port" CLUSTER INFO) || die "CLUSTER INFO on $host:$port failed"
    DESIRED_ID[i]=$id
    ID_HOST[$id]=$host ID_PORT[$id]=$port
    d_slots[$i]=$(info_field "$info" cluster_slots_assigned || echo 0)
    d_known[$i]=$(info_field "$info" cluster_known_nodes || echo 1)
    d_keys[$i]=$(cli "$host" "$port" DBSIZE) || die "DBSIZE on $host:$port failed"
    text=$(cli "$host" "$port" ROLE) || die "ROLE on $host:$port failed"
    d_role[$i]=${text%%$'\n'*}
  done
  local -a all=()
  for ((i = 0; i < N; i++)); do all+=("$i"); done
  entry=$(pick_entry "${all[@]}")

  if [[ -z $entry ]]; then
    # No cluster yet: every node must be empty.
    for ((i = 0; i < N; i++)); do
      if ((d_keys[$i] > 0)); then
        die "no cluster exists, but node $i ($(addr_of "$i")) holds ${d_keys[$i]} keys; refusing to create a cluster over it"
      fi
      if ((d_known[$i] > 1)); then
        log "node $i ($(addr_of "$i")) knows other nodes but no cluster has slots: resetting it"
        cli "$(host_of "$i")" "$(port_of "$i")" CLUSTER RESET HARD >/dev/null || die "CLUSTER RESET on $(addr_of "$i") failed"
      fi
    done
    local -a addrs=()
    for ((i = 0; i < N; i++)); do addrs+=("$(addr_of "$i")"); done
    log "no cluster exists: creating it ($M masters, $R replica(s) each)"
    cluster create "${addrs[@]}" --cluster-replicas "$R" --cluster-yes || die "redis-cli --cluster create failed"
    # CLUSTER RESET HARD changes node IDs: read them again.
    ID_HOST=() ID_PORT=()
    for ((i = 0; i < N; i++)); do
      id=$(cli "$(host_of "$i")" "$(port_of "$i")" CLUSTER MYID) || die "CLUSTER MYID on $(addr_of "$i") failed"
      DESIRED_ID[i]=$id
      ID_HOST[$id]=$(host_of "$i") ID_PORT[$id]=$(port_of "$i")
    done
    entry=0
    host=$(host_of 0) port=$(port_of 0)
    wait_agree "${DESIRED_ID[@]}"
    finish "$host" "$port"
    return 0
  fi

  host=$(host_of "$entry") port=$(port_of "$entry")
  log "cluster entry: pod $entry ($host:$port)"
  load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"

  # Nodes in the cluster that are not desired: forgotten when they are gone, fatal when they still run.
  for id in "${NODE_IDS[@]}"; do
    [[ -z ${ID_HOST[$id]-} && -n ${NODE_FLAGS[$id]-} ]] || continue
    if node_alive "$id"; then
      die "node $(node_name "$id") is in the cluster and running but is not one of the $N desired nodes; run 'reconcile.sh drain' first"
    fi
    if is_master "$id" && ((NODE_SLOTS[$id] > 0)); then
      die "node $(node_name "$id") is gone but still owns ${NODE_SLOTS[$id]} slots (no replica took over); restore it, or run redis-cli --cluster fix knowingly"
    fi
    log "node $(node_name "$id") is not desired and not reachable: forgetting it"
    forget "$id"
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
  done

  local members=()
  for ((i = 0; i < N; i++)); do
    id=${DESIRED_ID[i]}
    if [[ -n ${NODE_FLAGS[$id]-} ]]; then members+=("$id"); fi
  done
  wait_agree "${members[@]}"
  check_slots "$host" "$port"

  # Desired nodes outside the cluster are new. Each is reset first (CLUSTER RESET HARD: a fresh node ID, since a
  # node ID CLUSTER FORGET removed is refused for 60 s). A stale one (a volume kept from an earlier life: old cluster
  # state, keys, even the slots it claimed for its keys at restart) is emptied too, now that the cluster serves all
  # 16384 slots and clients cannot reach its keys anyway; except a master holding keys that still knows other nodes
  # (a cluster of its own, maybe split from this one), which is left to a human.
  local nhost nport
  for ((i = 0; i < N; i++)); do
    id=${DESIRED_ID[i]}
    [[ -z ${NODE_FLAGS[$id]-} ]] || continue
    nhost=$(host_of "$i") nport=$(port_of "$i")
    if ((d_keys[$i] > 0 && d_known[$i] > 1)) && [[ ${d_role[$i]} != slave ]]; then
      die "node $i ($nhost:$nport) is not in the cluster but is a master holding ${d_keys[$i]} keys in a cluster of ${d_known[$i]} nodes; inspect it, then FLUSHALL and CLUSTER RESET HARD it"
    fi
    if ((d_known[$i] > 1 || d_slots[$i] > 0 || d_keys[$i] > 0)); then
      log "node $i ($nhost:$nport) is not in the cluster and has stale state (${d_keys[$i]} keys, ${d_slots[$i]} slots, ${d_known[$i]} known nodes): discarding it"
    else
      log "node $i ($nhost:$nport) is new"
    fi
    if [[ ${d_role[$i]} != slave ]]; then
      cli "$nhost" "$nport" FLUSHALL >/dev/null || die "FLUSHALL on $nhost:$nport failed"
    fi
    cli "$nhost" "$nport" CLUSTER RESET HARD >/dev/null || die "CLUSTER RESET HARD on $nhost:$nport failed"
    # A replica's reset empties it in memory only; FLUSHALL goes to the AOF.
    cli "$nhost" "$nport" FLUSHALL >/dev/null || die "FLUSHALL on $nhost:$nport failed"
    unset "ID_HOST[$id]" "ID_PORT[$id]"
    id=$(cli "$nhost" "$nport" CLUSTER MYID) || die "CLUSTER MYID on $nhost:$nport failed"
    DESIRED_ID[i]=$id
    ID_HOST[$id]=$nhost ID_PORT[$id]=$nport
    new+=("$i")
  done

  load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
  local diff
  if diff=$(topology_ok); then
    log "already converged, nothing to do: $(summary)"
    return 0
  fi
  log "to do: ${diff%; }"

  local -a ms
  local rebalance=0 target victim n best best_n
  mapfile -t ms < <(masters)

  # Too few masters: new nodes join as masters; without new nodes, a replica of the master with the most replicas
  # is taken out (del-node), reset and added back as a master.
  while ((${#ms[@]} < M)); do
    if ((${#new[@]} > 0)); then
      i=${new[0]}
      new=("${new[@]:1}")
      log "adding node $i ($(addr_of "$i")) as a master"
      cluster add-node "$(addr_of "$i")" "$host:$port" || die "redis-cli --cluster add-node $(addr_of "$i") failed"
      members+=("${DESIRED_ID[i]}")
    else
      victim="" best_n=0
      for id in "${ms[@]}"; do
        n=$(count_lines "$(replicas_of "$id")")
        if ((n > best_n)); then best=$id best_n=$n; fi
      done
      ((best_n > 0)) || die "${#ms[@]} masters, want $M, and no new node or replica can become a master"
      victim=$(replicas_of "$best" | head -n 1)
      log "turning replica $(node_name "$victim") of $(short "$best") into a master"
      cluster del-node "$host:$port" "$victim" || die "redis-cli --cluster del-node $(node_name "$victim") failed"
      node_cli "$victim" CLUSTER RESET HARD >/dev/null || die "CLUSTER RESET on $(node_name "$victim") failed"
      i=-1
      for ((n = 0; n < N; n++)); do [[ ${DESIRED_ID[n]} != "$victim" ]] || i=$n; done
      ((i >= 0)) || die "replica $(short "$victim") is not a desired node"
      unset "ID_HOST[$victim]" "ID_PORT[$victim]"
      id=$(cli "$(host_of "$i")" "$(port_of "$i")" CLUSTER MYID) || die "CLUSTER MYID on $(addr_of "$i") failed"
      DESIRED_ID[i]=$id
      ID_HOST[$id]=$(host_of "$i") ID_PORT[$id]=$(port_of "$i")
      cluster add-node "$(addr_of "$i")" "$host:$port" || die "redis-cli --cluster add-node $(addr_of "$i") failed"
      local -a kept=()
      for n in "${members[@]}"; do [[ $n == "$victim" ]] || kept+=("$n"); done
      members=("${kept[@]}" "$id")
    fi
    rebalance=1
    wait_agree "${members[@]}"
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
    mapfile -t ms < <(masters)
  done

  # Too many masters (only after unusual failovers): empty the ones with the fewest slots and make them replicas.
  if ((${#ms[@]} > M)); then
    local -a surplus weights=() keep=()
    mapfile -t surplus < <(for id in "${ms[@]}"; do printf '%s %s\n' "${NODE_SLOTS[$id]}" "$id"; done |
      sort -n | head -n $((${#ms[@]} - M)) | cut -d' ' -f2)
    for id in "${ms[@]}"; do [[ " ${surplus[*]} " == *" $id "* ]] || keep+=("$id"); done
    local -A saved=()
    for id in "${surplus[@]}"; do
      text=$(node_cli "$id" CONFIG GET cluster-allow-replica-migration) || die "CONFIG GET on $(node_name "$id") failed"
      saved[$id]=${text##*$'\n'}
      node_cli "$id" CONFIG SET cluster-allow-replica-migration no >/dev/null || die "CONFIG SET on $(node_name "$id") failed"
      weights+=("$id=0")
      for victim in $(replicas_of "$id"); do
        target=$(fewest_replicas "${keep[@]}")
        log "replica $(node_name "$victim") moves to $(node_name "$target") (its master stops being one)"
        node_cli "$victim" CLUSTER REPLICATE "$target" >/dev/null || die "CLUSTER REPLICATE on $(node_name "$victim") failed"
        load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
      done
    done
    log "${#ms[@]} masters, want $M: moving the slots off ${surplus[*]}"
    cluster rebalance "$host:$port" --cluster-weight "${weights[@]}" --cluster-use-empty-masters ||
      log "rebalance exited non-zero; checking the result"
    wait_agree "${members[@]}"
    check_slots "$host" "$port"
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
    for id in "${surplus[@]}"; do
      ((NODE_SLOTS[$id] == 0)) || die "master $(node_name "$id") still owns ${NODE_SLOTS[$id]} slots after the rebalance"
      target=$(fewest_replicas "${keep[@]}")
      log "empty master $(node_name "$id") becomes a replica of $(node_name "$target")"
      node_cli "$id" CLUSTER REPLICATE "$target" >/dev/null || die "CLUSTER REPLICATE on $(node_name "$id") failed"
      node_cli "$id" CONFIG SET cluster-allow-replica-migration "${saved[$id]:-yes}" >/dev/null || true
      load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
    done
    wait_agree "${members[@]}"
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
    mapfile -t ms < <(masters)
  fi

  for id in "${ms[@]}"; do slots_fair "$id" || rebalance=1; done
  if ((rebalance)); then
    log "rebalancing slots onto all $M masters"
    cluster rebalance "$host:$port" --cluster-use-empty-masters || die "redis-cli --cluster rebalance failed"
    wait_agree "${members[@]}"
    check_slots "$host" "$port"
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
  fi

  # Remaining new nodes become replicas of the masters lacking replicas.
  for i in "${new[@]}"; do
    target=$(fewest_replicas "${ms[@]}")
    n=$(count_lines "$(replicas_of "$target")")
    ((n < R)) || die "node $i ($(addr_of "$i")) is left over: every master already has $R replica(s)"
    log "adding node $i ($(addr_of "$i")) as a replica of $(node_name "$target")"
    cluster add-node "$(addr_of "$i")" "$host:$port" --cluster-slave --cluster-master-id "$target" ||
      die "redis-cli --cluster add-node $(addr_of "$i") --cluster-slave failed"
    members+=("${DESIRED_ID[i]}")
    wait_agree "${members[@]}"
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
  done

  # Replicas move from masters with more than R to masters with fewer.
  local moves=0 over under
  while ((moves <= N)); do
    over="" under=""
    for id in "${ms[@]}"; do
      n=$(count_lines "$(replicas_of "$id")")
      if ((n > R)) && [[ -z $over ]]; then over=$id; fi
      if ((n < R)) && [[ -z $under ]]; then under=$id; fi
    done
    [[ -n $over && -n $under ]] || break
    victim=$(replicas_of "$over" | head -n 1)
    log "replica $(node_name "$victim") moves from $(short "$over") to $(node_name "$under")"
    node_cli "$victim" CLUSTER REPLICATE "$under" >/dev/null || die "CLUSTER REPLICATE on $(node_name "$victim") failed"
    wait_agree "${members[@]}"
    load_nodes "$host" "$port" || die "CLUSTER NODES on $host:$port failed"
    moves=$((moves + 1))
  done

  wait_agree "${members[@]}"
  finish "$host" "$port"
}

# finish HOST PORT: the final check of a reconcile.
finish() {
  local diff
  check_slots "$1" "$2"
  load_nodes "$1" "$2" || die "CLUSTER NODES on $1:$2 failed"
  if ! diff=$(topology_ok); then
    die "not converged: ${diff%; }"
  fi
  log "done: all 16384 slots covered; $M masters x $R replica(s): $(summary)"
}

case $MODE in
drain) drain ;;
reconcile) reconcile ;;
esac
