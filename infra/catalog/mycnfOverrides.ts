/**
 * The my.cnf settings an operator may override under `gamedb:mysql.overrides`, with the values each accepts.
 * Everything else that gamedb writes (server_id, GTID, binary log, durability, Group Replication prerequisites) is
 * what keeps replication and point-in-time recovery correct, so it is not overridable.
 * Names are MySQL 8.4 system variables (underscores). `restart` says whether a change needs mysqld restarted.
 */
export type OverrideSpec =
  | { kind: "int"; min: number; max: number; restart: boolean }
  | { kind: "size"; min: number; max: number; restart: boolean }
  | { kind: "bool"; restart: boolean }
  | { kind: "enum"; values: readonly string[]; restart: boolean }
  | { kind: "float"; min: number; max: number; restart: boolean };

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const MYCNF_OVERRIDES: Readonly<Record<string, OverrideSpec>> = {
  max_connections: { kind: "int", min: 10, max: 100_000, restart: false },
  innodb_buffer_pool_size: { kind: "size", min: 128 * MiB, max: 4096 * GiB, restart: false },
  innodb_redo_log_capacity: { kind: "size", min: 8 * MiB, max: 512 * GiB, restart: false },
  innodb_io_capacity: { kind: "int", min: 100, max: 1_000_000, restart: false },
  innodb_io_capacity_max: { kind: "int", min: 100, max: 2_000_000, restart: false },
  innodb_log_buffer_size: { kind: "size", min: 1 * MiB, max: 4 * GiB, restart: false },
  innodb_lock_wait_timeout: { kind: "int", min: 1, max: 3600, restart: false },
  innodb_buffer_pool_instances: { kind: "int", min: 1, max: 64, restart: true },
  replica_parallel_workers: { kind: "int", min: 1, max: 1024, restart: false },
  table_open_cache: { kind: "int", min: 1, max: 524_288, restart: false },
  thread_cache_size: { kind: "int", min: 0, max: 16_384, restart: false },
  tmp_table_size: { kind: "size", min: 1 * KiB, max: 64 * GiB, restart: false },
  max_heap_table_size: { kind: "size", min: 16 * KiB, max: 64 * GiB, restart: false },
  max_allowed_packet: { kind: "size", min: 1 * KiB, max: 1 * GiB, restart: false },
  sort_buffer_size: { kind: "size", min: 32 * KiB, max: 1 * GiB, restart: false },
  join_buffer_size: { kind: "size", min: 128, max: 1 * GiB, restart: false },
  wait_timeout: { kind: "int", min: 1, max: 31_536_000, restart: false },
  interactive_timeout: { kind: "int", min: 1, max: 31_536_000, restart: false },
  long_query_time: { kind: "float", min: 0, max: 31_536_000, restart: false },
  slow_query_log: { kind: "bool", restart: false },
  character_set_server: { kind: "enum", values: ["utf8mb4", "latin1", "binary"], restart: false },
  transaction_isolation: {
    kind: "enum",
    values: ["READ-COMMITTED", "REPEATABLE-READ"],
    restart: false,
  },
};

/** Sizes as my.cnf writes them: a byte count or a number with K, M or G. */
const SIZE = /^(\d+)([KMG])?$/;

/** Bytes of a size value ("512M", "8G", 1048576), or undefined when it is not one. */
export function parseSize(value: string | number | boolean): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const m = SIZE.exec(value);
  if (!m) return undefined;
  const unit = { K: KiB, M: MiB, G: GiB }[m[2] as "K" | "M" | "G"] ?? 1;
  return Number(m[1]) * unit;
}

/** What a spec accepts, in words, for error messages. */
export function describeOverride(spec: OverrideSpec): string {
  switch (spec.kind) {
    case "int":
      return `an integer from ${spec.min} to ${spec.max}`;
    case "float":
      return `a number from ${spec.min} to ${spec.max}`;
    case "size":
      return `a size from ${spec.min} to ${spec.max} bytes, written as bytes or with K, M or G (e.g. "512M")`;
    case "bool":
      return "true or false";
    case "enum":
      return `one of ${spec.values.map((v) => JSON.stringify(v)).join(", ")}`;
  }
}

/** Whether a value is one the spec accepts. */
export function overrideAccepts(spec: OverrideSpec, value: string | number | boolean): boolean {
  switch (spec.kind) {
    case "int":
      return typeof value === "number" && Number.isInteger(value) && value >= spec.min && value <= spec.max;
    case "float":
      return typeof value === "number" && value >= spec.min && value <= spec.max;
    case "size": {
      const bytes = parseSize(value);
      return bytes !== undefined && bytes >= spec.min && bytes <= spec.max;
    }
    case "bool":
      return typeof value === "boolean";
    case "enum":
      return typeof value === "string" && spec.values.includes(value);
  }
}
