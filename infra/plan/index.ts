// The plan layer's entry point: from a stack's config to the plan, and the plan's slices the components take.
// Nothing imports this index today (the program and the components import the files); the slot, placement,
// subnet and diff helpers stay with their files.
export { loadStackConfig } from "./load";
export { planPlatform, type NetworkPlan, type PlatformPlan, type ShardPlan } from "./plan";
export type { NodePlan } from "./nodes";
export type { EnvironmentPolicy } from "./environmentPolicy";
