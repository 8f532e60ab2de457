/**
 * The gamedb program: config -> validated Topology -> plan -> GameDbPlatform -> stack outputs.
 * `stacks/index.ts` runs it under the Pulumi engine; the offline plan runs the same function under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadTopology } from "./config";
import { planPlatform } from "./topology/plan";
import { GameDbPlatform } from "./platform";
import { shardsOutput, slotMapOutput } from "./outputs";

export interface ProgramOptions {
  /** Passed to the top-level component; the offline plan records every resource's options through one. */
  transformations?: pulumi.ResourceTransformation[];
}

/** Declares the platform and returns its plan (plain data) and the stack outputs. */
export function declarePlatform(options: ProgramOptions = {}) {
  let topology;
  try {
    topology = loadTopology(pulumi.runtime.allConfig(), pulumi.getStack());
  } catch (e) {
    // RunError prints the message alone: the list of problems, not a stack trace.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  const plan = planPlatform(topology);
  const platform = new GameDbPlatform(
    "gamedb",
    { plan, adminCidrs: topology.ssh.adminCidrs },
    { transformations: options.transformations },
  );
  const outputs = {
    environment: plan.environment,
    slotMap: slotMapOutput(plan),
    shards: shardsOutput(plan),
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
