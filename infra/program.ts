/**
 * The gamedb program: config -> validated StackConfig -> plan -> GameDbPlatform -> stack outputs.
 * `stacks/index.ts` runs it under the Pulumi engine; the offline plan runs the same function under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, NAMESPACE, problem } from "./config";
import { loadStackConfig } from "./plan/load";
import type { StackConfig } from "./config/schema";
import { planPlatform } from "./plan/plan";
import { MigrationFilesError } from "./plan/migrations/files";
import { readMigrationFiles } from "./schema/files";
import { GameDbPlatform } from "./platform";
import { clusterOutputs } from "./outputs";
import { shardsOutput, slotMapOutput } from "./plan/outputs";

export interface ProgramOptions {
  /** Passed to the top-level component; the offline plan records every resource's options through one. */
  transformations?: pulumi.ResourceTransformation[];
  /**
   * What marks this run's converge request (mysql.converge: always). The offline plan passes a fixed text so its
   * output is deterministic. @default the current time (ISO 8601)
   */
  runStamp?: string;
}

/** The SSH key from `gamedb:sshPrivateKey`; static hosts cannot work without one. */
function sshPrivateKey(topology: StackConfig): pulumi.Output<string> | undefined {
  const key = new pulumi.Config(NAMESPACE).getSecret("sshPrivateKey");
  if (key === undefined && topology.hosts.provider === "static") {
    throw new ConfigError([
      problem(
        ["sshPrivateKey"],
        'is required with hosts.provider "static": pulumi config set --secret gamedb:sshPrivateKey < ~/.ssh/id_ed25519',
      ),
    ]);
  }
  return key;
}

/** Declares the platform and returns its plan (plain data) and the stack outputs. */
export function declarePlatform(options: ProgramOptions = {}) {
  let topology;
  let privateKey;
  try {
    topology = loadStackConfig(pulumi.runtime.allConfig(), pulumi.getStack());
    privateKey = sshPrivateKey(topology);
  } catch (e) {
    // RunError prints the message alone: the list of problems, not a stack trace.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  let migrationFiles;
  try {
    // gamedb:schema.migrations is relative to the project root, the directory Pulumi runs the program in.
    migrationFiles = topology.schema ? readMigrationFiles(topology.schema.migrations) : undefined;
  } catch (e) {
    throw new pulumi.RunError(`gamedb:schema.migrations: ${(e as Error).message}`);
  }
  let plan;
  try {
    plan = planPlatform(topology, { migrationFiles });
  } catch (e) {
    // Every problem of the migration files at once, each naming its file: no stack trace.
    if (e instanceof MigrationFilesError) throw new pulumi.RunError(e.message);
    throw e;
  }
  const kubeconfig = new pulumi.Config(NAMESPACE).getSecret("kubeconfig");
  const alertWebhookUrl = new pulumi.Config(NAMESPACE).getSecret("alertWebhookUrl");
  const platform = new GameDbPlatform(
    "gamedb",
    {
      plan,
      privateKey,
      kubeconfig,
      alertWebhookUrl,
      convergeRequest: plan.mysql.converge === "always" ? (options.runStamp ?? new Date().toISOString()) : undefined,
      // The moves are in the plan (plan.moves); the image and the gate's timeout are not.
      slotMoves: topology.slotMoves && {
        image: topology.slotMoves.image,
        gateTimeoutMinutes: topology.slotMoves.gateTimeoutMinutes,
      },
    },
    { transformations: options.transformations },
  );
  const outputs = {
    environment: plan.environment,
    slotMap: slotMapOutput(plan),
    shards: shardsOutput(plan),
    clusters: clusterOutputs(platform.shards),
    bastion: plan.ssh.bastion ?? null,
    backup: { bucket: platform.backup.bucketName, kmsKeyArn: platform.backup.kmsKeyArn },
    // Router Services per shard, Redis endpoints and the slot map: what the gamedb-endpoints ConfigMap holds.
    endpoints: platform.endpoints.apply((data) =>
      Object.fromEntries(Object.entries(data).map(([k, v]) => [k.replace(/\.json$/, ""), JSON.parse(v) as unknown])),
    ),
    network: {
      vpcId: platform.network.vpcId,
      privateSubnetIds: platform.network.privateSubnetIds,
      shardHostsSecurityGroupId: platform.network.shardHostsSecurityGroupId,
      adminSecurityGroupId: platform.network.adminSecurityGroupId,
    },
  };
  return { plan, outputs };
}

/** The stack outputs of the declared platform: what `stacks/index.ts` exports. */
export function gamedbProgram(options: ProgramOptions = {}) {
  return declarePlatform(options).outputs;
}
