/**
 * The MODEL's session.runSql (what MySQL answers; the Shell side is ./session.ts): it understands only the statements the scripts send (listed here and in
 * ./accountSql.ts); anything else fails with "model: unsupported SQL", so a script cannot silently depend on SQL the
 * model does not check. Not MySQL.
 */
import type { ModelApi } from "./api";
import { accountSql } from "./accountSql";
import { ER, mysqlError } from "./errors";
import { userKey } from "./fleet";
import type { InstanceState } from "./fleet";
import { gtidExecuted, gtidPurged } from "./gtids";
import { superReadOnly } from "./privileges";
import { ModelResult } from "./session";
import type { ModelSession } from "./session";

/** Variables SET GLOBAL / SET PERSIST refuse (read-only at runtime). */
const READ_ONLY_VARIABLES = new Set(["innodb_log_file_size", "innodb_buffer_pool_instances", "innodb_page_size"]);

function sqlValue(v: string): string | number {
  return /^-?[0-9]+$/.test(v) ? Number(v) : v;
}

export function runSql(api: ModelApi, s: ModelSession, rawSql: string, args: unknown[]): ModelResult {
  const inst = s.alive();
  const sql = rawSql.trim().replace(/\s+/g, " ");
  const placeholders = (sql.match(/\?/g) ?? []).length;
  if (placeholders !== args.length)
    throw mysqlError(
      `Insufficient number of parameters (${placeholders} placeholders, ${args.length} values)`,
      ER.PARSE_ERROR,
    );
  const fleet = api.fleet;
  const write = (fn: (i: InstanceState) => void) => {
    try {
      if (!s.noBinlog) fleet.write(inst.address, fn);
      else if (superReadOnly(inst)) throw new Error("super_read_only");
      else fn(inst);
    } catch {
      throw mysqlError(
        "The MySQL server is running with the --super-read-only option so it cannot execute this statement",
        ER.OPTION_PREVENTS_STATEMENT,
      );
    }
  };
  let m: RegExpExecArray | null;

  if (/^SELECT 1$/i.test(sql)) return new ModelResult([[1]]);

  if ((m = /^SELECT @@GLOBAL\.([A-Za-z_][A-Za-z0-9_]*)$/i.exec(sql))) {
    const name = m[1]!.toLowerCase();
    if (name === "gtid_executed") return new ModelResult([[gtidExecuted(inst)]]);
    if (name === "gtid_purged") return new ModelResult([[gtidPurged(inst)]]);
    if (name === "super_read_only") return new ModelResult([[superReadOnly(inst) ? 1 : 0]]);
    if (!(name in inst.globals)) throw mysqlError(`Unknown system variable '${name}'`, ER.UNKNOWN_SYSTEM_VARIABLE);
    return new ModelResult([[sqlValue(inst.globals[name]!)]]);
  }

  // SET GLOBAL changes the running value only (my.cnf rules again after a restart); SET PERSIST also writes
  // mysqld-auto.cnf, which overrides my.cnf at every later boot.
  if ((m = /^SET (GLOBAL|PERSIST) ([A-Za-z_][A-Za-z0-9_]*) = \?$/i.exec(sql))) {
    const scope = m[1]!.toUpperCase();
    const name = m[2]!.toLowerCase();
    if (!(name in inst.globals)) throw mysqlError(`Unknown system variable '${name}'`, ER.UNKNOWN_SYSTEM_VARIABLE);
    if (READ_ONLY_VARIABLES.has(name)) throw mysqlError(`Variable '${name}' is a read only variable`, 1238);
    const value = args[0];
    if (/^-?[0-9]+$/.test(inst.globals[name]!) && typeof value !== "number")
      throw mysqlError(`Incorrect argument type to variable '${name}'`, ER.WRONG_TYPE_FOR_VAR);
    inst.globals[name] = String(value);
    if (scope === "PERSIST") inst.persisted[name] = String(value);
    return new ModelResult([]);
  }

  if (/^SELECT VARIABLE_NAME FROM performance_schema\.persisted_variables$/i.test(sql))
    return new ModelResult(Object.keys(inst.persisted).map((n) => [n]));

  if ((m = /^RESET PERSIST (IF EXISTS )?([A-Za-z_][A-Za-z0-9_]*)$/i.exec(sql))) {
    const name = m[2]!.toLowerCase();
    if (!(name in inst.persisted) && !m[1])
      throw mysqlError(`Variable ${name} does not exist in persisted config file`, 3615);
    delete inst.persisted[name];
    return new ModelResult([]);
  }

  if (
    /^SELECT SCHEMA_NAME FROM information_schema\.SCHEMATA WHERE SCHEMA_NAME NOT IN \((\?, )*\?\) ORDER BY SCHEMA_NAME$/i.test(
      sql,
    )
  ) {
    const all = ["information_schema", "mysql", "performance_schema", "sys", ...inst.schemas];
    if (inst.metadata) all.push("mysql_innodb_cluster_metadata");
    const excluded = new Set(args.map((a) => String(a)));
    return new ModelResult(
      all
        .filter((n) => !excluded.has(n))
        .sort()
        .map((n) => [n]),
    );
  }

  if (/^RESTART$/i.test(sql)) {
    fleet.restart(inst.address);
    return new ModelResult([]);
  }

  if (
    /^SELECT MEMBER_STATE FROM performance_schema\.replication_group_members WHERE MEMBER_ID = @@server_uuid$/i.test(
      sql,
    )
  ) {
    if (inst.gr) return new ModelResult([[inst.gr.state]]);
    return new ModelResult(inst.configured ? [["OFFLINE"]] : []);
  }

  if (
    /^SELECT i\.address FROM mysql_innodb_cluster_metadata\.v2_instances i JOIN mysql_innodb_cluster_metadata\.v2_clusters c ON c\.cluster_id = i\.cluster_id WHERE c\.cluster_name = \?$/i.test(
      sql,
    )
  ) {
    if (!inst.metadata) throw mysqlError("Unknown database 'mysql_innodb_cluster_metadata'", ER.BAD_DB);
    if (inst.metadataUnreadable)
      throw mysqlError(
        `SELECT command denied to user '${s.creds.user}'@'%' for table 'v2_instances'`,
        ER.TABLE_ACCESS_DENIED,
      );
    if (inst.metadata.clusterName !== args[0]) return new ModelResult([]);
    return new ModelResult(inst.metadata.members.map((a) => [a]));
  }

  if (/^SELECT COUNT\(\*\) FROM mysql\.user WHERE user = \? AND host = \?$/i.test(sql)) {
    return new ModelResult([[inst.users.has(userKey(String(args[0]), String(args[1]))) ? 1 : 0]]);
  }

  const rows = accountSql(inst, s, sql, args, write);
  if (rows) return new ModelResult(rows);

  throw mysqlError(`model: unsupported SQL: ${sql}`, ER.PARSE_ERROR);
}
