/** The network: the VPC (created or adopted), subnets, NAT, security groups. */
import { Network } from "../network";
import type { PlatformContext } from "./context";

export function declareNetwork(ctx: PlatformContext): Network {
  return new Network(
    `${ctx.name}-network`,
    { plan: ctx.plan.network, region: ctx.plan.region, adminCidrs: ctx.plan.ssh.adminCidrs },
    { parent: ctx.parent, providers: { aws: ctx.aws } },
  );
}
