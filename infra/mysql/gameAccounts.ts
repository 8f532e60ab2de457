/**
 * The game database's accounts on a shard (setup-accounts.js): the migration account (ACCOUNTS.schema), the game
 * servers' (ACCOUNTS.app) and the slot mover's (ACCOUNTS.mover). What the accounts step's params and secrets gain
 * when a shard has a game database, and nothing at all when it has none, so such a shard's commands stay exactly as
 * they were. Pure.
 */
import { ACCOUNTS, MYSQL_NAME, RESERVED_DATABASES } from "../catalog/mysql";
import { FENCE_SCHEMA } from "../contracts/slotFence";

/**
 * The game database name, checked as setup-accounts.js checks it (a plain identifier, not a reserved schema); throws
 * naming the field and what it accepts.
 */
export function checkGameDatabase(name: string): string {
  if (!MYSQL_NAME.test(name))
    throw new Error(
      `schemaDatabase ${JSON.stringify(name)} is not accepted: use 1 to 64 letters, digits and _, not starting with a digit`,
    );
  if (RESERVED_DATABASES.includes(name.toLowerCase()))
    throw new Error(
      `schemaDatabase ${JSON.stringify(name)} is reserved: use any name but ${RESERVED_DATABASES.join(", ")}`,
    );
  return name;
}

/** The accounts step's params with the game database's (unchanged when there is none). */
export function withGameAccountParams<P extends { accounts: Record<string, string> }>(
  params: P,
  database: string | undefined,
): P | (P & { schemaDatabase: string; metaDatabase: string }) {
  if (database === undefined) return params;
  return {
    ...params,
    accounts: { ...params.accounts, schema: ACCOUNTS.schema, app: ACCOUNTS.app, mover: ACCOUNTS.mover },
    schemaDatabase: database,
    metaDatabase: FENCE_SCHEMA,
  };
}

/** The accounts step's secrets (its stdin): the game accounts' passwords only when they exist. */
export function accountSecrets<T>(passwords: {
  clusterAdmin: T;
  router: T;
  monitor: T;
  schema?: T;
  app?: T;
  mover?: T;
}): Record<string, T> {
  const base = {
    clusterAdminPassword: passwords.clusterAdmin,
    routerPassword: passwords.router,
    monitorPassword: passwords.monitor,
  };
  if (passwords.schema === undefined || passwords.app === undefined || passwords.mover === undefined) return base;
  return {
    ...base,
    schemaPassword: passwords.schema,
    appPassword: passwords.app,
    moverPassword: passwords.mover,
  };
}
