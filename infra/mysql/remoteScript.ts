/**
 * The text of a remote command that runs one AdminAPI script on a host. Pure.
 *
 * What reaches the host and how:
 * - the script and its params (names, addresses: no secrets) are in the command text, as quoted heredocs, so a
 *   preview shows exactly what will run;
 * - the secrets JSON arrives on stdin and is written, mode 0600, into a private directory on tmpfs (/dev/shm) that
 *   is removed on exit; it never appears in the command text, an argument list, the environment or a log.
 * mysqlsh runs as root (sudo) so the scripts can reach mysqld's socket with auth_socket.
 */
import { MYCNF_PATH } from "./mycnf";

/** The heredoc delimiter; no embedded file may contain it as a line (checked here). */
export const HEREDOC_END = "GAMEDB_EOF";

export interface AdminApiCommandInput {
  /** The script text (infra/mysql/adminapi: common.js + the script). */
  readonly script: string;
  /** The script's params: plain data, no secrets. */
  readonly params: Record<string, unknown>;
  /**
   * A my.cnf to install before the script runs (configure step only).
   * @default none: the host's my.cnf is left as it is and mysqld is not restarted
   */
  readonly mycnf?: string;
  /**
   * A line written as a comment at the top: why the command re-runs (e.g. the converge request).
   * @default none: the command text starts with `set -eu`
   */
  readonly note?: string;
}

function heredoc(path: string, content: string): string {
  const lines = content.split("\n");
  if (lines.includes(HEREDOC_END))
    throw new Error(`${path}: content has a line "${HEREDOC_END}"; it would end the heredoc`);
  const body = content.endsWith("\n") ? content : `${content}\n`;
  return `cat > "${path}" <<'${HEREDOC_END}'\n${body}${HEREDOC_END}`;
}

/**
 * Installs the my.cnf when it differs from the one on the host. mysqld is (re)started only when it is known not to
 * be serving the group: stopped, or its own member state read back as OFFLINE or ERROR (or absent: first start).
 * An ONLINE or RECOVERING member keeps running; the shard's converge script restarts members one at a time,
 * secondaries first, when a setting that needs a restart changed. A state that cannot be read stops the command.
 */
function installMyCnf(): string {
  return [
    `if ! sudo -n cmp -s "$d/gamedb.cnf" ${MYCNF_PATH}; then`,
    `  sudo -n install -m 0644 -o root -g root "$d/gamedb.cnf" ${MYCNF_PATH}`,
    "  if ! sudo -n systemctl is-active --quiet mysql; then",
    '    echo "gamedb: my.cnf changed; starting mysqld"',
    "    sudo -n systemctl restart mysql",
    `  elif state=$(sudo -n mysql -N -B -e "SELECT MEMBER_STATE FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid"); then`,
    '    case "$state" in',
    "      ONLINE | RECOVERING)",
    '        echo "gamedb: my.cnf changed; the shard\'s converge step restarts members one at a time if needed" ;;',
    "      *)",
    '        echo "gamedb: my.cnf changed; restarting mysqld (member state: ${state:-none})"',
    "        sudo -n systemctl restart mysql ;;",
    "    esac",
    "  else",
    '    echo "gamedb: my.cnf changed but the member state of this mysqld cannot be read; not restarting it" >&2',
    "    exit 1",
    "  fi",
    "fi",
  ].join("\n");
}

/** The command text. Secrets are read from stdin (a JSON object); pass `{}` when the script needs none. */
export function adminApiCommand(input: AdminApiCommandInput): string {
  const parts = [
    ...(input.note ? [`# ${input.note.replace(/\n/g, " ")}`] : []),
    "set -eu",
    "umask 077",
    // One gamedb command at a time per host: an interrupted `pulumi up` may leave mysqlsh running.
    "exec 9>/run/lock/gamedb-adminapi.lock",
    'flock -w 900 9 || { echo "gamedb: another gamedb command has held this host for 15 minutes" >&2; exit 1; }',
    "d=$(mktemp -d /dev/shm/gamedb.XXXXXX)",
    "trap 'rm -rf \"$d\"' EXIT",
    'cat > "$d/secrets.json"',
    heredoc("$d/script.js", input.script),
    heredoc("$d/params.json", JSON.stringify(input.params, null, 2)),
  ];
  if (input.mycnf !== undefined) parts.push(heredoc("$d/gamedb.cnf", input.mycnf), installMyCnf());
  parts.push('sudo -n mysqlsh --js --no-wizard -f "$d/script.js" "$d/params.json" "$d/secrets.json"');
  return parts.join("\n") + "\n";
}
