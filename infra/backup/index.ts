// The backup layer's public surface: the bucket, each shard's access and jobs, the snapshot policy and the restore
// verification, with their inputs. Policies, unit files and host commands are the components' own (tests import
// those files directly).
export { BackupBucket, type BackupBucketArgs } from "./bucket";
export { grantShardBackupAccess, type ShardAccessArgs } from "./shardAccess";
export { installBackupJobs, type BackupJobsArgs } from "./hostJobs";
export { snapshotPolicy } from "./snapshots";
export { RestoreVerification, type RestoreVerificationArgs } from "./restoreVerification";
