export * from "./alertTopic";
export * from "./alarms";
export * from "./rules";
export * from "./worker";
