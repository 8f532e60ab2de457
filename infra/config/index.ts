export * from "./defaults";
export * from "./errors";
export * from "./schema";
export * from "./load";
