/**
 * The verification's AWS calls besides reading dumps: the shard folders under `full/`, the CloudWatch metrics and
 * the SNS alert.
 */
import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";

/** Sorts after every key of our layout within a folder (UTF-8 EE 80 80; a valid XML character, unlike U+FFFF). */
const PAST_FOLDER = "\u{E000}";

/**
 * The shard numbers that have a folder under `full/` (`full/shard<N>/`), ascending: what a Delimiter listing of
 * common prefixes gives, but by skipping: each LIST starts after the last folder the previous one reached, so it
 * takes about one request per shard however many dumps each holds. (s3rver, the tests' S3, returns no CommonPrefixes
 * for a "/" delimiter.)
 */
export async function listShards(client: S3Client, bucket: string): Promise<number[]> {
  const shards = new Set<number>();
  let startAfter: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: "full/", StartAfter: startAfter }),
    );
    const keys = (page.Contents ?? []).map((o) => o.Key ?? "").filter((k) => k !== "");
    if (keys.length === 0) break;
    let last = "";
    for (const key of keys) {
      const folder = /^full\/[^/]+\//.exec(key)?.[0] ?? key;
      const m = /^full\/shard(\d+)\/$/.exec(folder);
      if (m) shards.add(Number(m[1]));
      last = folder === key ? key : `${folder}${PAST_FOLDER}`;
    }
    if (startAfter !== undefined && last <= startAfter)
      throw new Error(`s3://${bucket} ignored StartAfter ${startAfter}`);
    startAfter = last;
  }
  return [...shards].sort((a, b) => a - b);
}

export interface Reporter {
  putMetrics(namespace: string, data: MetricDatum[]): Promise<void>;
  publish(topicArn: string, subject: string, message: string): Promise<void>;
}

export interface AwsReporterOptions {
  region?: string;
  /** Other endpoints (a VPC endpoint, or a local recorder in tests). */
  cloudwatchEndpoint?: string;
  snsEndpoint?: string;
}

export function awsReporter(o: AwsReporterOptions): Reporter {
  const region = o.region ?? "us-east-1";
  const cloudwatch = new CloudWatchClient({
    region,
    ...(o.cloudwatchEndpoint ? { endpoint: o.cloudwatchEndpoint } : {}),
  });
  const sns = new SNSClient({ region, ...(o.snsEndpoint ? { endpoint: o.snsEndpoint } : {}) });
  return {
    async putMetrics(namespace, data) {
      await cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data }));
    },
    async publish(topicArn, subject, message) {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
    },
  };
}
