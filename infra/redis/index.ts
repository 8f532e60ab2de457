export * from "./cluster";
export * from "./elasticache";
