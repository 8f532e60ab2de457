/**
 * The MODEL's account, privilege and GTID statements (session.runSql), the ones the gamedb AdminAPI scripts send:
 * SHOW GRANTS, GRANT [WITH GRANT OPTION], CREATE/ALTER/DROP USER (passwords, auth_socket, REQUIRE SSL), mysql.user reads,
 * SET SESSION sql_log_bin, and the GTID_SUBTRACT/GTID_SUBSET query of a rejoin. Returns the result rows, or
 * undefined when the statement is not one of these. Not MySQL.
 */
import type { InstanceState } from "./fleet";
import { userKey } from "./fleet";
import { ER, mysqlError } from "./errors";
import { gtidExecuted, gtidPurged, gtidSubset, gtidSubtract } from "./gtids";
import { addGrants, authRow, checkGrantor, showGrants } from "./privileges";

interface SessionView {
  readonly address: string;
  readonly creds: { kind: "tcp" | "socket"; user: string };
  noBinlog: boolean;
}

type Write = (fn: (i: InstanceState) => void) => void;

export function accountSql(
  inst: InstanceState,
  s: SessionView,
  sql: string,
  args: unknown[],
  write: Write,
): unknown[][] | undefined {
  const key = () => userKey(String(args[0]), String(args[1]));
  let m: RegExpExecArray | null;

  if ((m = /^SET SESSION sql_log_bin = ([01])$/i.exec(sql))) {
    // Needs SYSTEM_VARIABLES_ADMIN (or SUPER); only root's sessions send it.
    if (s.creds.kind !== "socket") throw mysqlError("Access denied; you need SYSTEM_VARIABLES_ADMIN", 1227);
    s.noBinlog = m[1] === "0";
    return [];
  }

  if (/^SHOW GRANTS FOR \?@\?$/i.test(sql)) {
    const [user, host] = [String(args[0]), String(args[1])];
    const u = inst.users.get(key());
    if (!u) throw mysqlError(`There is no such grant defined for user '${user}' on host '${host}'`, 1141);
    return showGrants(user, host, u).map((l) => [l]);
  }

  if ((m = /^GRANT (.+) ON (\S+) TO \?@\?( WITH GRANT OPTION)?$/i.exec(sql))) {
    const privileges = m[1]!.split(/\s*,\s*/).map((p) => p.toUpperCase());
    const on = m[2]!.replace(/`/g, "");
    // A database name may escape its wildcards (`\_`, `\%`: MySQL 8.4 manual, GRANT, "Object Quoting Guidelines");
    // the model keeps the name as written, as mysql.db does, and compares names as text.
    if (!/^(\*|(?:[A-Za-z0-9_]|\\[_%])+)\.\*$/.test(on))
      throw mysqlError(`model: unsupported grant object ${on}`, ER.PARSE_ERROR);
    const grantor =
      s.creds.kind === "socket"
        ? undefined
        : { user: s.creds.user, account: inst.users.get(userKey(s.creds.user, "%")) };
    checkGrantor(grantor, privileges, on);
    if (!inst.users.has(key())) throw mysqlError("You are not allowed to create a user with GRANT", 1410);
    const withGrant = m[3] !== undefined;
    write((i) => {
      const u = i.users.get(key());
      if (u) addGrants(u, privileges, on, withGrant);
    });
    return [];
  }

  if (/^CREATE USER IF NOT EXISTS \?@\? IDENTIFIED BY \?$/i.test(sql)) {
    write((i) => {
      if (!i.users.has(key())) i.users.set(key(), { password: String(args[2]), grants: new Set() });
    });
    return [];
  }

  // auth_socket accounts: authentication_string names the operating-system user allowed in (AS '...').
  if ((m = /^(CREATE USER IF NOT EXISTS|ALTER USER) \?@\? IDENTIFIED WITH auth_socket AS \?$/i.exec(sql))) {
    const create = m[1]!.toUpperCase().startsWith("CREATE");
    if (!create && !inst.users.has(key()))
      throw mysqlError(`Operation ALTER USER failed for '${args[0]}'@'${args[1]}'`, 1396);
    write((i) => {
      const u = i.users.get(key());
      if (u && create) return;
      const account = u ?? { password: "", grants: new Set<string>() };
      account.password = "";
      delete account.secondaryPassword;
      account.plugin = "auth_socket";
      account.authAs = String(args[2]);
      i.users.set(key(), account);
    });
    return [];
  }

  if (/^SELECT plugin, authentication_string FROM mysql\.user WHERE user = \? AND host = \?$/i.test(sql)) {
    const u = inst.users.get(key());
    return u ? [authRow(u)] : [];
  }

  if (/^SELECT ssl_type FROM mysql\.user WHERE user = \? AND host = \?$/i.test(sql)) {
    const u = inst.users.get(key());
    return u ? [[u.sslType ?? ""]] : [];
  }

  // REQUIRE SSL only changes what the account accepts (mysql.user.ssl_type = 'ANY'); the model's sessions stand for
  // MySQL Shell's, which use TLS whenever the server offers it (ssl-mode PREFERRED), so logins are unaffected.
  if (/^ALTER USER \?@\? REQUIRE SSL$/i.test(sql)) {
    if (!inst.users.has(key())) throw mysqlError(`Operation ALTER USER failed for '${args[0]}'@'${args[1]}'`, 1396);
    write((i) => {
      const u = i.users.get(key());
      if (u) u.sslType = "ANY";
    });
    return [];
  }

  if (/^DROP USER IF EXISTS \?@\?$/i.test(sql)) {
    write((i) => {
      i.users.delete(key());
    });
    return [];
  }

  if ((m = /^ALTER USER \?@\? IDENTIFIED BY \?( RETAIN CURRENT PASSWORD)?$/i.exec(sql))) {
    const retain = m[1] !== undefined;
    if (!inst.users.has(key())) throw mysqlError(`Operation ALTER USER failed for '${args[0]}'@'${args[1]}'`, 1396);
    write((i) => {
      const u = i.users.get(key());
      if (!u) return;
      // RETAIN CURRENT PASSWORD keeps the old one as the secondary; without it any secondary stays as it was.
      if (retain) u.secondaryPassword = u.password;
      u.password = String(args[2]);
    });
    return [];
  }

  if (/^SELECT GTID_SUBTRACT\(\?, @@GLOBAL\.gtid_executed\), GTID_SUBSET\(@@GLOBAL\.gtid_purged, \?\)$/i.test(sql)) {
    return [[gtidSubtract(String(args[0]), gtidExecuted(inst)), gtidSubset(gtidPurged(inst), String(args[1]))]];
  }

  return undefined;
}
