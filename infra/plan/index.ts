export * from "./slots";
export * from "./nodes";
export * from "./placement";
export * from "./subnetLayout";
export * from "./plan";
export * from "./diff";
