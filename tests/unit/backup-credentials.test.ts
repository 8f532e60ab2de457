/**
 * MySQL Shell's S3 credentials on a shard host. Shell 8.4 has no EC2 instance-profile provider, so the backup job
 * gives it /etc/gamedb/mysqlsh-aws.config, whose credential_process asks the AWS CLI. The backup script runs with a
 * stand-in mysqlsh that records its argv and environment; tests/helpers/mysqlshS3.ts then replays what Shell 8.4.3
 * would do with them (mysqlshdk/libs/aws), running the credential_process against a stand-in aws.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MYSQLSH_AWS_CONFIG_PATH, credentialProcess, mysqlshAwsConfig } from "../../infra/backup/host/mysqlshAws";
import { CREDENTIALS_PATH, backupHostFiles, credentialsFile } from "../../infra/backup/hostJobs";
import { backupUnits } from "../../infra/backup/host/units";
import { backupInstallCommand } from "../../infra/backup/host/installStep";
import { freshRoot, runBackupInstall } from "../helpers/backupInstall";
import {
  BACKUP_ENV,
  BACKUP_PATH,
  IMDS_CREDENTIALS,
  UUID_A,
  UUID_B,
  envMap,
  fakeHost,
  membersTable,
  readNul,
  type FakeHost,
} from "../helpers/backupHost";
import { parseAwsFile, s3Credentials } from "../helpers/mysqlshS3";

const STATIC_ID = "AKIASTATICEXAMPLE001";
const STATIC_SECRET = "static/Secret+Value001";

/** A member that is the dump source and whose dump succeeds. */
function sourceHost(env = BACKUP_ENV): FakeHost {
  const h = fakeHost(env);
  h.set("uuid", `${UUID_B}\n`);
  const m = { state: "ONLINE", certQueue: 0, applierQueue: 0 };
  h.set(
    "members",
    membersTable([
      { ...m, id: UUID_A, address: "10.0.3.10:3306", role: "PRIMARY" },
      { ...m, id: UUID_B, address: "10.0.3.11:3306", role: "SECONDARY" },
    ]),
  );
  h.set("ls", "2025-03-01 03:10:00 412 @.done.json\n");
  h.set("summary", "Total Objects: 14\n   Total Size: 123456\n");
  return h;
}

/** Runs the backup and returns what mysqlsh was started with. */
function dump(h: FakeHost) {
  const run = h.run(BACKUP_PATH);
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const argv = readNul(join(h.dir, "mysqlsh.argv"));
  const env = envMap(readNul(join(h.dir, "mysqlsh.env")));
  const js = argv[argv.indexOf("-e") + 1]!;
  return { argv, env, js };
}

/** The environment the stand-in aws saw when it ran as Shell's credential process. */
const exportEnv = (h: FakeHost) => envMap(readNul(join(h.dir, "aws-export.env")));

describe("/etc/gamedb/mysqlsh-aws.config", () => {
  it("is a default profile whose credential_process runs the AWS CLI, in the forms Shell's parser accepts", () => {
    const h = fakeHost();
    h.set("ec2.config", mysqlshAwsConfig());
    const profiles = parseAwsFile(join(h.dir, "ec2.config"))!;
    expect([...profiles.keys()]).toEqual(["default"]);
    expect(profiles.get("default")!.keys).toEqual({ credential_process: credentialProcess() });
    expect(credentialProcess()).toBe(
      "/usr/bin/env -u AWS_CONFIG_FILE -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_ACCESS_KEY_ID" +
        " -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_SHARED_CREDENTIALS_FILE" +
        " aws configure export-credentials --format process",
    );
    expect(credentialProcess(CREDENTIALS_PATH)).toMatch(
      /-u AWS_SESSION_TOKEN AWS_SHARED_CREDENTIALS_FILE=\/etc\/gamedb\/aws-credentials aws configure /,
    );
    expect(() => credentialProcess("/etc/x; rm -rf /")).toThrow(/credentialsFile must be an absolute path/);
  });

  it("is installed with the other files, root-owned 0644, naming a static host's credentials file", () => {
    const units = backupUnits({ shardKey: "shard3", fullSchedule: "daily", binlogShipMinutes: 5 });
    const env = {
      ...{ environment: "prod", shard: "shard3", bucket: "b", region: "eu-west-1", self: "10.0.3.11:3306" },
      ...{ mysqlUser: "gamedb_backup", alertTopicArn: "arn:aws:sns:eu-west-1:1:t" },
    };
    expect(backupHostFiles(units, env)[MYSQLSH_AWS_CONFIG_PATH]).toBe(mysqlshAwsConfig());
    const files = backupHostFiles(units, { ...env, credentialsFile: CREDENTIALS_PATH });
    expect(files[MYSQLSH_AWS_CONFIG_PATH]).toBe(mysqlshAwsConfig(CREDENTIALS_PATH));
    // The install step's launcher writes each file under sudo (root), 0644 for the bundle's files.
    const root = freshRoot();
    const run = runBackupInstall(backupInstallCommand(files), root);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const installed = join(root, MYSQLSH_AWS_CONFIG_PATH);
    expect(readFileSync(installed, "utf8")).toBe(mysqlshAwsConfig(CREDENTIALS_PATH));
    expect(spawnSync("stat", ["-c", "%a", installed], { encoding: "utf8" }).stdout.trim()).toBe("644");
  });
});

