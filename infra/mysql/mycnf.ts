/**
 * The my.cnf gamedb writes on every MySQL 8.4 host, and which of its settings apply at runtime. Pure functions.
 *
 * What is written, and why (MySQL 8.4 names only; see FIELD-NOTES.md for the removed and renamed ones):
 * - Identity: server_id (unique per node, from plan/nodes.ts), report_host (the address Group Replication and
 *   the AdminAPI advertise), bind_address 0.0.0.0, skip_name_resolve (accounts use addresses or '%').
 * - Replication and point-in-time recovery: gtid_mode and enforce_gtid_consistency ON, log_bin and relay_log under
 *   the data directory (names that do not depend on the host name), log_replica_updates ON (the 8.4 default,
 *   stated because Group Replication needs it), binlog_expire_logs_seconds = the PITR window plus one day.
 *   binlog_format is not written: ROW is the default and the only format Group Replication uses, and setting the
 *   variable raises a deprecation warning in 8.4. replica_parallel_type is not written either: it is deprecated
 *   (8.0.29) and LOGICAL_CLOCK is the only behaviour left. binlog_checksum keeps its default (CRC32): Group
 *   Replication accepts checksums since 8.0.21.
 * - What a slot mover needs to decode the binlog (infra/contracts/slotMoves.ts; its preflight refuses a shard
 *   without them): binlog_row_image = FULL (both row images of an update, every column; the default, stated so an
 *   edit elsewhere cannot drop it), binlog_row_metadata = FULL (column names, signedness, charsets and enum/set
 *   values in each Table_map event, so rows decode from the stream alone; the 8.4 default is MINIMAL) and
 *   binlog_transaction_compression = OFF (the default; compressed transactions arrive as one
 *   Transaction_payload_event, which @vlasky/zongji 0.9.0 cannot decode: its README, "transactionpayload"). All three
 *   are dynamic (MySQL 8.4 Reference Manual, "Binary Logging Options and Variables"), so they are runtime settings:
 *   binlog_row_metadata is global only and applies to every event from the SET GLOBAL on; the other two are also
 *   session variables, whose sessions opened before keep their value, which is the same default.
 * - Durability: innodb_flush_log_at_trx_commit=1, sync_binlog=1, innodb_doublewrite=ON.
 * - Applier: replica_parallel_workers=8, replica_preserve_commit_order=ON.
 * - Group Replication needs InnoDB only: disabled_storage_engines lists the others.
 * - Group Replication options themselves (group_replication_*, including start_on_boot) are NOT written: the
 *   AdminAPI (dba.configureInstance / createCluster / addInstance) sets them with SET PERSIST into mysqld-auto.cnf,
 *   which is read after my.cnf; writing them here would fight it, and a group_replication_* line fails server
 *   start-up before the plugin is installed.
 * - Memory, for a known instance type (see instanceTypes.ts):
 *   innodb_buffer_pool_size = 50% of RAM below 8 GiB, 70% from 8 GiB, 75% from 32 GiB, rounded down to a whole
 *   number of chunks (128 MiB) x innodb_buffer_pool_instances (1, 2, 4 or 8: the largest that leaves at least 1 GiB
 *   per instance), so the server keeps the value exactly as written.
 *   innodb_redo_log_capacity = 1G (the 8.0.30+ replacement of innodb_log_file_size/innodb_log_files_in_group).
 *   max_connections = 10000, capped at one connection per MiB of memory left after the buffer pool and 1 GiB for
 *   the server and the OS (an idle connection costs well under that; busy ones allocate sort/join buffers), with a
 *   floor of 200: t3.large 1536, m7g.xlarge 4096, r6i.2xlarge 10000.
 *   For an unknown instance type: innodb_dedicated_server=ON, which sizes the buffer pool (75% of detected memory
 *   above 4 GiB) and the redo log itself, so neither is written; max_connections stays 10000.
 * - Operator overrides (`gamedb:mysql.overrides`, validated against MYCNF_OVERRIDES) replace computed values.
 * - Only for a shard with a game database (trustTriggerCreators): log_bin_trust_function_creators = ON, the one
 *   deprecated name gamedb writes (8.4 warns that it is deprecated when it is read or set). With the binary log on
 *   and it OFF, CREATE TRIGGER needs SUPER (mysql-server sql/sql_trigger.cc Sql_cmd_create_trigger::execute,
 *   ER_BINLOG_CREATE_ROUTINE_NEED_SUPER; the 8.0 source also took SET_USER_ID, gone in 8.4, and SET_ANY_DEFINER
 *   would let the account create objects that run as any other account), and the migration account, which has
 *   neither, installs the slot fence's triggers. Safe here: binary logging is row-based only (Group Replication),
 *   where the statement-replay risk the variable guards against does not exist (its own description, sys_vars.cc).
 *   A runtime setting: the configure step applies it with SET GLOBAL, this file keeps it across restarts.
 * - TLS: require_secure_transport = ON (every TCP connection must use TLS; the local socket counts as secure, so the
 *   backup jobs and root's auth_socket logins are unaffected: MySQL 8.4 Reference Manual, "Configuring Encrypted
 *   Connections as Mandatory"), and ssl_ca / ssl_cert / ssl_key naming the member's certificate, signed by the
 *   stack's CA (infra/tls/ca.ts), which the configure step installs in TLS_DIR (infra/toolkit/host/install-tls.sh).
 *   Not overridable. require_secure_transport is a runtime setting (SET GLOBAL); the ssl_* paths are fixed names
 *   whose files install-tls.sh replaces and reloads (ALTER INSTANCE RELOAD TLS), so they count as neither runtime
 *   nor restart settings.
 */
