/**
 * The archive's objects in the backup bucket: writing a part or the manifest, reading the manifest back, and
 * verifying an archive by downloading every part it lists (gunzip, count the lines, recompute the checksum).
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { listKeys } from "../restore/bucket";
import {
  ARCHIVE_MANIFEST_NAME,
  type ArchiveManifest,
  archiveManifestSchema,
} from "../../../infra/contracts/backupLayout";

export interface ArchiveBucket {
  client: S3Client;
  bucket: string;
}

/** An archive that cannot be trusted: a manifest that is invalid or disagrees, or parts that do not match it. */
export class ArchiveError extends Error {
  override name = "ArchiveError";
}

/**
 * Stores one object. Content-MD5 makes S3 reject a body damaged on the way (BadDigest), and it is the integrity header
 * S3 requires of writes to a bucket with Object Lock, which the backup bucket may have (infra/backup/bucket.ts).
 */
export async function putObject(s3: ArchiveBucket, key: string, body: Buffer, contentType: string): Promise<void> {
  await s3.client.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: key,
      Body: body,
      ContentLength: body.length,
      ContentType: contentType,
      ContentMD5: createHash("md5").update(body).digest("base64"),
    }),
  );
}

/**
 * No such object. Not a missing bucket (NoSuchBucket is a 404 too), and S3 answers 403 instead of 404 to a caller
 * without s3:ListBucket on the bucket: the job needs that permission.
 */
function isMissing(e: unknown): boolean {
  return (e as { name?: string }).name === "NoSuchKey";
}

function issues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
}

/** The manifest at `key`, or undefined when there is none; throws an ArchiveError when it is not a valid one. */
export async function readManifest(s3: ArchiveBucket, key: string): Promise<ArchiveManifest | undefined> {
  let text: string;
  try {
    const res = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    text = (await res.Body?.transformToString("utf8")) ?? "";
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ArchiveError(`s3://${s3.bucket}/${key} is not JSON (${(e as Error).message}); left as it is`);
  }
  const parsed = archiveManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new ArchiveError(
      `s3://${s3.bucket}/${key} is not an archive manifest: ${issues(parsed.error)}; left as it is`,
    );
  return parsed.data;
}

interface PartRead {
  rows: number;
  bytes: number;
  uncompressedBytes: number;
  endsWithNewline: boolean;
}

/** Downloads one part and feeds its uncompressed bytes to `hash`, counting lines. */
async function readPart(s3: ArchiveBucket, key: string, hash: ReturnType<typeof createHash>): Promise<PartRead> {
  const res = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  if (!(res.Body instanceof Readable)) throw new Error(`s3://${s3.bucket}/${key}: no body stream`);
  let bytes = 0;
  res.Body.on("data", (chunk: Buffer) => (bytes += chunk.length));
  const gunzip = res.Body.pipe(createGunzip());
  res.Body.once("error", (e) => gunzip.destroy(e));
  let rows = 0;
  let uncompressedBytes = 0;
  let last = -1;
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    hash.update(chunk);
    uncompressedBytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
    last = chunk[chunk.length - 1] ?? last;
  }
  return { rows, bytes, uncompressedBytes, endsWithNewline: last === 10 || uncompressedBytes === 0 };
}

/**
 * Reads every part the manifest lists and checks each one's size, line count and the checksum over all of them;
 * throws an ArchiveError listing every difference. Returns the keys under the archive's folder the manifest does not
 * list (left by an earlier, interrupted run: harmless, as readers follow the manifest).
 */
export async function verifyArchive(s3: ArchiveBucket, manifest: ArchiveManifest, folder: string): Promise<string[]> {
  const hash = createHash("sha256");
  const problems: string[] = [];
  let rows = 0;
  for (const part of manifest.parts) {
    let read: PartRead;
    try {
      read = await readPart(s3, part.key, hash);
    } catch (e) {
      throw new ArchiveError(`${part.key}: unreadable (${(e as Error).message})`);
    }
    rows += read.rows;
    if (read.bytes !== part.bytes) problems.push(`${part.key}: ${read.bytes} bytes stored, manifest ${part.bytes}`);
    if (read.rows !== part.rows) problems.push(`${part.key}: ${read.rows} rows, manifest ${part.rows}`);
    if (read.uncompressedBytes !== part.uncompressedBytes)
      problems.push(`${part.key}: ${read.uncompressedBytes} bytes of lines, manifest ${part.uncompressedBytes}`);
    if (!read.endsWithNewline) problems.push(`${part.key}: its last line is cut short`);
  }
  const sha256 = hash.digest("hex");
  if (rows !== manifest.rows) problems.push(`${rows} rows read back, manifest ${manifest.rows}`);
  if (sha256 !== manifest.sha256) problems.push(`sha256 read back ${sha256}, manifest ${manifest.sha256}`);
  if (problems.length > 0) throw new ArchiveError(`archive ${folder} does not verify: ${problems.join("; ")}`);
  const listed = new Set([...manifest.parts.map((p) => p.key), `${folder}${ARCHIVE_MANIFEST_NAME}`]);
  return (await listKeys(s3.client, s3.bucket, folder)).filter((k) => !listed.has(k));
}
