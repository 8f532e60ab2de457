/**
 * `npm run plan -- --check`: exit 1 listing rule id, resource and reason on a broken plan, 0 on the shipped
 * stacks, and the usage errors of its flags. One test runs it as a new process, as CI does.
 */
import { RULES } from "../../policy/rules";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT, main } from "../../scripts/cli/plan";
import type { PolicyReport } from "../../policy/check";
import { copyOf, drop, res, shippedPlan } from "./fixtures";

import { runCli } from "../helpers/cli";

const ROOT = join(__dirname, "..", "..");

const run = (args: string[]) => runCli(main, args);

/** A prod plan without the backup bucket's public access block, written where --plan-file can read it. */
async function brokenPlanFile(): Promise<{ file: string; bucketUrn: string }> {
  const doc = copyOf(await shippedPlan("prod"));
  drop(doc, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "gamedb-backup");
  const file = join(mkdtempSync(join(tmpdir(), "gamedb-check-")), "broken.json");
  writeFileSync(file, JSON.stringify(doc));
  return { file, bucketUrn: res(doc, "aws:s3/bucket:Bucket", "gamedb-backup").urn };
}

describe("npm run plan -- --check", () => {
  it.each(["dev", "prod"])("exits 0 on the shipped %s stack", async (stack) => {
    const { code, out } = await run(["--stack", stack, "--check", "--no-tree"]);
    expect(out).toContain(`Policy check of stack ${stack} (environment ${stack}):`);
    expect(out).toMatch(new RegExp(`^policy: no violations \\(${RULES.length} rules over \\d+ resources\\)$`, "m"));
    expect(code).toBe(EXIT.ok);
  });

  it("exits 1 on a broken plan file, naming the rule, the resource and the reason", async () => {
    const { file, bucketUrn } = await brokenPlanFile();
    const json = join(mkdtempSync(join(tmpdir(), "gamedb-check-")), "report.json");
    const { code, out } = await run(["--plan-file", file, "--check", "--check-json", json, "--no-tree"]);
    expect(code).toBe(EXIT.policyViolations);
    expect(out).toMatch(
      /FAIL {2}GDB-S3-001 {2}S3 bucket blocks all public access {2}\[checkov CKV2_AWS_6.*FSBP S3\.8\]/,
    );
    expect(out).toContain(`          ${bucketUrn}\n            no BucketPublicAccessBlock refers to this bucket`);
    const report = JSON.parse(readFileSync(json, "utf8")) as PolicyReport;
    expect(report.violations).toContainEqual({
      ruleId: "GDB-S3-001",
      urn: bucketUrn,
      reason: "no BucketPublicAccessBlock refers to this bucket",
    });
    expect(report.results.find((r) => r.id === "GDB-S3-001")).toMatchObject({ status: "fail", fsbp: ["S3.8"] });
  });

  it.each([
    [["--plan-file", "/nonexistent/plan.json", "--check"], "no plan file /nonexistent/plan.json"],
    [["--plan-file", join(ROOT, "package.json"), "--check"], "is not a plan written by --json"],
    [["--plan-file", "x.json", "--stack", "dev"], "give either --plan-file or --stack/--config, not both"],
    [["--stack", "dev", "--check-json", "r.json"], "--check-json needs --check"],
  ])("exits 2 on bad usage %j", async (args, message) => {
    const { code, err } = await run(args);
    expect(err).toContain(message);
    expect(code).toBe(EXIT.usage);
  });

  it("exits 1 from a fresh `npm run plan` process on a broken plan", async () => {
    const { file } = await brokenPlanFile();
    const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--plan-file", file, "--check", "--no-tree"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(result.stdout).toContain("FAIL  GDB-S3-001");
    expect(result.status).toBe(1);
  });
});
