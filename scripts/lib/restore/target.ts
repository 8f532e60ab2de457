/**
 * What a restore asks of its target, before and after, as shell and MySQL Shell text (pure):
 * - before anything is loaded: an empty instance, and gtid_mode=ON when binlogs will be replayed;
 * - after the last transaction is in: the old cluster's InnoDB Cluster metadata goes.
 */
import { shellQuote } from "../../../infra/shell";

/** The AdminAPI's metadata schema (mysql-shell modules/adminapi/common/metadata/metadata-model-2.2.0.sql). */
export const METADATA_SCHEMA = "mysql_innodb_cluster_metadata";

export interface TargetCheck {
  /** One value on one line (mysql -N -B). */
  sql: string;
  /** What the target must answer. */
  want: string;
  /** Why it failed; `{got}` stands for what the target answered. */
  failure: string;
}

/** User schemas a target must not hold: a restore goes only into an empty instance, never over live data. */
export const EMPTY_CHECK: TargetCheck = {
  sql: "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')",
  want: "0",
  failure: "the target holds {got} user schema(s); restore only into an empty MySQL 8.4 instance",
};

/**
 * mysqlbinlog writes `SET @@SESSION.GTID_NEXT= 'uuid:n'` before each transaction, which a server with gtid_mode=OFF
 * refuses (ERROR 1781, ER_CANT_SET_GTID_NEXT_TO_GTID_WHEN_GTID_MODE_IS_OFF): the replay would stop at its first
 * transaction, after the whole dump was loaded. ON is also what Group Replication needs of the future member.
 */
export const GTID_MODE_CHECK: TargetCheck = {
  sql: "SELECT @@GLOBAL.gtid_mode",
  want: "ON",
  failure:
    "the target has gtid_mode={got}; replaying the binlogs needs gtid_mode=ON: set gtid_mode=ON and " +
    "enforce_gtid_consistency=ON in its my.cnf and restart mysqld (otherwise mysql stops at the first replayed " +
    "transaction with ERROR 1781)",
};

/** The checks for a plan: the gtid_mode one only when binlogs replay (util.loadDump itself does not need it). */
export function targetChecks(replaysBinlogs: boolean): TargetCheck[] {
  return replaysBinlogs ? [EMPTY_CHECK, GTID_MODE_CHECK] : [EMPTY_CHECK];
}

/** Text inside double quotes: everything literal. */
function doubleQuoted(text: string): string {
  return text.replace(/[\\"`$]/g, (c) => `\\${c}`);
}

/**
 * One shell line that asks the target and, when the answer is not the wanted one, says why on stderr and fails
 * (`false`, not `exit`: the line is also printed for a person to paste into an interactive shell).
 */
export function checkCommand(check: TargetCheck, mysql: string): string {
  const [before, after = ""] = check.failure.split("{got}");
  const message = `gamedb-restore: ${doubleQuoted(before ?? "")}$got${doubleQuoted(after)}`;
  return (
    `got=$(${mysql} -N -B -e ${shellQuote(check.sql)}); ` +
    `[ "$got" = ${check.want} ] || { echo "${message}" >&2; false; }`
  );
}

/**
 * Drops what the dump and the replayed binlogs brought of the old cluster, as Oracle's operator does after a load
 * (mysql-operator 8.4.3-2.1.5 mysqloperator/sidecar_main.py `populate_with_dump` -> `wipe_old_innodb_cluster`):
 * the recovery accounts the metadata names (replayed binlogs may have created them; the dump's own accounts are not
 * loaded, loadUsers is false), then the metadata schema. util.dumpInstance keeps the schema in every dump: it leaves
 * out only information_schema, mysql, ndbinfo, performance_schema and sys (mysql-shell 8.4.3 and 8.4.8
 * modules/util/common/dump/constants.h `k_excluded_schemas`). Left in place, the restored server carries the old
 * cluster's name, members and routers into whatever cluster it seeds next.
 *
 * It runs after the replay, not instead of loading the schema (loadDump `excludeSchemas`): the binlogs hold the
 * AdminAPI's writes to these tables, which a replay into a server without them stops at (ERROR 1146).
 * The account names come from `instances.attributes` as the AdminAPI writes them (mysql-shell 8.4.3 and 8.4.8
 * modules/adminapi/common/metadata_storage.cc, `$.recoveryAccountUser` / `$.recoveryAccountHost`).
 */
export const DROP_METADATA_JS = [
  "const s = shell.getSession();",
  `const present = s.runSql("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${METADATA_SCHEMA}' AND TABLE_NAME = 'instances'").fetchOneObject().n;`,
  "if (Number(present) > 0) {",
  `  const r = s.runSql("SELECT attributes->>'$.recoveryAccountUser' AS u, attributes->>'$.recoveryAccountHost' AS h FROM ${METADATA_SCHEMA}.instances");`,
  '  for (let row = r.fetchOneObject(); row; row = r.fetchOneObject()) if (row.u && row.h) s.runSql("DROP USER IF EXISTS ?@?", [row.u, row.h]);',
  "}",
  `s.runSql("DROP SCHEMA IF EXISTS ${METADATA_SCHEMA}");`,
].join(" ");
