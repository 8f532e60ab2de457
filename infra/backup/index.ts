export * from "./access";
export * from "./bucket";
export * from "./snapshots";
export * from "./hostJobs";
export * from "./shardAccess";
export * from "./restoreVerification";
