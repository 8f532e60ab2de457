/**
 * What every declare step of the platform shares: the component that parents what it declares, the plan, the
 * platform's args (the plan and the secrets) and the providers. Steps return typed handles the later steps take.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import type { PlatformPlan } from "../plan/plan";
import type { ElastiCacheRedis, RedisCluster } from "../redis";
import type { InnoDbCluster, MySqlRouter, ShardHosts } from "../mysql";
import type { CertificateAuthority } from "../tls/ca";

export interface GameDbPlatformArgs {
  /** The expanded, validated plan (infra/plan planPlatform): every decision the components take. */
  readonly plan: PlatformPlan;
  /** `gamedb:sshPrivateKey` (secret). @default a generated key (required with static hosts) */
  readonly privateKey?: pulumi.Output<string>;
  /** `gamedb:kubeconfig` (secret). @default the ambient kubeconfig (KUBECONFIG or ~/.kube/config) */
  readonly kubeconfig?: pulumi.Output<string>;
  /** `gamedb:alertWebhookUrl` (secret): a Slack-compatible webhook the monitoring worker also alerts. @default none */
  readonly alertWebhookUrl?: pulumi.Output<string>;
  /**
   * Makes every shard's converge command re-run when it differs from the last run (mysql.converge: always).
   * @default undefined: converge runs only when the shard's config changes
   */
  readonly convergeRequest?: string;
  /**
   * gamedb:slotMoves' settings the plan does not carry (plan.moves has the moves themselves): the mover image and
   * how long `pulumi up` waits for the slot map gate.
   * @default undefined: no gamedb:slotMoves, so no movers and no gate (the slot map is published as before)
   */
  readonly slotMoves?: { readonly image: string; readonly gateTimeoutMinutes: number };
}

export interface PlatformContext {
  /** The platform's name: the prefix of the platform-wide resources' names. */
  readonly name: string;
  /** The GameDbPlatform component: every step's resources are its children. */
  readonly parent: pulumi.ComponentResource;
  readonly plan: PlatformPlan;
  readonly args: GameDbPlatformArgs;
  /** The AWS provider (region and default tags from config). */
  readonly aws: aws.Provider;
  /** The stack's CA (infra/platform/tls.ts), declared by the first step that asks for it. */
  readonly certificateAuthority: () => CertificateAuthority;
}

/** The Kubernetes side: its provider, the namespace (name as an Output, and as configured), the options. */
export interface KubernetesContext {
  readonly provider: k8s.Provider;
  readonly namespace: pulumi.Output<string>;
  readonly namespaceName: string;
  /** Options for Kubernetes workloads that also create AWS resources (IAM users, ElastiCache). */
  readonly opts: pulumi.ComponentResourceOptions;
}

export interface ShardResources {
  hosts: ShardHosts;
  cluster: InnoDbCluster;
  /** Absent for retired shards: no client should reach them. */
  router?: MySqlRouter;
}

export type Redis = RedisCluster | ElastiCacheRedis;
