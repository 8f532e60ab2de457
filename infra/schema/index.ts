// The game database's lifecycle on Kubernetes: the migration Job, and reading the migrations directory.
export { SchemaMigrations, migratePodSpec, MIGRATE_NAME, MIGRATE_PATHS } from "./migrationJob";
export type { SchemaMigrationsArgs } from "./migrationJob";
export { readMigrationFiles } from "./files";
export { PartitionMaintenance, partitionsPodSpec, partitionsPolicy, PARTITIONS_NAME } from "./partitionCronJob";
export type { PartitionMaintenanceArgs } from "./partitionCronJob";
