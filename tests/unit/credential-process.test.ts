/**
 * The restore verifier's credential process (scripts/apps/restore-verify/credentialProcess.ts), run as MySQL Shell
 * runs it: a child process whose stdout must be process-credentials JSON. The credentials come from a local HTTP
 * server standing in for the EKS Pod Identity agent (the SDK's container provider: AWS_CONTAINER_CREDENTIALS_FULL_URI
 * plus the token file EKS's webhook mounts), with no key anywhere in the environment.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processCredentials } from "../../scripts/apps/restore-verify/credentialProcess";
import { defaultCredentialProcess } from "../../scripts/apps/restore-verify/main";

const SCRIPT = join(__dirname, "../../scripts/apps/restore-verify/credentialProcess.ts");
const TOKEN = "eks-pod-identity-token-value";
const EXPIRATION = "2026-12-05T20:00:00Z";

let server: Server;
let authorization: (string | undefined)[] = [];
let dir: string;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gdb-cred-"));
  writeFileSync(join(dir, "token"), TOKEN);
  server = createServer((req, res) => {
    authorization.push(req.headers.authorization);
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        AccessKeyId: "ASIAPODIDENTITY0001",
        SecretAccessKey: "pod/identity+secret",
        Token: "pod-identity-session",
        Expiration: EXPIRATION,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/credentials`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the process as Shell would, with nothing but `env` (and PATH) in its environment. Asynchronously: the agent
 * stand-in answers from this process's event loop.
 */
function run(
  env: Record<string, string>,
  command = [process.execPath, "--import", "tsx", SCRIPT],
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command[0]!,
      command.slice(1),
      {
        env: { PATH: process.env.PATH ?? "", HOME: dir, AWS_EC2_METADATA_DISABLED: "true", ...env },
        encoding: "utf8",
        timeout: 30_000,
      },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("the restore verifier's credential process", () => {
  it("prints Pod Identity credentials as process-credentials JSON, Expiration included", async () => {
    authorization = [];
    const r = await run({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: join(dir, "token"),
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      Version: 1,
      AccessKeyId: "ASIAPODIDENTITY0001",
      SecretAccessKey: "pod/identity+secret",
      SessionToken: "pod-identity-session",
      Expiration: "2026-12-05T20:00:00.000Z",
    });
    expect(authorization).toEqual([TOKEN]);
  });

  it("fails with exit 1 and the SDK's reason, no stack and no output, when no source has credentials", async () => {
    const r = await run({});
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^credential process: CredentialsProviderError: .+\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("is what the verifier names by default: the compiled file in the image, the source under tsx", async () => {
    expect(defaultCredentialProcess("/app/dist/scripts/apps/restore-verify/main.js", "/usr/local/bin/node")).toBe(
      "/usr/local/bin/node /app/dist/scripts/apps/restore-verify/credentialProcess.js",
    );
    expect(defaultCredentialProcess("/my dir/main.ts", "/bin/node")).toBe(
      "/bin/node --import tsx '/my dir/credentialProcess.ts'",
    );
    // `npm run verify-restore` runs main.ts: the command it writes for MySQL Shell runs, as /bin/sh would run it.
    const command = defaultCredentialProcess(join(__dirname, "../../scripts/apps/restore-verify/main.ts"));
    const r = await run(
      { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: join(dir, "token") },
      ["/bin/sh", "-c", command],
    );
    expect([r.status, JSON.parse(r.stdout).AccessKeyId]).toEqual([0, "ASIAPODIDENTITY0001"]);
  });

  it("leaves out what the source did not give", () => {
    expect(JSON.parse(processCredentials({ accessKeyId: "AKIA1", secretAccessKey: "s" }))).toEqual({
      Version: 1,
      AccessKeyId: "AKIA1",
      SecretAccessKey: "s",
    });
  });
});
