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
  DATA_RECOVERY_NOT_POSSIBLE: 51153,
  PROVISIONING_INCREMENTAL_NOT_POSSIBLE: 51166,
  PROVISIONING_EXPLICIT_METHOD_REQUIRED: 51167,
  INSTANCE_NOT_MANAGED: 51300,
  INSTANCE_ALREADY_MANAGED: 51301,
  INSTANCE_HAS_METADATA: 51304,
  INSTANCE_MANAGED_IN_CLUSTER: 51305,
  INSTANCE_NOT_IN_CLUSTER: 51310,
  INSTANCE_NOT_ONLINE: 51314,
  INSTANCE_ALREADY_IN_GR: 51315,
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

/** The MySQL Shell releases the model imitates; they differ in how a script sees an error (see `asThrown`). */
export const MODEL_SHELL_VERSIONS = ["8.4.3", "8.4.8"] as const;
export type ModelShellVersion = (typeof MODEL_SHELL_VERSIONS)[number];

/** Shell 8.4.4 moved JavaScript from V8 to GraalJS. */
function usesGraalJs(version: string): boolean {
  const [maj, min, patch] = version.split(".").map(Number) as [number, number, number];
  return maj > 8 || (maj === 8 && (min > 4 || (min === 4 && patch >= 4)));
}

/**
 * What a script's `catch (e)` receives for an error the model raised, as the Shell release `version` throws it:
 * - up to 8.4.3 (V8) the error dictionary itself, a plain object {message, type, code?}: mysql-shell 8.4.3
 *   mysqlshdk/scripting/jscript_object_wrapper.cc and jscript_function_wrapper.cc
 *   (ThrowException(context->convert(Value(exc.error())))); the dictionary's keys are those of
 *   shcore::Exception::error(), code only when set (mysqlshdk/include/scripting/types.h);
 * - from 8.4.4 (GraalJS) `Error(message, {cause: dictionary})`: 8.4.4
 *   mysqlshdk/scripting/polyglot/languages/polyglot_javascript.cc create_exception_object, called from
 *   polyglot_language.cc throw_exception_object with data[message].
 * Anything that is not a ModelShellError (a model bug) passes through unchanged.
 */
export function asThrown(e: unknown, version: string): unknown {
  if (!(e instanceof ModelShellError)) return e;
  const data: Record<string, unknown> = { message: e.message, type: e.type };
  if (e.code !== undefined) data.code = e.code;
  if (usesGraalJs(version)) return new Error(e.message, { cause: data });
  return data;
}
