/**
 * gamedb's policy pack, for users with the Pulumi CLI:
 *
 *   npm ci && npm install --prefix policy      the pack has its own package.json, as Pulumi runs it on its own
 *   pulumi preview -s prod --policy-pack policy
 *
 * The rules live in rules/ and import nothing outside this directory. The offline plan runs the same rules
 * without the CLI: `npm run plan -- --stack prod --check`.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./pack";

new PolicyPack("gamedb", {
  description: "gamedb security and data-safety rules: S3, EC2, security groups, Kubernetes workloads, secrets",
  enforcementLevel: "mandatory",
  policies,
});