import { MYCNF_OVERRIDES, parseSize } from "../catalog/mycnfOverrides";
import { instanceMemoryGiB } from "../catalog/instanceTypes";

/**
 * Where the file goes. Files in mysql.conf.d are read in name order, so the package's mysqld.cnf (datadir, pid-file,
 * socket, log-error) is read after this one and wins for those names: harmless while the data directory is the
 * packaged /var/lib/mysql. For another directory, bootstrap.sh writes zz-gamedb-datadir.cnf, read last.
 */
export const MYCNF_PATH = "/etc/mysql/mysql.conf.d/gamedb.cnf";
/** The MySQL data directory on every host (the data volume is mounted here). */
export const DATA_DIR = "/var/lib/mysql";
/** Base names of the binary and relay logs, inside the data directory. */
export const BINLOG_BASENAME = "binlog";
export const RELAY_LOG_BASENAME = "relay-bin";

/** What one member's my.cnf is computed from. */
export interface MyCnfInput {
  /** The member's server_id (the node's, from the plan): unique within the shard. */
  readonly serverId: number;
  /** The address the member reports to the group (report_host). */
  readonly reportHost: string;
  /** MySQL 8.4 LTS version, e.g. "8.4.3". */
  readonly version: string;
  /** The host's instance type, whose memory sizes the buffer pool and max_connections. */
  readonly instanceType: string;
  /** The point-in-time recovery window: binary logs are kept this long plus a day's margin. */
  readonly pitrWindowHours: number;
  /** Validated my.cnf overrides (mysql.overrides), which win over the computed settings. */
  readonly overrides: Record<string, string | number | boolean>;
  /** The MySQL data directory, an absolute path. */
  readonly dataDir: string;
  /**
   * The shard has a game database, whose migration account (without SUPER) creates triggers: writes
   * log_bin_trust_function_creators = ON (see the module comment).
   * @default false: the line is not written
   */
  readonly trustTriggerCreators?: boolean;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const CHUNK = 128 * MiB;

/** Seed values. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
export const MIN_MAX_CONNECTIONS = 200;
export const REPLICA_PARALLEL_WORKERS = 8;
export const REDO_LOG_CAPACITY = "1G";
/** Extra binlog retention beyond the PITR window, so a late backup never finds its start purged. */
export const BINLOG_SAFETY_SECONDS = 24 * 3600;
export const DISABLED_STORAGE_ENGINES = "MyISAM,BLACKHOLE,FEDERATED,ARCHIVE,MEMORY";
/** Where the configure step installs the member's CA, certificate and key (install-tls.sh writes the same names). */
export const TLS_DIR = "/etc/mysql/gamedb-tls";
export const TLS_FILES = {
  ca: `${TLS_DIR}/ca.pem`,
  cert: `${TLS_DIR}/server-cert.pem`,
  key: `${TLS_DIR}/server-key.pem`,
};

/**
 * Names that must never appear in a file for MySQL 8.4: removed (8.4 refuses to start), deprecated (warning at
 * every start), or replaced by what gamedb writes. Tests check generated files against it.
 */
export const FORBIDDEN_NAMES: readonly string[] = [
  "master_info_repository",
  "relay_log_info_repository",
  "transaction_write_set_extraction",
  "binlog_transaction_dependency_tracking",
  "binlog_checksum",
  "binlog_format",
  "replica_parallel_type",
  "log_slave_updates",
  "slave_parallel_workers",
  "slave_parallel_type",
  "slave_preserve_commit_order",
  "expire_logs_days",
  "default_authentication_plugin",
  "innodb_log_file_size",
  "innodb_log_files_in_group",
  "query_cache_size",
  "query_cache_type",
];

type Kind = "int" | "size" | "bool" | "enum" | "string" | "float" | "dir" | "path";
/**
 * "fixed": set once when the data directory is first started; neither applied at runtime nor worth a restart.
 * "tls": the ssl_* file names, constant; install-tls.sh replaces the files and reloads TLS itself.
 */
type Apply = "runtime" | "restart" | "fixed" | "tls";

/**
 * How gamedb applies each non-overridable setting it writes, and the variable to read it back from when that is
 * not the option name (log_bin reads as 1; its path is log_bin_basename).
 * - gtid_mode / enforce_gtid_consistency are "fixed": the data directory is initialised with them, and changing
 *   them on a running group is a staged procedure, not a SET PERSIST or a restart.
 * - replica_preserve_commit_order and innodb_doublewrite count as restart: SET fails while the Group Replication
 *   applier runs, and doublewrite cannot be switched on at runtime.
 */
const BUILT_IN: Readonly<Record<string, { kind: Kind; apply: Apply; readAs?: string }>> = {
  server_id: { kind: "int", apply: "restart" },
  report_host: { kind: "string", apply: "restart" },
  bind_address: { kind: "string", apply: "restart" },
  skip_name_resolve: { kind: "bool", apply: "restart" },
  datadir: { kind: "dir", apply: "restart" },
  log_bin: { kind: "path", apply: "restart", readAs: "log_bin_basename" },
  relay_log: { kind: "path", apply: "restart", readAs: "relay_log_basename" },
  gtid_mode: { kind: "enum", apply: "fixed" },
  enforce_gtid_consistency: { kind: "enum", apply: "fixed" },
  log_replica_updates: { kind: "bool", apply: "restart" },
  binlog_expire_logs_seconds: { kind: "int", apply: "runtime" },
  sync_binlog: { kind: "int", apply: "runtime" },
  innodb_flush_log_at_trx_commit: { kind: "int", apply: "runtime" },
  innodb_doublewrite: { kind: "enum", apply: "restart" },
  replica_preserve_commit_order: { kind: "bool", apply: "restart" },
  disabled_storage_engines: { kind: "string", apply: "restart" },
  innodb_dedicated_server: { kind: "bool", apply: "restart" },
  log_bin_trust_function_creators: { kind: "bool", apply: "runtime" },
  binlog_row_image: { kind: "enum", apply: "runtime" },
  binlog_row_metadata: { kind: "enum", apply: "runtime" },
  binlog_transaction_compression: { kind: "bool", apply: "runtime" },
  require_secure_transport: { kind: "bool", apply: "runtime" },
  ssl_ca: { kind: "path", apply: "tls" },
  ssl_cert: { kind: "path", apply: "tls" },
  ssl_key: { kind: "path", apply: "tls" },
};

/** Settings excluded from both restartVariables and dynamicVariables. */
export const FIXED_AT_INITIALIZE: readonly string[] = Object.keys(BUILT_IN).filter(
  (name) => BUILT_IN[name]?.apply === "fixed",
);

/** The ssl_* file names: excluded from both too (install-tls.sh reloads the files they name). */
export const TLS_RELOADED: readonly string[] = Object.keys(BUILT_IN).filter((name) => BUILT_IN[name]?.apply === "tls");

/** The variable to read a setting back from (`SELECT @@GLOBAL.<name>`). */
export function readBackName(setting: string): string {
  return BUILT_IN[setting]?.readAs ?? setting;
}

/** Buffer pool share of memory, by instance memory. */
function bufferPoolShare(memGiB: number): number {
  if (memGiB < 8) return 0.5;
  if (memGiB < 32) return 0.7;
  return 0.75;
}

/** Buffer pool instances for a pool size: the largest of 8, 4, 2, 1 that divides it into >= 1 GiB whole chunks. */
export function bufferPoolInstances(bytes: number): number {
  for (const n of [8, 4, 2]) if (bytes >= n * GiB && bytes % (n * CHUNK) === 0) return n;
  return 1;
}

/** Buffer pool size and instances for an instance's memory. */
export function bufferPoolFor(memGiB: number): { bytes: number; instances: number } {
  const target = memGiB * GiB * bufferPoolShare(memGiB);
  const instances = [8, 4, 2].find((n) => target >= n * GiB) ?? 1;
  const unit = CHUNK * instances;
  return { bytes: Math.max(CHUNK, Math.floor(target / unit) * unit), instances };
}

/** max_connections for an instance's memory and buffer pool (see the module comment). */
export function maxConnectionsFor(memGiB: number, bufferPoolBytes: number): number {
  const spareMiB = Math.floor((memGiB * GiB - bufferPoolBytes - GiB) / MiB);
  return Math.min(DEFAULT_MAX_CONNECTIONS, Math.max(MIN_MAX_CONNECTIONS, spareMiB));
}

/** A size as my.cnf writes it: whole GiB as "NG", whole MiB as "NM", else bytes. */
export function formatSize(bytes: number): string {
  if (bytes % GiB === 0) return `${bytes / GiB}G`;
  if (bytes % MiB === 0) return `${bytes / MiB}M`;
  return String(bytes);
}

function renderOverride(value: string | number | boolean): string {
  if (typeof value === "boolean") return value ? "ON" : "OFF";
  return String(value);
}

/** A value that is one my.cnf word as written: no whitespace, comment sign, quote or backslash. */
function assertPlain(name: string, value: string): void {
  if (!/^[^\s#'"\\]+$/.test(value)) {
    throw new Error(`my.cnf value for ${name} cannot be written as is: ${JSON.stringify(value)}`);
  }
}

/** The [mysqld] settings for one node, in file order; values as written in my.cnf. */
export function mycnfSettings(input: MyCnfInput): Record<string, string> {
  if (!/^8\.4\.\d{1,2}$/.test(input.version)) throw new Error(`not a MySQL 8.4 LTS version: ${input.version}`);
  if (!Number.isInteger(input.serverId) || input.serverId < 1 || input.serverId > 2 ** 32 - 1) {
    throw new Error(`server_id must be an integer from 1 to 4294967295, got ${input.serverId}`);
  }
  if (!/^\/([A-Za-z0-9_.-]+\/?)+$/.test(input.dataDir)) throw new Error(`not an absolute path: ${input.dataDir}`);
  if (!Number.isInteger(input.pitrWindowHours) || input.pitrWindowHours < 1) {
    throw new Error(`pitrWindowHours must be a positive integer, got ${input.pitrWindowHours}`);
  }
  const dataDir = input.dataDir.replace(/\/+$/, "");

  const s: Record<string, string> = {
    server_id: String(input.serverId),
    report_host: input.reportHost,
    bind_address: "0.0.0.0",
    skip_name_resolve: "ON",
    datadir: dataDir,
    log_bin: `${dataDir}/${BINLOG_BASENAME}`,
    relay_log: `${dataDir}/${RELAY_LOG_BASENAME}`,
    gtid_mode: "ON",
    enforce_gtid_consistency: "ON",
    log_replica_updates: "ON",
    binlog_expire_logs_seconds: String(input.pitrWindowHours * 3600 + BINLOG_SAFETY_SECONDS),
    binlog_row_image: "FULL",
    binlog_row_metadata: "FULL",
    binlog_transaction_compression: "OFF",
    sync_binlog: "1",
    innodb_flush_log_at_trx_commit: "1",
    innodb_doublewrite: "ON",
    replica_parallel_workers: String(REPLICA_PARALLEL_WORKERS),
    replica_preserve_commit_order: "ON",
    disabled_storage_engines: DISABLED_STORAGE_ENGINES,
    require_secure_transport: "ON",
    ssl_ca: TLS_FILES.ca,
    ssl_cert: TLS_FILES.cert,
    ssl_key: TLS_FILES.key,
  };
  if (input.trustTriggerCreators) s.log_bin_trust_function_creators = "ON";

  const memGiB = instanceMemoryGiB(input.instanceType);
  if (memGiB === undefined) {
    s.max_connections = String(DEFAULT_MAX_CONNECTIONS);
    s.innodb_dedicated_server = "ON";
  } else {
    const pool = bufferPoolFor(memGiB);
    s.max_connections = String(maxConnectionsFor(memGiB, pool.bytes));
    s.innodb_buffer_pool_size = formatSize(pool.bytes);
    s.innodb_buffer_pool_instances = String(pool.instances);
    s.innodb_redo_log_capacity = REDO_LOG_CAPACITY;
  }

  for (const [name, value] of Object.entries(input.overrides)) {
    if (!MYCNF_OVERRIDES[name]) throw new Error(`${name} is not an overridable my.cnf setting`);
    s[name] = renderOverride(value);
  }
  // An overridden pool size keeps a whole number of chunks per instance unless the instances are overridden too.
  const pool = input.overrides.innodb_buffer_pool_size;
  if (pool !== undefined && input.overrides.innodb_buffer_pool_instances === undefined) {
    const bytes = parseSize(pool);
    if (bytes !== undefined) s.innodb_buffer_pool_instances = String(bufferPoolInstances(bytes));
  }

  for (const [name, value] of Object.entries(s)) assertPlain(name, value);
  return s;
}

/** The file: a header, then `[mysqld]` and one `name = value` line per setting. */
export function renderMyCnf(input: MyCnfInput): string {
  const settings = mycnfSettings(input);
  const overridden = Object.keys(input.overrides).sort();
  const header = [
    "# Generated by gamedb: overwritten on every deployment. Do not edit this file;",
    "# change gamedb:mysql.overrides in the stack configuration instead.",
    // The series, not the patch version: a minor upgrade (done node by node, see the README) must not rewrite
    // every member's my.cnf at once.
    `# MySQL ${input.version.split(".").slice(0, 2).join(".")}, instance type ${input.instanceType}, server_id ${input.serverId}.`,
    `# Overrides: ${overridden.length ? overridden.join(", ") : "none"}.`,
  ];
  const lines = Object.entries(settings).map(([name, value]) => `${name} = ${value}`);
  return [...header, "[mysqld]", ...lines, ""].join("\n");
}

function kindOf(name: string): Kind {
  const spec = MYCNF_OVERRIDES[name];
  if (spec) return spec.kind;
  const builtIn = BUILT_IN[name];
  if (builtIn) return builtIn.kind;
  throw new Error(`unknown my.cnf setting ${name}`);
}

function applyOf(name: string): Apply {
  const spec = MYCNF_OVERRIDES[name];
  if (spec) return spec.restart ? "restart" : "runtime";
  const builtIn = BUILT_IN[name];
  if (builtIn) return builtIn.apply;
  throw new Error(`unknown my.cnf setting ${name}`);
}

/** Sizes the server stores rounded down to a block (my_getopt BLOCK_SIZE). */
const BLOCK: Readonly<Record<string, number>> = {
  max_allowed_packet: 1024,
  max_heap_table_size: 1024,
  join_buffer_size: 128,
};

/** A setting's value as `SELECT @@GLOBAL.<readBackName>` reports it. */
function normalize(name: string, value: string, settings: Record<string, string>): string {
  switch (kindOf(name)) {
    case "bool":
      return value === "ON" ? "1" : value === "OFF" ? "0" : value;
    case "size": {
      let bytes = parseSize(value);
      if (bytes === undefined) throw new Error(`${name}: not a size: ${value}`);
      const block = BLOCK[name];
      if (block) bytes = Math.floor(bytes / block) * block;
      if (name === "innodb_buffer_pool_size") {
        // The server rounds the pool up to a whole number of chunks per instance.
        const unit = CHUNK * Number(settings.innodb_buffer_pool_instances ?? 1);
        bytes = Math.ceil(bytes / unit) * unit;
      }
      return String(bytes);
    }
    case "float":
      return Number(value).toFixed(6);
    case "dir":
      return value.endsWith("/") ? value : `${value}/`;
    default:
      return value;
  }
}

function subset(settings: Record<string, string>, apply: Apply): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) {
    if (applyOf(name) === apply) out[readBackName(name)] = normalize(name, value, settings);
  }
  return out;
}

/**
 * Settings that take effect only when mysqld restarts, keyed by the variable to read them back from, with the
 * value that variable reports when the setting is in effect (sizes in bytes, ON/OFF as 1/0). The caller writes
 * the file and restarts when any of them differs.
 */
export function restartVariables(settings: Record<string, string>): Record<string, string> {
  return subset(settings, "restart");
}

/** Settings the caller applies at runtime with SET GLOBAL (my.cnf carries them across restarts), normalised the same way. */
export function dynamicVariables(settings: Record<string, string>): Record<string, string> {
  return subset(settings, "runtime");
}
