/**
 * The PrometheusRule the platform deploys (infra/monitoring/rules.ts) reads the worker's metrics: every metric it
 * names is one the worker registers, with the labels the expressions select on.
 */
import { METRICS, prometheusRuleGroups } from "../../infra/monitoring/rules";
import { MonitorMetrics } from "../../scripts/apps/monitor/metrics";

describe("the PrometheusRule and the worker's metrics", () => {
  const metrics = new MonitorMetrics();
  const registered = new Map(
    metrics.registry.getMetricsAsArray().map((m) => [m.name, (m as unknown as { labelNames: string[] }).labelNames]),
  );

  it.each(Object.entries(METRICS))("%s (%s) is registered by the worker", (_key, name) => {
    expect(registered.has(name)).toBe(true);
  });

  it("selects only on labels the metrics have, and alerts with their labels", () => {
    const rules = prometheusRuleGroups({ intervalSeconds: 10, failureThreshold: 3 }).flatMap((g) => g.rules);
    expect(rules).toHaveLength(9);
    // kube_* metrics come from kube-state-metrics, not the worker.
    for (const rule of rules.filter((r) => r.expr.includes("gamedb_"))) {
      const [, name, selector] = /^(?:\w+\()?(gamedb_\w+)(\{[^}]*\})?/.exec(rule.expr)!;
      const labels = registered.get(name!);
      expect(labels).toBeDefined();
      for (const [, label] of (selector ?? "").matchAll(/(\w+)!?=/g)) expect(labels).toContain(label);
      for (const [, label] of rule.annotations.summary.matchAll(/\$labels\.(\w+)/g)) expect(labels).toContain(label);
    }
  });
});
