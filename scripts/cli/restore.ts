/**
 * The restore planner: reads one shard's backups from the bucket and prints the exact commands that restore it to a
 * point in time (or to a GTID set): check the target (empty; gtid_mode=ON when binlogs replay), load the newest full
 * dump before it, replay binlogs from the members' folders, drop the old cluster's InnoDB Cluster metadata.
 *
 *   npm run restore -- --stack prod --shard 1 --bucket B --to 2026-11-20T14:30:00Z
 *   npm run restore -- --stack prod --shard 1 --bucket B --gtid 'uuid:1-12345'
 *   ... --json                       the plan (and its commands) as JSON
 *   ... --endpoint URL               an S3-compatible endpoint (path-style)
 *   ... --execute --target HOST      run the commands on HOST over ssh (root over the local socket)
 *
 * Exit codes: 0 ok, 1 no valid plan or a failed --execute (every reason printed), 2 bad usage.
 */
import { Command } from "commander";
import { parseOptions, runMain } from "../lib/cli";
import { readListing, s3Client } from "../lib/restore/bucket";
import { executionScript, renderPlanText, restoreSteps, type CommandOptions } from "../lib/restore/commands";
import { spawnSync } from "node:child_process";
import { GtidParseError, isEmpty, parseGtidSet } from "../../infra/contracts/gtid";
import { PlanError, planRestore, type RestoreTarget } from "../lib/restore/plan";

export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

interface Options {
  stack: string;
  shard: string;
  to?: string;
  gtid?: string;
  bucket: string;
  region?: string;
  endpoint?: string;
  json?: boolean;
  execute?: boolean;
  target?: string;
}

class UsageError extends Error {}
class BucketError extends Error {}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

function parseTarget(opts: Options): RestoreTarget {
  if ((opts.to === undefined) === (opts.gtid === undefined)) throw new UsageError("give exactly one of --to or --gtid");
  if (opts.to !== undefined) {
    const at = new Date(opts.to);
    if (!INSTANT.test(opts.to) || Number.isNaN(at.getTime()))
      throw new UsageError(`--to wants an ISO instant with a zone, to the second (2026-11-20T14:30:00Z): ${opts.to}`);
    return { kind: "time", at };
  }
  try {
    const set = parseGtidSet(opts.gtid ?? "");
    if (isEmpty(set)) throw new UsageError("--gtid is an empty GTID set");
    return { kind: "gtid", set };
  } catch (e) {
    if (e instanceof GtidParseError) throw new UsageError(`--gtid: ${e.message}`);
    throw e;
  }
}

function parseShard(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--shard wants a shard number: ${text}`);
  return Number(text);
}

export async function main(
  argv: string[],
  out: (s: string) => void = console.log,
  err: (s: string) => void = console.error,
): Promise<number> {
  const program = new Command("restore")
    .description("Print the commands that restore one shard to a point in time from the backup bucket")
    .requiredOption("--stack <name>", "stack name")
    .requiredOption("--shard <n>", "shard number")
    .option("--to <instant>", "restore to this time (ISO 8601 with zone, e.g. 2026-11-20T14:30:00Z)")
    .option("--gtid <set>", "restore to this GTID set instead of a time")
    .requiredOption("--bucket <name>", "the backup bucket")
    .option("--region <region>", "the bucket's region", process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION)
    .option("--endpoint <url>", "an S3-compatible endpoint (path-style addressing)")
    .option("--json", "print the plan as JSON")
    .option("--execute", "run the commands on --target over SSH (the target must be an empty MySQL 8.4 instance)")
    .option("--target <host>", "with --execute: [user@]host to restore onto (ssh, BatchMode)");
  const opts = parseOptions<Options>(program, argv, out, err);
  if (typeof opts === "number") return opts;
  if (opts.execute && !opts.target) {
    err("error: --execute needs --target [user@]host: the empty MySQL 8.4 instance to restore onto");
    return EXIT.usage;
  }
  if (opts.target && !opts.execute) {
    err("error: --target applies only with --execute");
    return EXIT.usage;
  }
  try {
    const shard = parseShard(opts.shard);
    const target = parseTarget(opts);
    const bucket = { bucket: opts.bucket, region: opts.region, endpoint: opts.endpoint };
    const listing = await readListing(s3Client(bucket), opts.bucket, shard).catch((e: Error) => {
      throw new BucketError(`cannot read s3://${opts.bucket}: ${e.name}: ${e.message}`);
    });
    const plan = planRestore(listing, target);
    const commandOptions: CommandOptions = { stack: opts.stack, ...bucket, onTarget: opts.execute === true };
    const steps = restoreSteps(plan, commandOptions);
    if (opts.execute) {
      out(renderPlanText(plan, steps, commandOptions));
      // The script goes on stdin: nothing of it (and no secret) is on the ssh command line.
      const run = spawnSync("ssh", ["-o", "BatchMode=yes", opts.target!, "bash", "-s"], {
        input: executionScript(steps),
        env: process.env,
        encoding: "utf8",
      });
      if (run.stdout) out(run.stdout.trimEnd());
      if (run.stderr) err(run.stderr.trimEnd());
      if (run.error) throw new BucketError(`cannot run ssh: ${run.error.message}`);
      return run.status === 0 ? EXIT.ok : EXIT.invalid;
    }
    if (opts.json) out(JSON.stringify({ stack: opts.stack, bucket: opts.bucket, ...plan, steps }, null, 2));
    else out(renderPlanText(plan, steps, commandOptions));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof PlanError || e instanceof BucketError) {
      err(`error: ${e.message}`);
      return EXIT.invalid;
    }
    throw e;
  }
}

runMain(module, () => main(process.argv.slice(2)));
