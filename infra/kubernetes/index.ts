export * from "./endpoints";
export * from "./labels";
