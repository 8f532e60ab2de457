/**
 * Reads one shard's backups from the bucket: lists `full/shard<N>/` and `binlog/shard<N>/`, reads every dump
 * manifest and binlog sidecar, and returns the listing the planner works on (what it had to skip goes to notes).
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { BackupListing, BinlogEntry, DumpEntry } from "./plan";
import {
  DONE_NAME,
  MANIFEST_NAME,
  binlogPrefix,
  binlogSidecarSchema,
  dumpManifestSchema,
  fullPrefix,
  splitBinlogKey,
  splitDumpKey,
} from "../../../infra/contracts/backupLayout";

export interface BucketOptions {
  bucket: string;
  region?: string;
  /** An S3-compatible endpoint (path-style addressing). */
  endpoint?: string;
  /** Path-style addressing (bucket in the path). @default true with an endpoint, else false */
  forcePathStyle?: boolean;
}

export function s3Client(options: BucketOptions): S3Client {
  return new S3Client({
    region: options.region ?? "us-east-1",
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
    // Only GETs and LISTs: no need for the flexible-checksum headers S3-compatible servers may not know.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Every key under `prefix`, page by page. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function readJson(client: S3Client, bucket: string, key: string): Promise<unknown> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await res.Body?.transformToString("utf8")) ?? "";
  return JSON.parse(text) as unknown;
}

function issues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
}

/** The shard's `full/shard<N>/<ts>/` folders, oldest first, each with its manifest (or why it is unusable). */
export async function readDumps(client: S3Client, bucket: string, shard: number): Promise<DumpEntry[]> {
  const byTs = new Map<string, Set<string>>();
  for (const key of await listKeys(client, bucket, fullPrefix(shard))) {
    const parts = splitDumpKey(shard, key);
    if (!parts) continue;
    const names = byTs.get(parts.ts) ?? new Set<string>();
    names.add(parts.rest);
    byTs.set(parts.ts, names);
  }
  const dumps: DumpEntry[] = [];
  for (const [ts, names] of [...byTs.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const prefix = `${fullPrefix(shard)}${ts}/`;
    const entry: DumpEntry = { prefix, ts, done: names.has(DONE_NAME) };
    if (names.has(MANIFEST_NAME)) {
      try {
        const parsed = dumpManifestSchema.safeParse(await readJson(client, bucket, prefix + MANIFEST_NAME));
        if (!parsed.success) entry.problem = `invalid ${MANIFEST_NAME}: ${issues(parsed.error)}`;
        else if (parsed.data.shard !== shard) entry.problem = `${MANIFEST_NAME} is for shard ${parsed.data.shard}`;
        else entry.manifest = parsed.data;
      } catch (e) {
        entry.problem = `unreadable ${MANIFEST_NAME}: ${(e as Error).message}`;
      }
    }
    dumps.push(entry);
  }
  return dumps;
}

async function readBinlogs(client: S3Client, bucket: string, shard: number, notes: string[]): Promise<BinlogEntry[]> {
  const keys = new Set(await listKeys(client, bucket, binlogPrefix(shard)));
  const entries: BinlogEntry[] = [];
  for (const key of [...keys].sort()) {
    const parts = splitBinlogKey(shard, key);
    if (!parts) continue;
    if (parts.file.endsWith(".json")) {
      if (!keys.has(key.slice(0, -".json".length))) notes.push(`skipped sidecar ${key}: its binlog file is missing`);
      continue;
    }
    if (!keys.has(`${key}.json`)) {
      notes.push(`skipped ${key}: no sidecar ${parts.file}.json`);
      continue;
    }
    try {
      const parsed = binlogSidecarSchema.safeParse(await readJson(client, bucket, `${key}.json`));
      if (!parsed.success) notes.push(`skipped ${key}: invalid sidecar: ${issues(parsed.error)}`);
      else if (parsed.data.file !== parts.file || parsed.data.serverUuid !== parts.serverUuid)
        notes.push(`skipped ${key}: its sidecar names ${parsed.data.serverUuid}/${parsed.data.file}`);
      else entries.push({ key, sidecar: parsed.data });
    } catch (e) {
      notes.push(`skipped ${key}: unreadable sidecar: ${(e as Error).message}`);
    }
  }
  return entries;
}

export async function readListing(client: S3Client, bucket: string, shard: number): Promise<BackupListing> {
  const notes: string[] = [];
  const dumps = await readDumps(client, bucket, shard);
  const binlogs = await readBinlogs(client, bucket, shard, notes);
  return { shard, dumps, binlogs, notes };
}
