/**
 * EBS snapshots of every data volume of the environment through a Data Lifecycle Manager policy: schedule and
 * retention from config, volumes selected by the tag the shard hosts put on their data volumes.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { StackConfig } from "../config/schema";
import { SNAPSHOT_TAG } from "../mysql/shardHosts";

const DLM_ASSUME_ROLE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "dlm.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The DLM policy details, pure. */
export function snapshotPolicyDetails(environment: string, s: StackConfig["backup"]["snapshots"]) {
  return {
    resourceTypes: ["VOLUME"],
    targetTags: { [SNAPSHOT_TAG]: environment },
    schedules: [
      {
        name: `every ${s.intervalHours} h from ${s.time} UTC, keep ${s.retainCount}`,
        createRule: { interval: s.intervalHours, intervalUnit: "HOURS", times: s.time },
        retainRule: { count: s.retainCount },
        copyTags: true,
        tagsToAdd: { "gamedb-snapshot": "dlm" },
      },
    ],
  };
}

export function snapshotPolicy(
  name: string,
  environment: string,
  snapshots: StackConfig["backup"]["snapshots"],
  parent: pulumi.Resource,
): aws.dlm.LifecyclePolicy {
  const role = new aws.iam.Role(`${name}-dlm`, { assumeRolePolicy: DLM_ASSUME_ROLE }, { parent });
  const attach = new aws.iam.RolePolicyAttachment(
    `${name}-dlm`,
    { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole" },
    { parent },
  );
  return new aws.dlm.LifecyclePolicy(
    `${name}-snapshots`,
    {
      description: `gamedb ${environment} data volume snapshots`,
      executionRoleArn: role.arn,
      state: "ENABLED",
      policyDetails: snapshotPolicyDetails(environment, snapshots),
    },
    { parent, dependsOn: [attach] },
  );
}
