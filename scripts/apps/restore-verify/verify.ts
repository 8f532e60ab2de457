/**
 * One shard's restore verification, start to end: pick its newest complete dump, initialize and start a throwaway
 * mysqld in <workdir>/shard<N>, load the dump with MySQL Shell and count the tables, then stop the server and remove
 * the directory whatever happened (one shard at a time: the disk holds one restored shard).
 */
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { readDumps } from "../../lib/restore/bucket";
import { type DumpChoice, type ShardResult, failedBeforeLoad, judgeLoad, pickDump, redact } from "./decide";
import { MAX_SOCKET_PATH, type MysqlRunner, type RunningServer, serverDirs } from "./mysql";
import { loadScript } from "./script";

export interface VerifySettings {
  bucket: string;
  region?: string;
  /** S3-compatible endpoint, for MySQL Shell too. */
  endpoint?: string;
  workdir: string;
  threads: number;
  startTimeoutMs: number;
  loadTimeoutMs: number;
  stopTimeoutMs: number;
  /** Values to keep out of every message (the AWS credentials in the environment). */
  secrets: readonly (string | undefined)[];
  /** MySQL Shell's AWS config file (its credential_process gives the keys); none: Shell reads its environment. */
  s3ConfigFile?: string;
  /**
   * mysqld runs as another user (--mysqld-user, this process being root): the shard's directory is made writable
   * for it (mode 0777; the directory is thrown away).
   */
  openDirs?: boolean;
}

export interface VerifyDeps {
  s3: S3Client;
  runner: MysqlRunner;
  /** Milliseconds. */
  now(): number;
  /** Progress lines (stderr). */
  log(line: string): void;
}

export const shardDir = (workdir: string, shard: number): string => join(workdir, `shard${shard}`);

/** Reads the shard's dumps and picks the one to load (an unreadable bucket is a reason, not an exception). */
export async function chooseDump(s3: S3Client, bucket: string, shard: number): Promise<DumpChoice> {
  try {
    return pickDump(shard, await readDumps(s3, bucket, shard));
  } catch (e) {
    const err = e as Error;
    return { reason: `cannot read s3://${bucket}/full/shard${shard}/: ${err.name}: ${err.message}`, skipped: [] };
  }
}

export async function verifyShard(shard: number, s: VerifySettings, deps: VerifyDeps): Promise<ShardResult> {
  const started = deps.now();
  const seconds = () => (deps.now() - started) / 1000;
  const choice = await chooseDump(deps.s3, s.bucket, shard);
  if (!choice.dump) return failedBeforeLoad(shard, "dump", choice.reason ?? "no dump", seconds(), choice);
  const chosen = { ...choice, dump: choice.dump };
  deps.log(`shard${shard}: loading ${chosen.dump.prefix} (finished ${chosen.dump.manifest.finishedAt})`);

  const dirs = serverDirs(shardDir(s.workdir, shard));
  if (dirs.socket.length > MAX_SOCKET_PATH) {
    const why = `the socket path ${dirs.socket} is longer than ${MAX_SOCKET_PATH} characters: use a shorter --workdir`;
    return failedBeforeLoad(shard, "start", why, seconds(), chosen);
  }
  let server: RunningServer | undefined;
  let result: ShardResult;
  try {
    // A directory left by an interrupted run is ours: start from nothing.
    rmSync(dirs.root, { recursive: true, force: true });
    mkdirSync(dirs.shellHome, { recursive: true });
    mkdirSync(dirs.files);
    if (s.openDirs) for (const dir of [dirs.root, dirs.files]) chmodSync(dir, 0o777);
    try {
      await deps.runner.initialize(dirs);
      server = await deps.runner.start(dirs, s.startTimeoutMs);
    } catch (e) {
      throw new StartError((e as Error).message);
    }
    deps.log(`shard${shard}: mysqld is up (pid ${server.pid ?? "?"}), running util.loadDump`);
    const script = loadScript({
      prefix: chosen.dump.prefix,
      bucket: s.bucket,
      region: s.region,
      endpoint: s.endpoint,
      threads: s.threads,
      socket: dirs.socket,
      s3ConfigFile: s.s3ConfigFile,
    });
    const outcome = await deps.runner.shell(script, dirs, s.loadTimeoutMs);
    result = judgeLoad(shard, chosen, outcome, seconds(), s.secrets);
  } catch (e) {
    const stage = e instanceof StartError ? "start" : "load";
    result = failedBeforeLoad(shard, stage, redact((e as Error).message, s.secrets), seconds(), chosen);
  }
  // Whatever happened: the server stops and its directory goes before the next shard.
  try {
    if (server) await server.stop(s.stopTimeoutMs);
    rmSync(dirs.root, { recursive: true, force: true });
    deps.log(`shard${shard}: mysqld stopped, ${dirs.root} removed`);
  } catch (e) {
    const why = `cleanup failed: ${(e as Error).message}`;
    deps.log(`shard${shard}: ${why}`);
    result = { ...result, notes: [...result.notes, why] };
  }
  return result;
}

class StartError extends Error {}
