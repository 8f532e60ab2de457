export * from "./cluster";
export * from "./elasticache";
export * from "./scripts";
