/**
 * What MySQL Shell 8.4 does to find S3 credentials for a util.dumpInstance / util.loadDump call, replayed from the
 * argv and environment a stand-in mysqlsh recorded. A model of mysql-shell 8.4.3 (the same in 8.4.8) under
 * mysqlshdk/libs/aws/:
 *
 *   s3_bucket_config.cc        profile: s3Profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default"; credentials file:
 *                              s3CredentialsFile, AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials; config file:
 *                              s3ConfigFile, AWS_CONFIG_FILE, ~/.aws/config; providers in order: environment (not
 *                              when s3Profile is set), credentials file profile, config credential_process, config
 *                              file keys; the first with keys wins, none: "The AWS access and secret keys were not
 *                              found in: <names>"
 *   aws_config_file.cc         "#"/";" comments, [name] or [profile name], key = value, anything else throws
 *   process_credentials_provider.cc   popen(command) (so /bin/sh -c, Shell's environment), stdout JSON Version 1
 *   aws_credentials_provider.cc       an Expiration makes the credentials temporary (refreshed by running again)
 *
 *   s3Credentials(js, env)   the resolution for the util call in `js`, run with environment `env`
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

type Profile = { keys: Record<string, string> };

/** aws_config_file.cc Aws_config_file::load: profiles by name, or null when the file cannot be opened. */
export function parseAwsFile(path: string): Map<string, Profile> | null {
  if (!existsSync(path)) return null;
  const profiles = new Map<string, Profile>();
  let current: Profile | null = null;
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
      const fail = (why: string) => {
        throw new Error(`Failed to parse config file '${path}': ${why}, in line ${i + 1}: ${line}`);
      };
      if (line.startsWith("[")) {
        const end = line.indexOf("]");
        if (end < 0) fail("missing closing square bracket");
        const name = line
          .slice(1, end)
          .trim()
          .replace(/^profile /, "");
        current = profiles.get(name) ?? { keys: {} };
        profiles.set(name, current);
      } else if (current) {
        const eq = line.indexOf("=");
        if (eq < 0) fail("expected setting-name=value");
        current.keys[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
      } else fail("setting without an associated profile");
    });
  return profiles;
}

/** The string options of the util.dumpInstance / util.loadDump call in a mysqlsh -e script. */
export function utilOptions(js: string): Record<string, string> {
  const call = /util\.(?:dumpInstance|loadDump)\([^,]+,\s*\{([^}]*)\}/.exec(js);
  if (!call) throw new Error(`no util.dumpInstance/loadDump call with options in: ${js}`);
  return Object.fromEntries([...call[1]!.matchAll(/(\w+):\s*"([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

export interface S3Credentials {
  profile: string;
  credentialsFile: string;
  configFile: string;
  /** The provider's name as Shell reports it. */
  provider: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Set: Shell refreshes the credentials (runs the process again) before this time. */
  expiration?: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}.\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** process_credentials_provider.cc run_process + parse_json. */
function runProcess(command: string, env: Record<string, string>) {
  const run = spawnSync("/bin/sh", ["-c", command], { env, encoding: "utf8" });
  if (run.status !== 0)
    throw new Error(`AWS credential process: process returned an error code ${run.status}, output: ${run.stdout}`);
  if (run.stdout === "") throw new Error("AWS credential process: process did not write any output");
  const doc = JSON.parse(run.stdout) as Record<string, unknown>;
  if (doc.Version !== 1) throw new Error("AWS credential process: got unsupported version, expected: 1");
  for (const key of ["AccessKeyId", "SecretAccessKey"])
    if (typeof doc[key] !== "string") throw new Error(`JSON object should contain a '${key}' key with a string value`);
  if (doc.Expiration !== undefined && !RFC3339.test(String(doc.Expiration)))
    throw new Error(`Failed to parse 'Expiration' value '${String(doc.Expiration)}'`);
  return {
    accessKeyId: doc.AccessKeyId as string,
    secretAccessKey: doc.SecretAccessKey as string,
    sessionToken: doc.SessionToken as string | undefined,
    expiration: doc.Expiration as string | undefined,
  };
}

/** The credentials Shell would use for the util call in `js`, started with `env`; throws as Shell would. */
export function s3Credentials(js: string, env: Record<string, string>): S3Credentials {
  const o = utilOptions(js);
  const nonEmpty = (v: string | undefined) => (v ? v : undefined);
  const home = env.HOME ?? "";
  const explicit = nonEmpty(o.s3Profile) !== undefined;
  const profile = nonEmpty(o.s3Profile) ?? nonEmpty(env.AWS_PROFILE) ?? nonEmpty(env.AWS_DEFAULT_PROFILE) ?? "default";
  const credentialsFile =
    nonEmpty(o.s3CredentialsFile) ?? nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ?? `${home}/.aws/credentials`;
  const configFile = nonEmpty(o.s3ConfigFile) ?? nonEmpty(env.AWS_CONFIG_FILE) ?? `${home}/.aws/config`;
  const base = { profile, credentialsFile, configFile };

  const fromKeys = (keys: Record<string, string | undefined>, provider: string, id: string, secret: string) => {
    const [a, s] = [keys[id], keys[secret]];
    if ((a === undefined) !== (s === undefined)) throw new Error(`Partial AWS credentials found in ${provider}`);
    return a === undefined ? null : { ...base, provider, accessKeyId: a, secretAccessKey: s! };
  };
  const providers: Array<[string, () => S3Credentials | null]> = [];
  if (!explicit)
    providers.push([
      "environment variables",
      () => fromKeys(env, "environment variables", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
    ]);
  const credProfile = parseAwsFile(credentialsFile)?.get(profile);
  if (credProfile) {
    const name = `credentials file (${credentialsFile})`;
    providers.push([name, () => fromKeys(credProfile.keys, name, "aws_access_key_id", "aws_secret_access_key")]);
  }
  const confProfile = parseAwsFile(configFile)?.get(profile);
  if (confProfile) {
    const command = confProfile.keys.credential_process;
    if (command !== undefined) {
      const name = `output of 'credential_process' (config file ${configFile})`;
      providers.push([name, () => (command ? { ...base, provider: name, ...runProcess(command, env) } : null)]);
    }
    const name = `config file (${configFile})`;
    providers.push([name, () => fromKeys(confProfile.keys, name, "aws_access_key_id", "aws_secret_access_key")]);
  }
  if (providers.length === 0)
    throw new Error("Could not select the AWS credentials provider, please see log for more details");
  for (const [, get] of providers) {
    const found = get();
    if (found) return found;
  }
  throw new Error(`The AWS access and secret keys were not found in: ${providers.map(([n]) => n).join(", ")}`);
}
