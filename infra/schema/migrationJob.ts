/**
 * The migration Job: `pulumi up` runs it when the migrations or their settings change, and waits for it. It runs
 * the migrate image's `apply` (scripts/apps/migrate/main.ts) against every active and provisioning shard through
 * the shard's Router (the gamedb-endpoints ConfigMap), as the gamedb_schema account, with the migration files and
 * the Job's config (infra/contracts/migrations.ts) mounted from ConfigMaps and the passwords from a Secret.
 *
 * The Job's name carries a digest of what it applies, so a change makes a new Job (and removes the old one), and
 * no change leaves the finished Job alone: a rerun of an unchanged Job would be a no-op anyway (the runner's ledger).
 * The Kubernetes provider waits for a Job to complete and fails the update when it fails; `timeoutMinutes` bounds
 * the wait (customTimeouts) and the Job itself (activeDeadlineSeconds).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { labels, restrictedContainer } from "../kubernetes/labels";

export const MIGRATE_NAME = "gamedb-migrate";
/** The migrate image's non-root user (Dockerfile, target migrate). */
export const MIGRATE_UID = 10001;
export const MIGRATE_PATHS = {
  config: "/etc/gamedb/migrate",
  migrations: "/etc/gamedb/migrations",
  endpoints: "/etc/gamedb/endpoints",
  secrets: "/etc/gamedb/secrets",
} as const;
/** A ConfigMap holds at most 1 MiB; the files must fit with room for the object's metadata. */
export const MAX_MIGRATION_BYTES = 900 * 1024;

export interface MigrateJobNames {
  /** The ConfigMap with config.json. */
  config: string;
  /** The ConfigMap with the migration files. */
  files: string;
  /** The Secret with passwords.json. */
  secret: string;
  /** The gamedb-endpoints ConfigMap. */
  endpoints: string;
}

/** The Job's pod: pure. `apply`, then nothing: a failed run is not retried blindly (backoffLimit 0). */
export function migratePodSpec(image: string, names: MigrateJobNames) {
  const volume = (name: string, source: object) => ({ name, ...source });
  return {
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true },
    containers: [
      {
        name: "migrate",
        image,
        args: [
          "apply",
          "--config",
          `${MIGRATE_PATHS.config}/config.json`,
          "--migrations",
          MIGRATE_PATHS.migrations,
          "--endpoints",
          MIGRATE_PATHS.endpoints,
          "--passwords",
          `${MIGRATE_PATHS.secrets}/passwords.json`,
        ],
        // The summary (shard, version, error) is what the Job's pod reports as its termination message.
        terminationMessagePolicy: "FallbackToLogsOnError",
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        securityContext: restrictedContainer(MIGRATE_UID),
        volumeMounts: [
          { name: "config", mountPath: MIGRATE_PATHS.config, readOnly: true },
          { name: "migrations", mountPath: MIGRATE_PATHS.migrations, readOnly: true },
          { name: "endpoints", mountPath: MIGRATE_PATHS.endpoints, readOnly: true },
          { name: "secrets", mountPath: MIGRATE_PATHS.secrets, readOnly: true },
        ],
      },
    ],
    volumes: [
      volume("config", { configMap: { name: names.config } }),
      volume("migrations", { configMap: { name: names.files } }),
      volume("endpoints", { configMap: { name: names.endpoints } }),
      volume("secrets", { secret: { secretName: names.secret, defaultMode: 0o400 } }),
    ],
  };
}

export interface SchemaMigrationsArgs {
  /** The Kubernetes namespace of the Job, its ConfigMaps and Secret. */
  readonly namespace: pulumi.Input<string>;
  /** The migrate image (gamedb:schema.image). */
  readonly image: string;
  /** config.json: the contract's MigrateJobConfig, as JSON text. */
  readonly configJson: string;
  /** The migration files (name and text), as read from gamedb:schema.migrations. */
  readonly files: readonly { name: string; text: string }[];
  /** A digest of the files and config: the Job's name carries its first 10 characters. */
  readonly contentHash: string;
  /** How long `pulumi up` waits for the Job, and the Job's own deadline. */
  readonly timeoutMinutes: number;
  /** The gamedb-endpoints ConfigMap's name (routers.json says where each shard's Router is). */
  readonly endpointsConfigMap: pulumi.Input<string>;
  /** gamedb_schema's password per shard id (secrets). */
  readonly passwords: Readonly<Record<number, pulumi.Output<string>>>;
  /** What the Job waits for: each shard's cluster (whose accounts step creates gamedb_schema). @default [] */
  readonly dependsOn?: pulumi.Resource[];
}

export class SchemaMigrations extends pulumi.ComponentResource {
  /** The Job's name in Kubernetes. */
  readonly jobName: pulumi.Output<string>;
  /** The ConfigMap with config.json (the partition CronJob reads it too). */
  readonly configMapName: pulumi.Output<string>;

  constructor(name: string, args: SchemaMigrationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:schema:Migrations", name, {}, opts);
    const meta = (suffix: string) => ({
      name: `${MIGRATE_NAME}${suffix}`,
      namespace: args.namespace,
      labels: labels(MIGRATE_NAME, "migrate"),
    });
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      { metadata: meta("-config"), data: { "config.json": args.configJson } },
      { parent: this },
    );
    const files = new k8s.core.v1.ConfigMap(
      `${name}-files`,
      { metadata: meta("-files"), data: Object.fromEntries(args.files.map((f) => [f.name, f.text])) },
      { parent: this },
    );
    const passwords = pulumi.secret(
      pulumi.all(args.passwords).apply((p) => JSON.stringify(Object.fromEntries(Object.entries(p)))),
    );
    const secret = new k8s.core.v1.Secret(
      name,
      { metadata: meta(""), type: "Opaque", stringData: { "passwords.json": passwords } },
      { parent: this, additionalSecretOutputs: ["stringData"] },
    );
    const digest = args.contentHash.slice(0, 10);
    const job = new k8s.batch.v1.Job(
      `${name}-${digest}`,
      {
        metadata: { ...meta(`-${digest}`), annotations: { "gamedb.io/content-sha256": args.contentHash } },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: args.timeoutMinutes * 60,
          template: {
            metadata: { labels: labels(MIGRATE_NAME, "migrate") },
            spec: pulumi.output(args.endpointsConfigMap).apply((endpoints) =>
              migratePodSpec(args.image, {
                config: `${MIGRATE_NAME}-config`,
                files: `${MIGRATE_NAME}-files`,
                secret: MIGRATE_NAME,
                endpoints,
              }),
            ),
          },
        },
      },
      {
        parent: this,
        dependsOn: [config, files, secret, ...(args.dependsOn ?? [])],
        customTimeouts: { create: `${args.timeoutMinutes}m`, update: `${args.timeoutMinutes}m` },
      },
    );
    this.jobName = job.metadata.name;
    this.configMapName = config.metadata.name;
    this.registerOutputs({ jobName: this.jobName, configMapName: this.configMapName });
  }
}
