// The monitoring layer's public surface: the alert topic, the per-host alarms and the worker, with their inputs.
// The worker's config, pod spec and Prometheus rules are the components' own (tests import those files directly).
export { AlertTopic, type AlertTopicArgs } from "./alertTopic";
export { hostAlarms } from "./alarms";
export { MonitoringWorker, type MonitoringWorkerArgs, type WorkerSettings } from "./worker";
