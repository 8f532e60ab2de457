/**
 * Argument handling of the MODEL's AdminAPI functions: option maps, instance addresses, connection data and what is
 * recorded of them (passwords replaced). Not MySQL Shell.
 */
import { argumentError } from "./errors";

export type Options = Record<string, unknown>;

export function checkOptions(opts: unknown, allowed: string[]): Options {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== "object") throw argumentError("Argument #2 is expected to be a map");
  const o = opts as Options;
  const bad = Object.keys(o).filter((k) => !allowed.includes(k));
  if (bad.length > 0) throw argumentError(`Invalid options: ${bad.join(", ")}`);
  return o;
}

function isAddress(v: string): boolean {
  return /^[A-Za-z0-9._-]+:[0-9]+$/.test(v);
}

export function addressOf(target: unknown): string {
  if (typeof target === "string") {
    const at = target.lastIndexOf("@");
    const a = at >= 0 ? target.slice(at + 1) : target;
    const withPort = a.includes(":") ? a : `${a}:3306`;
    if (!isAddress(withPort)) throw argumentError(`Invalid URI: ${target}`);
    return withPort;
  }
  if (target && typeof target === "object") {
    const t = target as Options;
    return `${String(t.host)}:${String(t.port ?? 3306)}`;
  }
  throw argumentError("Argument #1 is expected to be a string or a map");
}

/**
 * recoveryMethod: auto (the default), clone or incremental, in any case: common/clone_options.cc
 * Join_cluster_clone_options::set_recovery_method.
 */
export function recoveryMethodOf(o: Options): "auto" | "clone" | "incremental" {
  if (o.recoveryMethod === undefined) return "auto";
  const rm = String(o.recoveryMethod).toLowerCase();
  if (rm === "auto" || rm === "clone" || rm === "incremental") return rm;
  throw argumentError(`Invalid value for option recoveryMethod: ${String(o.recoveryMethod)}`);
}

/** dba.createCluster options and the values each accepts. */
export const CREATE_OPTIONS: Record<string, (v: unknown) => boolean> = {
  communicationStack: (v) => v === "MYSQL" || v === "XCOM",
  memberSslMode: (v) => ["AUTO", "DISABLED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"].includes(String(v)),
  gtidSetIsComplete: (v) => typeof v === "boolean",
  exitStateAction: (v) => ["ABORT_SERVER", "OFFLINE_MODE", "READ_ONLY"].includes(String(v)),
  autoRejoinTries: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2016,
  expelTimeout: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 3600,
  consistency: (v) =>
    ["EVENTUAL", "BEFORE_ON_PRIMARY_FAILOVER", "BEFORE", "AFTER", "BEFORE_AND_AFTER"].includes(String(v)),
  manualStartOnBoot: (v) => typeof v === "boolean",
  memberWeight: (v) => Number.isInteger(v),
  ipAllowlist: (v) => typeof v === "string",
  localAddress: (v) => typeof v === "string",
  groupName: (v) => typeof v === "string",
  disableClone: (v) => typeof v === "boolean",
  paxosSingleLeader: (v) => typeof v === "boolean",
  transactionSizeLimit: (v) => Number.isInteger(v),
  replicationAllowedHost: (v) => typeof v === "string",
  memberAuthType: (v) => typeof v === "string",
  multiPrimary: (v) => typeof v === "boolean",
  force: (v) => typeof v === "boolean",
};

export function hostPort(address: string): { host: string; port: number } {
  const [host, port] = address.split(":");
  return { host: host!, port: Number(port ?? 3306) };
}

export function describeTarget(cd: unknown, local: string): string | undefined {
  if (cd && typeof cd === "object") {
    const o = cd as Options;
    if (o.socket !== undefined) return local;
    return `${String(o.host)}:${String(o.port ?? 3306)}`;
  }
  return typeof cd === "string" ? addressOf(cd) : undefined;
}

/** Connection data as recorded: the password replaced. */
export function redactCd(cd: unknown): unknown {
  if (cd && typeof cd === "object") {
    const o = { ...(cd as Options) };
    if (o.password !== undefined) o.password = "****";
    return o;
  }
  return typeof cd === "string" ? cd.replace(/:[^@]*@/, ":****@") : cd;
}

export function redactOpts(opts: unknown): unknown {
  if (opts && typeof opts === "object") {
    const o = { ...(opts as Options) };
    if (o.clusterAdminPassword !== undefined) o.clusterAdminPassword = "****";
    return o;
  }
  return opts;
}
