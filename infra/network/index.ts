export * from "./network";
export * from "./vpc";
export * from "./securityGroups";
export * from "./kubernetesAccess";
