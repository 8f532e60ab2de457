/**
 * The params each AdminAPI script receives (infra/mysql/adminapi), from the shard plan and member addresses. Pure,
 * and free of secrets: these are printed in the command text and the plan.
 */
import type { ShardPlan } from "../plan/plan";
import type { EnvironmentPolicy } from "../plan/environmentPolicy";
import { ACCOUNTS, MYSQL_PORT } from "../catalog/mysql";

/** The InnoDB Cluster name: from the permanent shard id (AdminAPI names allow letters, digits and '_'). */
export function clusterName(shardId: number): string {
  return `shard${shardId}`;
}

export function memberAddress(host: string): string {
  return `${host}:${MYSQL_PORT}`;
}

/**
 * dba.createCluster options, written down rather than left to the Shell's defaults. The MYSQL communication stack
 * uses the server port (no 33061, no allowlist); member SSL is required; a member that loses the group goes
 * OFFLINE_MODE (read-only, clients refused) rather than serving stale reads; reads after a failover wait for the
 * new primary to apply its backlog.
 */
export function createOptions(policy: EnvironmentPolicy) {
  return {
    communicationStack: "MYSQL",
    memberSslMode: "REQUIRED",
    gtidSetIsComplete: true,
    exitStateAction: "OFFLINE_MODE",
    autoRejoinTries: policy.autoRejoinTries,
    expelTimeout: 5,
    consistency: "BEFORE_ON_PRIMARY_FAILOVER",
    manualStartOnBoot: false,
  };
}

/** The seed: the node with the lowest index, so adding nodes (new, higher indexes) never moves it. */
export function seedIndex(shard: ShardPlan): number {
  return Math.min(...shard.nodes.map((n) => n.index));
}

/** Member address ("host:3306") by node index. A plain object: Pulumi's `all` does not carry Maps through. */
export type MemberAddresses = Readonly<Record<number, string>>;

function addressOf(members: MemberAddresses, index: number): string {
  const a = members[index];
  if (a === undefined) throw new Error(`no address for node ${index}`);
  return a;
}

/** How long a script waits for a member to come back ONLINE after a rejoin or restart. */
export const MEMBER_WAIT_SECONDS = 600;

/**
 * The converge script's params. `allowCreate` is true only on the command's first run (Pulumi `create`): on every
 * later run (`update`) a shard whose configured members hold no cluster is an error, never a second, empty cluster.
 */
export function convergeParams(
  shard: ShardPlan,
  policy: EnvironmentPolicy,
  members: MemberAddresses,
  restartVariables: Readonly<Record<string, Record<string, string>>>,
  allowCreate: boolean,
) {
  const seed = addressOf(members, seedIndex(shard));
  return {
    clusterName: clusterName(shard.id),
    seed,
    members: shard.nodes.map((n) => addressOf(members, n.index)),
    clusterAdmin: ACCOUNTS.clusterAdmin,
    createOptions: createOptions(policy),
    recoveryMethod: "clone",
    allowCreate,
    restartVariables,
    waitSeconds: MEMBER_WAIT_SECONDS,
  };
}

export function configureParams(self: string, dynamicVariables: Record<string, string>) {
  return { self, clusterAdmin: ACCOUNTS.clusterAdmin, dynamicVariables };
}

export function joinParams(shard: ShardPlan, seed: string, self: string) {
  return {
    clusterName: clusterName(shard.id),
    seed,
    self,
    clusterAdmin: ACCOUNTS.clusterAdmin,
    recoveryMethod: "clone",
  };
}

export function leaveParams(shard: ShardPlan, self: string) {
  return { clusterName: clusterName(shard.id), self, clusterAdmin: ACCOUNTS.clusterAdmin };
}

export function accountsParams(shard: ShardPlan, members: MemberAddresses) {
  return {
    clusterName: clusterName(shard.id),
    seed: addressOf(members, seedIndex(shard)),
    members: shard.nodes.map((n) => addressOf(members, n.index)),
    clusterAdmin: ACCOUNTS.clusterAdmin,
    accounts: { router: ACCOUNTS.router, monitor: ACCOUNTS.monitor, backup: ACCOUNTS.backup },
    accountHost: "%",
  };
}
