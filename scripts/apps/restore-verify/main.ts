/**
 * The weekly restore verification (run by a Kubernetes CronJob in an image built FROM mysql:8.4 with Node): for each
 * shard, load its newest complete dump from the backup bucket into a throwaway mysqld and compare the BASE TABLEs
 * per schema with the dump's manifest. Each shard's result goes to CloudWatch (RestoreVerified 1/0,
 * RestoreVerifySeconds; dimensions Environment, Shard) and a failure to the SNS topic.
 *
 *   npm run verify-restore -- --bucket B --region R --environment prod --all
 *   npm run verify-restore -- --bucket B --region R --environment prod --shard 1 2 --topic-arn ARN --json
 *   ... --dry-run                    which dump each shard would load, and the MySQL Shell script; nothing runs
 *
 * AWS credentials come from the AWS SDK's chain (EKS Pod Identity, IRSA, or AWS_ACCESS_KEY_ID... in the environment);
 * MySQL Shell, which knows only keys and credential processes, asks this program's credentialProcess.ts through a
 * config file in the workdir. No credential is ever on a command line, in a file or in a message.
 * Exit codes: 0 every shard verified, 1 a shard failed (or a report could not be sent), 2 bad usage.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Command } from "commander";
import { parseOptions, runMain } from "../../lib/cli";
import { s3Client } from "../../lib/restore/bucket";
import { type Reporter, awsReporter, listShards } from "./aws";
import type { ShardResult } from "./decide";
import { type MysqlRunner, processRunner, serverDirs } from "./mysql";
import {
  DEFAULT_NAMESPACE,
  alertMessage,
  alertSubject,
  metricData,
  renderText,
  runAlert,
  shardKey,
  summarize,
} from "./report";
import { loadScript } from "./script";
import { shellAwsConfig } from "./credentialProcess";
import { chooseDump, shardDir, verifyShard } from "./verify";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

interface Options {
  bucket: string;
  region: string;
  environment: string;
  shard?: string[];
  all?: boolean;
  endpoint?: string;
  forcePathStyle?: boolean;
  workdir: string;
  mysqld: string;
  mysqlsh: string;
  mysqldUser?: string;
  mysqldOption: string[];
  threads: string;
  startTimeout: string;
  loadTimeout: string;
  metricsNamespace: string;
  topicArn?: string;
  cloudwatchEndpoint?: string;
  snsEndpoint?: string;
  dryRun?: boolean;
  json?: boolean;
  awsCredentialProcess: string;
}

/** A word for /bin/sh, which runs Shell's credential_process. Pure. */
const shellWord = (s: string) => (/^[\w./@:+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * This program's credential process, run by the node running this: the compiled file in the image, the TypeScript
 * source (through tsx) when the verifier itself runs from source (`npm run verify-restore`). Pure but for __filename.
 */
export function defaultCredentialProcess(self = __filename, node = process.execPath): string {
  const ts = self.endsWith(".ts");
  const script = join(dirname(self), `credentialProcess.${ts ? "ts" : "js"}`);
  return [node, ...(ts ? ["--import", "tsx"] : []), script].map(shellWord).join(" ");
}

/** Where the verifier writes MySQL Shell's AWS config file. */
const shellAwsConfigPath = (workdir: string) => join(workdir, "mysqlsh-aws.config");

/** What tests may replace. */
export interface MainDeps {
  runner?: MysqlRunner;
  reporter?: Reporter;
  now?: () => number;
}

class UsageError extends Error {}

function positive(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`${flag} wants a whole number of at least 1: ${text}`);
  return Number(text);
}

function parseShards(opts: Options): number[] | "all" {
  const given = (opts.shard ?? []).flatMap((s) => s.split(",")).filter((s) => s !== "");
  if (opts.all && given.length > 0) throw new UsageError("give --shard N ... or --all, not both");
  if (opts.all) return "all";
  if (given.length === 0) throw new UsageError("give --shard N ... (one or more) or --all");
  for (const s of given) if (!/^\d+$/.test(s)) throw new UsageError(`--shard wants shard numbers: ${s}`);
  return [...new Set(given.map(Number))];
}

const defaultThreads = String(Math.min(8, availableParallelism()));

export async function main(
  argv: string[],
  out: (s: string) => void = console.log,
  err: (s: string) => void = console.error,
  deps: MainDeps = {},
): Promise<number> {
  const collectOption = (v: string, prev: string[]) => [...prev, v];
  const program = new Command("verify-restore")
    .description(
      "Load each shard's newest complete dump into a throwaway mysqld and compare its tables with the manifest",
    )
    .requiredOption("--bucket <name>", "the backup bucket")
    .requiredOption(
      "--region <region>",
      "the bucket's region",
      process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    )
    .requiredOption("--environment <name>", "the environment (metric dimension, alert text)")
    .option("--shard <n...>", "shard numbers to verify")
    .option("--all", "every shard with a folder under full/")
    .option("--endpoint <url>", "an S3-compatible endpoint (also MySQL Shell's s3EndpointOverride)")
    .option("--force-path-style", "path-style S3 addressing (the default with --endpoint)")
    .option(
      "--workdir <dir>",
      "where each shard's throwaway server lives, one at a time",
      join(tmpdir(), "gamedb-verify"),
    )
    .option("--mysqld <path>", "the MySQL 8.4 server", "mysqld")
    .option("--mysqlsh <path>", "MySQL Shell 8.4", "mysqlsh")
    .option("--mysqld-user <name>", "mysqld --user, needed when this runs as root (e.g. mysql)")
    .option("--mysqld-option <option>", "one more server option, e.g. --innodb-buffer-pool-size=2G", collectOption, [])
    .option("--threads <n>", "util.loadDump threads", defaultThreads)
    .option("--start-timeout <seconds>", "how long mysqld may take to answer", "300")
    .option("--load-timeout <seconds>", "how long one shard's load and count may take", "21600")
    .option("--metrics-namespace <ns>", "CloudWatch namespace", DEFAULT_NAMESPACE)
    .option("--topic-arn <arn>", "SNS topic for failures")
    .option("--cloudwatch-endpoint <url>", "another CloudWatch endpoint")
    .option("--sns-endpoint <url>", "another SNS endpoint")
    .option(
      "--aws-credential-process <command>",
      "what MySQL Shell runs (through /bin/sh) for S3 credentials",
      defaultCredentialProcess(),
    )
    .option("--dry-run", "print which dump each shard would load and the MySQL Shell script; run and report nothing")
    .option("--json", "print the summary as JSON");
  const opts = parseOptions<Options>(program, argv, out, err);
  if (typeof opts === "number") return opts;
  let shards: number[] | "all";
  let threads: number;
  let startTimeout: number;
  let loadTimeout: number;
  try {
    shards = parseShards(opts);
    threads = positive("--threads", opts.threads);
    startTimeout = positive("--start-timeout", opts.startTimeout);
    loadTimeout = positive("--load-timeout", opts.loadTimeout);
    if (process.getuid?.() === 0 && !opts.mysqldUser && !opts.dryRun && !deps.runner)
      throw new UsageError("running as root: give --mysqld-user mysql, or run as the mysql user (uid 999)");
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}`);
      return EXIT.usage;
    }
    throw e;
  }

  const now = deps.now ?? Date.now;
  const ctx = { environment: opts.environment, bucket: opts.bucket };
  const s3 = s3Client({
    bucket: opts.bucket,
    region: opts.region,
    endpoint: opts.endpoint,
    ...(opts.forcePathStyle ? { forcePathStyle: true } : {}),
  });
  const reporter =
    deps.reporter ??
    awsReporter({ region: opts.region, cloudwatchEndpoint: opts.cloudwatchEndpoint, snsEndpoint: opts.snsEndpoint });
  const reportErrors: string[] = [];
  const alert = async (subject: string, message: string) => {
    if (!opts.topicArn || opts.dryRun) return;
    await reporter.publish(opts.topicArn, subject, message).catch((e: Error) => {
      reportErrors.push(`cannot publish to ${opts.topicArn}: ${e.name}: ${e.message}`);
    });
  };

  if (shards === "all") {
    try {
      shards = await listShards(s3, opts.bucket);
      if (shards.length === 0) throw new Error(`no shard folder (full/shard<N>/) in s3://${opts.bucket}/full/`);
    } catch (e) {
      const reason = (e as Error).message;
      err(`error: ${reason}`);
      const a = runAlert(ctx, reason, new Date(now()));
      await alert(a.subject, a.message);
      for (const r of reportErrors) err(`error: ${r}`);
      return EXIT.failed;
    }
  }

  const workdir = resolve(opts.workdir);
  if (opts.dryRun) return dryRun(shards, opts, threads, workdir, out, s3);

  const runner =
    deps.runner ??
    processRunner({
      mysqld: opts.mysqld,
      mysqlsh: opts.mysqlsh,
      user: opts.mysqldUser,
      extra: opts.mysqldOption,
      env: process.env,
    });
  const settings = {
    bucket: opts.bucket,
    region: opts.region,
    endpoint: opts.endpoint,
    workdir,
    threads,
    startTimeoutMs: startTimeout * 1000,
    loadTimeoutMs: loadTimeout * 1000,
    stopTimeoutMs: 300_000,
    secrets: [process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN, process.env.AWS_ACCESS_KEY_ID],
    openDirs: opts.mysqldUser !== undefined,
    s3ConfigFile: shellAwsConfigPath(workdir),
  };
  // A command, not a credential. Shell runs as this process's user (mysql.ts), which writes it.
  mkdirSync(workdir, { recursive: true });
  writeFileSync(settings.s3ConfigFile, shellAwsConfig(opts.awsCredentialProcess), { mode: 0o644 });
  const results: ShardResult[] = [];
  for (const shard of shards) {
    const result = await verifyShard(shard, settings, { s3, runner, now, log: (l) => err(`verify-restore: ${l}`) });
    results.push(result);
    err(`verify-restore: ${shardKey(shard)}: ${result.ok ? "verified" : `FAILED: ${result.reason}`}`);
    const at = new Date(now());
    await reporter.putMetrics(opts.metricsNamespace, metricData(opts.environment, result, at)).catch((e: Error) => {
      reportErrors.push(`cannot put metrics for ${shardKey(shard)}: ${e.name}: ${e.message}`);
    });
    if (!result.ok) await alert(alertSubject(opts.environment, result), alertMessage(ctx, result, at));
  }
  const summary = summarize(ctx, results, reportErrors);
  out(opts.json ? JSON.stringify(summary, null, 2) : renderText(summary));
  return summary.ok ? EXIT.ok : EXIT.failed;
}

