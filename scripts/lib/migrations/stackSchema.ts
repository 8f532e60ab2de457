/**
 * A stack's gamedb:schema as the platform plans it, for the operator's `npm run migrate`: the stack file read as the
 * Pulumi CLI hands it over (scripts/lib/stackFile.ts), validated (infra/plan/load.ts) and planned with the migration
 * files (infra/plan/plan.ts planPlatform, the program's own path in infra/program.ts), so the migration Job's
 * config (shards, slot map, batch, partitioned tables) is the one `pulumi up` would give the Job.
 */
import * as path from "node:path";
import type { MigrateJobConfig } from "../../../infra/contracts/migrations";
import type { SchemaPlan } from "../../../infra/plan/gameSchemaPlan";
import { loadMigrations } from "../../../infra/plan/migrations/files";
import type { Migration } from "../../../infra/plan/migrations/types";
import { loadStackConfig } from "../../../infra/plan/load";
import { planPlatform } from "../../../infra/plan/plan";
import { readMigrationFiles } from "../../../infra/schema/files";
import type { StackConfig } from "../stackFile";

export interface StackSchema {
  stack: string;
  /** The migrations directory, resolved against the project root as Pulumi runs the program there. */
  directory: string;
  plan: SchemaPlan;
  jobConfig: MigrateJobConfig;
  /** The checked migrations the runner applies. */
  migrations: Migration[];
}

/** Thrown when the stack declares no gamedb:schema: gamedb makes no game database there. */
export class NoSchemaError extends Error {}

/** Throws ConfigError (every problem), NoSchemaError, or an error naming the directory or each bad file. */
export function planStackSchema(stack: StackConfig, projectDir: string): StackSchema {
  const topology = loadStackConfig(stack.config, stack.stack);
  if (!topology.schema) {
    throw new NoSchemaError(
      `stack ${stack.stack} has no gamedb:schema: gamedb creates no game database, accounts or migration Job there ` +
        "(declare gamedb:schema with database and image to migrate it)",
    );
  }
  const directory = path.resolve(projectDir, topology.schema.migrations);
  const files = readMigrationFiles(directory);
  const plan = planPlatform(topology, { migrationFiles: files }).schema!;
  const migrations = loadMigrations(files, `gamedb:schema.migrations (${topology.schema.migrations})`);
  return { stack: stack.stack, directory, plan, jobConfig: plan.jobConfig, migrations };
}
