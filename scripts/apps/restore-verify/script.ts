/**
 * The MySQL Shell (JavaScript) script the verification pipes to `mysqlsh --js` on stdin: connect as root over the
 * throwaway server's socket, load the dump from S3, count the BASE TABLEs per user schema and print them as one JSON
 * line. Every value is a JSON literal. No credential is in it: MySQL Shell gets them from the credential process
 * its s3ConfigFile names (credentialProcess.ts), or else from AWS_ACCESS_KEY_ID... in its environment.
 */
import { COUNTS_MARKER, ERROR_MARKER, SYSTEM_SCHEMAS } from "./decide";

export interface LoadScriptOptions {
  /** The dump folder, `full/shard<N>/<ts>/`. */
  prefix: string;
  bucket: string;
  region?: string;
  /** An S3-compatible endpoint (MySQL Shell's s3EndpointOverride). */
  endpoint?: string;
  threads: number;
  /** The throwaway server's socket. */
  socket: string;
  /** A Shell AWS config file whose default profile's credential_process gives the keys (credentialProcess.ts). */
  s3ConfigFile?: string;
}

/** The util.loadDump options, in order, as JavaScript object text. */
export function loadDumpOptions(o: LoadScriptOptions): string {
  const options: [string, unknown][] = [
    ["s3BucketName", o.bucket],
    ...(o.region ? [["s3Region", o.region] as [string, unknown]] : []),
    ...(o.endpoint ? [["s3EndpointOverride", o.endpoint] as [string, unknown]] : []),
    // s3Profile pins the profile and makes Shell skip environment keys (s3_bucket_config.cc setup_profile_name).
    ...(o.s3ConfigFile
      ? [["s3ConfigFile", o.s3ConfigFile] as [string, unknown], ["s3Profile", "default"] as [string, unknown]]
      : []),
    ["threads", o.threads],
    // The accounts are not what is verified, and the server is thrown away.
    ["loadUsers", false],
    ["skipBinlog", true],
    // An empty progressFile turns progress tracking off. Without it the loader writes load-progress.<uuid>.json
    // next to the dump, into the bucket, which the verification's read-only IAM user may not (mysql-shell 8.4.3 and
    // 8.4.8 modules/util/load/load_dump_options.cc create_progress_file_handle, dump_loader.cc setup_progress_file).
    ["progressFile", ""],
    ["showProgress", false],
  ];
  return `{${options.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")}}`;
}

/** BASE TABLEs per user schema, as gamedb-backup.sh counts them for the manifest. */
export const COUNT_SQL =
  "SELECT TABLE_SCHEMA AS name, COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' " +
  `AND TABLE_SCHEMA NOT IN (${SYSTEM_SCHEMAS.map((s) => `'${s}'`).join(", ")}) GROUP BY TABLE_SCHEMA`;

export function loadScript(o: LoadScriptOptions): string {
  return [
    "try {",
    `  shell.connect({scheme: "mysql", user: "root", password: "", socket: ${JSON.stringify(o.socket)}});`,
    `  util.loadDump(${JSON.stringify(o.prefix)}, ${loadDumpOptions(o)});`,
    `  const result = shell.getSession().runSql(${JSON.stringify(COUNT_SQL)});`,
    "  const counts = {};",
    "  for (let row = result.fetchOneObject(); row; row = result.fetchOneObject()) counts[row.name] = Number(row.n);",
    `  println(${JSON.stringify(COUNTS_MARKER)} + JSON.stringify(counts));`,
    "} catch (e) {",
    `  println(${JSON.stringify(ERROR_MARKER)} + JSON.stringify(String(e && e.message ? e.message : e)));`,
    "  throw e;",
    "}",
    "",
  ].join("\n");
}
