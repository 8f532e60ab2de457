/**
 * GameDbPlatform: the one top-level component. It owns the AWS provider (region and default tags from config) and
 * reads as a table of contents: one declare step per concern (./*.ts), each taking the plan and the handles the
 * earlier steps returned. Components of features not built yet are absent, not stubbed.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Network } from "../network";
import type { HostAccess } from "../mysql";
import type { BackupBucket } from "../backup";
import type { AlertTopic } from "../monitoring";
import type { GameDbPlatformArgs, PlatformContext, Redis, ShardResources } from "./context";
import { declareNetwork } from "./network";
import { declareHostAccess, declareShards } from "./shards";
import { declareAlertTopic, declareMonitorPassword, declareMonitoringWorker } from "./monitoring";
import { declareBackup } from "./backup";
import { declareKubernetes } from "./kubernetes";
import { declareRouters } from "./routers";
import { declareRedis, redisDocument } from "./redis";
import { declareNetworkPolicies } from "./networkPolicies";
import { declareEndpoints, declareRoutersConfigMap } from "./endpoints";
import { declareRestoreVerification } from "./restoreVerification";
import { declareSchemaMigrations } from "./schema";
import { declareSlotMoves, slotMovesEnabled } from "./moves";
import { lazyCertificateAuthority } from "./tls";

export type { GameDbPlatformArgs, ShardResources } from "./context";

export class GameDbPlatform extends pulumi.ComponentResource {
  readonly network: Network;
  readonly hostAccess: HostAccess;
  /** By shard key (`shard7`). */
  readonly shards: Record<string, ShardResources>;
  readonly redis: Redis;
  readonly backup: BackupBucket;
  /** The environment's one alert topic. */
  readonly alerts: AlertTopic;
  /** The data of the gamedb-endpoints ConfigMap. */
  readonly endpoints: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: GameDbPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:index:GameDbPlatform", name, {}, opts);
    const { plan } = args;
    const awsProvider = new aws.Provider(
      `${name}-aws`,
      {
        region: plan.region as aws.Region,
        defaultTags: { tags: { project: "gamedb", environment: plan.environment, stack: pulumi.getStack() } },
      },
      { parent: this },
    );
    const ctx: PlatformContext = {
      name,
      parent: this,
      plan,
      args,
      aws: awsProvider,
      certificateAuthority: lazyCertificateAuthority(name, this, plan),
    };

    this.network = declareNetwork(ctx);
    this.hostAccess = declareHostAccess(ctx);
    const monitorPassword = declareMonitorPassword(ctx);
    this.alerts = declareAlertTopic(ctx);
    this.shards = declareShards(ctx, {
      network: this.network,
      access: this.hostAccess,
      monitorPassword,
      alerts: this.alerts,
    });
    this.backup = declareBackup(ctx, { shards: this.shards, alerts: this.alerts });

    // Routers and Redis run on the existing Kubernetes cluster; the nodes reach the shard hosts' member ports.
    const kube = declareKubernetes(ctx, this.network);
    const routers = declareRouters(ctx, kube, this.shards);
    this.redis = declareRedis(ctx, kube, this.network);
    // Only the game namespaces and gamedb's own programs reach them; the rest of the namespace denies ingress.
    declareNetworkPolicies(ctx, kube);

    // With slot moves the endpoints publish a slot map only after the gate passed, and the gate runs after the
    // migration Job (every fence installed) and the movers: those are declared first, the Jobs reading the Routers
    // from gamedb-routers. Without slot moves, the order and the resources are as they always were.
    const schemaDeps = { shards: this.shards, backup: this.backup, alerts: this.alerts };
    let publishAfter: pulumi.Resource[] = [];
    const gated = slotMovesEnabled(ctx);
    if (gated) {
      const routersMap = declareRoutersConfigMap(ctx, kube, routers);
      const schema = declareSchemaMigrations(ctx, kube, { ...schemaDeps, endpoints: routersMap })!;
      const moves = declareSlotMoves(ctx, kube, { shards: this.shards, routers, migrations: schema.migrations });
      publishAfter = [moves.gate];
    }
    const endpoints = declareEndpoints(ctx, kube, {
      shards: this.shards,
      routers,
      redis: redisDocument(this.redis),
      publishAfter,
    });
    this.endpoints = endpoints.data;

    declareMonitoringWorker(ctx, kube, {
      alerts: this.alerts,
      monitorPassword,
      redis: this.redis,
      shards: this.shards,
      endpoints: endpoints.configMap,
    });
    declareRestoreVerification(ctx, kube, { backup: this.backup, alerts: this.alerts });
    if (!gated) declareSchemaMigrations(ctx, kube, { ...schemaDeps, endpoints: endpoints.configMap });
    this.registerOutputs({ network: this.network, hostAccess: this.hostAccess, endpoints: this.endpoints });
  }
}
