/**
 * MySQL Shell's S3 credentials in the verification pod. Shell 8.4 reads keys from its environment, credential files
 * or a config file's `credential_process` only (mysql-shell 8.4.3 mysqlshdk/libs/aws/s3_bucket_config.cc
 * setup_credentials_provider): it knows neither EKS Pod Identity nor IRSA. So the verifier gives it a config file
 * whose credential_process is this program, which asks the AWS SDK's chain (environment, web identity (IRSA),
 * container credentials (Pod Identity), ...) and prints the process-credentials JSON Shell parses
 * (process_credentials_provider.cc parse_json: Version 1, AccessKeyId, SecretAccessKey, SessionToken,
 * Expiration). With an Expiration Shell runs it again before then (aws_credentials_provider.cc), so a load longer
 * than the role's session keeps working.
 *
 *   node credentialProcess.js        (run by MySQL Shell; prints the JSON on stdout, errors on stderr, exit 1)
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { runMain } from "../../lib/cli";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** The process-credentials document. Pure. */
export function processCredentials(c: Credentials): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    ...(c.sessionToken ? { SessionToken: c.sessionToken } : {}),
    ...(c.expiration ? { Expiration: c.expiration.toISOString() } : {}),
  });
}

/** The Shell config file naming `command` as the default profile's credential process. Pure. */
export function shellAwsConfig(command: string): string {
  return `[default]\ncredential_process = ${command}\n`;
}

/** Prints the credentials; 0, or 1 with the failing provider's message (never a credential) on stderr. */
export async function printCredentials(
  provider: () => Promise<Credentials> = defaultProvider(),
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(`${s}\n`),
): Promise<number> {
  try {
    out(processCredentials(await provider()));
    return 0;
  } catch (e) {
    err(`credential process: ${(e as Error).name}: ${(e as Error).message}`);
    return 1;
  }
}

runMain(module, () => printCredentials());
