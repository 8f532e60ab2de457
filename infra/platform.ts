/**
 * GameDbPlatform: the one top-level component. It owns the AWS provider (region and default tags from config)
 * and composes one component per concern from the plan. Components of features not built yet are absent, not
 * stubbed.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { PlatformPlan } from "./topology/plan";
import { Network } from "./network";

export interface GameDbPlatformArgs {
  /** The expanded topology (infra/topology planPlatform). */
  plan: PlatformPlan;
  /** Networks allowed to SSH into the admin group. @default [] */
  adminCidrs?: readonly string[];
}

export class GameDbPlatform extends pulumi.ComponentResource {
  readonly network: Network;

  constructor(name: string, args: GameDbPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:index:GameDbPlatform", name, {}, opts);
    const { plan } = args;
    const provider = new aws.Provider(
      `${name}-aws`,
      {
        region: plan.region as aws.Region,
        defaultTags: { tags: { project: "gamedb", environment: plan.environment, stack: pulumi.getStack() } },
      },
      { parent: this },
    );
    this.network = new Network(
      `${name}-network`,
      { plan: plan.network, region: plan.region, adminCidrs: args.adminCidrs },
      { parent: this, providers: { aws: provider } },
    );
    this.registerOutputs({ network: this.network });
  }
}
