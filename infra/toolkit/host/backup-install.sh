#!/usr/bin/env bash
# Launcher of the backup/install entry: DIR SCRIPT..., the host's files as a bundle on fd 4
# (infra/contracts/fileBundle.ts: "GAMEDB_PUT <path> <mode>" before each file's lines, "GAMEDB_STDIN <path> <mode>"
# for the file that is the step's stdin, a static host's AWS credentials). Installs each script as
# /usr/local/sbin/<name without .sh> (0755) and each bundle file, each only when its content differs from the host's,
# links the AWS CLI where systemd finds it, then runs `systemctl daemon-reload` (when anything changed) and
# `systemctl enable --now` on the bundle's timers. It never touches mysqld. Target paths are prefixed with
# ${GAMEDB_ROOT:-}, which only tests set.
set -euo pipefail
dir=$1
shift
root=${GAMEDB_ROOT:-}
die() {
  printf 'gamedb: %s\n' "$*" >&2
  exit 1
}
{ true <&4; } 2>/dev/null || die "the backup install step carries no file bundle (fd 4)"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

# The bundle, split into $d/<n>: paths[n] and modes[n]; the stdin file's path and mode apart. The patterns are the
# contract's BUNDLE_PATH and BUNDLE_MODE.
path_re='^(/[A-Za-z0-9_@-][A-Za-z0-9._@-]*)+$'
paths=()
modes=()
stdin_path=
stdin_mode=
declare -A seen=()
out=
line=
while IFS= read -r line <&4; do
  case $line in
    GAMEDB_PUT | "GAMEDB_PUT "* | GAMEDB_STDIN | "GAMEDB_STDIN "*)
      read -r kind path mode rest <<<"$line" || true
      [[ $line == "$kind $path $mode" && -z $rest && $path =~ $path_re && $mode =~ ^0[0-7]{3}$ ]] ||
        die "file bundle: bad header '$line': want GAMEDB_PUT or GAMEDB_STDIN, an absolute path" \
          "(segments of A-Za-z0-9._@-, none starting with .) and a mode 0NNN, one space apart"
      [[ -z ${seen[$path]:-} ]] || die "file bundle: $path is given twice"
      seen[$path]=1
      if [[ $kind == GAMEDB_STDIN ]]; then
        [[ -z $stdin_path ]] || die "file bundle: only one file can come on stdin"
        stdin_path=$path
        stdin_mode=$mode
        out=
      else
        out=$d/${#paths[@]}
        paths+=("$path")
        modes+=("$mode")
        : >"$out"
      fi
      ;;
    *)
      [[ -n $out ]] || die "file bundle: a content line outside a GAMEDB_PUT file: '$line'"
      printf '%s\n' "$line" >>"$out"
      ;;
  esac
done
[[ -z $line ]] || die "file bundle: the last line has no newline"

# Read stdin before any other program can consume it.
if [[ -n $stdin_path ]]; then
  umask 077
  cat >"$d/stdin"
  umask 022
  [[ -s $d/stdin ]] || die "expected the file on stdin"
fi

changed=0
# put FILE PATH MODE: installs FILE as $root$PATH unless that file has the same content.
put() {
  if sudo -n cmp -s "$1" "$root$2"; then
    echo "gamedb: $2 unchanged"
  else
    sudo -n install -D -m "$3" "$1" "$root$2"
    echo "gamedb: wrote $2"
    changed=1
  fi
}
for f in "$@"; do
  name=${f##*/}
  put "$dir/$f" "/usr/local/sbin/${name%.sh}" 0755
done
timers=()
for i in "${!paths[@]}"; do
  put "$d/$i" "${paths[i]}" "${modes[i]}"
  case ${paths[i]} in /etc/systemd/system/*.timer) timers+=("${paths[i]##*/}") ;; esac
done
[[ -z $stdin_path ]] || put "$d/stdin" "$stdin_path" "$stdin_mode"

# The jobs need the AWS CLI v2 and run under systemd, whose PATH has no /snap/bin (Ubuntu 24.04 has no apt package
# for it): look for aws on systemd's default PATH, and link the snap's binary into /usr/local/bin whenever the snap
# is installed.
sys_path=${GAMEDB_SYSTEMD_PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}
if ! PATH=$sys_path command -v aws >/dev/null; then
  if [[ ! -x $root/snap/bin/aws ]]; then
    command -v snap >/dev/null || die "the AWS CLI v2 is missing and snap is not available: install it and re-run"
    sudo -n snap install aws-cli --classic
  fi
  sudo -n mkdir -p "$root/usr/local/bin"
  sudo -n ln -sf /snap/bin/aws "$root/usr/local/bin/aws"
  echo "gamedb: linked /usr/local/bin/aws to the aws-cli snap"
fi
if ((changed)); then
  sudo -n systemctl daemon-reload
fi
if ((${#timers[@]})); then
  sudo -n systemctl enable --now "${timers[@]}"
fi