describe("an EC2 host (no credentials file)", () => {
  it("MySQL Shell gets the instance profile's credentials through the AWS CLI, and refreshes them", () => {
    const h = sourceHost();
    h.set("imds.json", JSON.stringify(IMDS_CREDENTIALS));
    const { js, env } = dump(h);
    expect(js).toContain(`s3ConfigFile: "${h.dir}${MYSQLSH_AWS_CONFIG_PATH}", s3Profile: "default"`);
    expect(s3Credentials(js, env)).toEqual({
      profile: "default",
      credentialsFile: `${h.dir}/.aws/credentials`,
      configFile: `${h.dir}${MYSQLSH_AWS_CONFIG_PATH}`,
      provider: `output of 'credential_process' (config file ${h.dir}${MYSQLSH_AWS_CONFIG_PATH})`,
      accessKeyId: IMDS_CREDENTIALS.AccessKeyId,
      secretAccessKey: IMDS_CREDENTIALS.SecretAccessKey,
      sessionToken: IMDS_CREDENTIALS.SessionToken,
      // An Expiration: Shell runs the process again 5 minutes before it, so a long dump keeps going.
      expiration: IMDS_CREDENTIALS.Expiration,
    });
  });

  it("the AWS CLI never reads this config, even when the caller's environment points at it", () => {
    const h = sourceHost();
    h.set("imds.json", JSON.stringify(IMDS_CREDENTIALS));
    const { js, env } = dump(h);
    const pointed = { ...env, AWS_CONFIG_FILE: `${h.dir}${MYSQLSH_AWS_CONFIG_PATH}`, AWS_PROFILE: "default" };
    expect(s3Credentials(js, pointed).accessKeyId).toBe(IMDS_CREDENTIALS.AccessKeyId);
    const seen = exportEnv(h);
    for (const name of ["AWS_CONFIG_FILE", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ACCESS_KEY_ID"])
      expect(seen[name]).toBeUndefined();
    expect(h.read("aws-recursed")).toBe("");

    // The stand-in does catch the loop: the same config with a bare `aws configure export-credentials`.
    h.set("loop.config", "[default]\ncredential_process = aws configure export-credentials --format process\n");
    const loop = js.replace(/s3ConfigFile: "[^"]*"/, `s3ConfigFile: "${h.dir}/loop.config"`);
    expect(() => s3Credentials(loop, { ...env, AWS_CONFIG_FILE: `${h.dir}/loop.config` })).toThrow(/error code 255/);
    expect(h.read("aws-recursed")).toBe(`${h.dir}/loop.config\n`);
  });

  it("nothing secret is on mysqlsh's command line or in its environment", () => {
    const h = sourceHost();
    h.set("imds.json", JSON.stringify(IMDS_CREDENTIALS));
    const { argv, env } = dump(h);
    const text = argv.join(" ");
    for (const secret of [IMDS_CREDENTIALS.AccessKeyId, IMDS_CREDENTIALS.SecretAccessKey, "aws_secret_access_key"])
      expect(text).not.toContain(secret);
    expect(Object.keys(env).filter((k) => /^AWS_(ACCESS|SECRET|SESSION)/.test(k))).toEqual([]);
  });
});

describe("a static host (credentials file from backup.env)", () => {
  function staticHost() {
    const h = sourceHost();
    const creds = `${h.dir}${CREDENTIALS_PATH}`;
    h.set("etc/gamedb/backup.env", `${BACKUP_ENV}export AWS_SHARED_CREDENTIALS_FILE='${creds}'\n`);
    h.set(CREDENTIALS_PATH, credentialsFile(STATIC_ID, STATIC_SECRET));
    h.set(MYSQLSH_AWS_CONFIG_PATH, mysqlshAwsConfig(creds));
    return { h, creds };
  }

  it("MySQL Shell reads the shard's key from the credentials file", () => {
    const { h, creds } = staticHost();
    const { js, env, argv } = dump(h);
    expect(env.AWS_SHARED_CREDENTIALS_FILE).toBe(creds);
    expect(s3Credentials(js, env)).toMatchObject({
      provider: `credentials file (${creds})`,
      accessKeyId: STATIC_ID,
      secretAccessKey: STATIC_SECRET,
    });
    expect(argv.join(" ")).not.toContain(STATIC_SECRET);
    expect(readFileSync(join(h.dir, "mysqlsh.env"), "utf8")).not.toContain(STATIC_SECRET);
  });

  it("and through the config alone where the environment is lost (sudo, as the restore runs it)", () => {
    const { h, creds } = staticHost();
    const { js, env } = dump(h);
    const reset = { PATH: env.PATH!, HOME: env.HOME! };
    expect(s3Credentials(js, reset)).toMatchObject({
      provider: `output of 'credential_process' (config file ${h.dir}${MYSQLSH_AWS_CONFIG_PATH})`,
      accessKeyId: STATIC_ID,
      secretAccessKey: STATIC_SECRET,
    });
    expect(exportEnv(h).AWS_SHARED_CREDENTIALS_FILE).toBe(creds);
  });
});