async function dryRun(
  shards: number[],
  opts: Options,
  threads: number,
  workdir: string,
  out: (s: string) => void,
  s3: ReturnType<typeof s3Client>,
): Promise<number> {
  const plans = [];
  for (const shard of shards) {
    const choice = await chooseDump(s3, opts.bucket, shard);
    const script = choice.dump
      ? loadScript({
          prefix: choice.dump.prefix,
          bucket: opts.bucket,
          region: opts.region,
          endpoint: opts.endpoint,
          threads,
          socket: serverDirs(shardDir(workdir, shard)).socket,
          s3ConfigFile: shellAwsConfigPath(workdir),
        })
      : undefined;
    plans.push({
      shard,
      ...(choice.dump
        ? { dump: choice.dump.prefix, tables: choice.dump.manifest.tables ?? null, script }
        : { reason: choice.reason }),
      skipped: choice.skipped,
    });
  }
  if (opts.json)
    out(JSON.stringify({ environment: opts.environment, bucket: opts.bucket, dryRun: true, shards: plans }, null, 2));
  else {
    const lines = [
      `restore verification of gamedb ${opts.environment} from s3://${opts.bucket} (dry run: nothing runs)`,
    ];
    for (const p of plans) {
      lines.push(`  ${shardKey(p.shard).padEnd(8)} ${"dump" in p ? `would load ${p.dump}` : `FAIL ${p.reason}`}`);
      if ("tables" in p) lines.push(`           manifest tables: ${p.tables ? JSON.stringify(p.tables) : "none"}`);
      for (const s of p.skipped) lines.push(`           skipped ${s}`);
    }
    out(lines.join("\n"));
  }
  return plans.every((p) => "dump" in p) ? EXIT.ok : EXIT.failed;
}

runMain(module, () => main(process.argv.slice(2)));
