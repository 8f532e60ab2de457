export * from "./slots";
export * from "./nodes";
export * from "./placement";
export * from "./network";
export * from "./plan";
export * from "./diff";
