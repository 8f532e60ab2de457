/** The network: the VPC (created or adopted), subnets, NAT, security groups. */
import { Network } from "../network";
import type { PlatformContext } from "./context";

export function declareNetwork(ctx: PlatformContext): Network {
  return new Network(
    `${ctx.name}-network`,
    {
      plan: ctx.plan.network,
      region: ctx.plan.region,
      environment: ctx.plan.environment,
      flowLogRetentionDays: ctx.plan.policy.flowLogRetentionDays,
      adminCidrs: ctx.plan.ssh.adminCidrs,
    },
    { parent: ctx.parent, providers: { aws: ctx.aws } },
  );
}
