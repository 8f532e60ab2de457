/**
 * Errors the MODEL of the MySQL Shell AdminAPI throws. Shaped like mysqlsh's script exceptions: a `message`, a
 * numeric `code` where mysqlsh has one (MySQL client/server error codes such as 1045, 2003; AdminAPI codes such as
 * MYSQLSH 51300) and a `type` (RuntimeError, ArgumentError, MySQL Error, ...). `code` is undefined where the
 * mysqlsh source throws a plain runtime error without one.
 */
export class ModelShellError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
    readonly type: string = "RuntimeError",
  ) {
    super(message);
    this.name = type;
  }
}

export function shellError(message: string, code?: number): ModelShellError {
  return new ModelShellError(message, code, "RuntimeError");
}

export function argumentError(message: string): ModelShellError {
  return new ModelShellError(message, undefined, "ArgumentError");
}

export function mysqlError(message: string, code: number): ModelShellError {
  return new ModelShellError(message, code, "MySQL Error");
}

/** AdminAPI error codes used by the model (mysql-shell modules/adminapi/common/dba_errors.h). */
export const SHERR = {
  GROUP_REPLICATION_NOT_RUNNING: 51002,
  GROUP_MEMBER_NOT_ONLINE: 51004,
  GROUP_HAS_NO_QUORUM: 51011,
  MISSING_FROM_METADATA: 51101,
  MEMBER_METADATA_MISSING: 51104,
  INVALID_SERVER_CONFIGURATION: 51150,
  PROVISIONING_EXPLICIT_METHOD_REQUIRED: 51167,
  INSTANCE_NOT_MANAGED: 51300,
  INSTANCE_ALREADY_MANAGED: 51301,
  INSTANCE_HAS_METADATA: 51304,
  INSTANCE_MANAGED_IN_CLUSTER: 51305,
  INSTANCE_NOT_IN_CLUSTER: 51310,
  INSTANCE_NOT_ONLINE: 51314,
  INSTANCE_ALREADY_IN_GR: 51315,
  INSTANCE_UNREACHABLE: 51318,
} as const;

/** MySQL client and server error codes used by the model. */
export const ER = {
  ACCESS_DENIED: 1045,
  TABLE_ACCESS_DENIED: 1142,
  BAD_DB: 1049,
  UNKNOWN_SYSTEM_VARIABLE: 1193,
  WRONG_TYPE_FOR_VAR: 1232,
  OPTION_PREVENTS_STATEMENT: 1290,
  PARSE_ERROR: 1064,
  CONNECTION_ERROR: 2002,
  CONN_HOST_ERROR: 2003,
  SERVER_GONE: 2006,
  SERVER_LOST: 2013,
} as const;
