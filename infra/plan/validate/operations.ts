/** Cross-key rules about backups, restore verification, monitoring and the images they run. Pure. */
import { shardView } from "./shardView";
import { Problem, problem } from "../../config/errors";
import type { Check } from "./rule";
import { minimumConcurrency } from "../monitorSizing";

export const backupWindows: Check = (t) => {
  const b = t.backup;
  // Restoring to the start of the window needs a full dump from before it, and dumps run at least daily.
  if (b.retentionDays * 24 < b.pitrWindowHours + 24) {
    return [
      problem(
        ["backup", "retentionDays"],
        `${b.retentionDays} days cannot serve a ${b.pitrWindowHours} h point-in-time window; keep at least ${Math.ceil((b.pitrWindowHours + 24) / 24)} days`,
      ),
    ];
  }
  return [];
};

/** A Kubernetes label name: an optional DNS-subdomain prefix and "/", then up to 63 name characters. */
const LABEL_NAME = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;

/** `docker build` for a Dockerfile target, as the "is required" messages give it. */
const buildHint = (target: string) =>
  `build it from the repo's Dockerfile (docker build --target ${target} -t REGISTRY/gamedb-${target}:0.1.0 .), push it where the cluster pulls from, and set its reference here`;

export const monitoring: Check = (t) => {
  const m = t.monitoring;
  const out: Problem[] = [];
  if (m.checkTimeoutSeconds >= m.intervalSeconds) {
    out.push(
      problem(
        ["monitoring", "checkTimeoutSeconds"],
        `${m.checkTimeoutSeconds} must be shorter than intervalSeconds (${m.intervalSeconds})`,
      ),
    );
  }
  if (m.image === undefined) out.push(problem(["monitoring", "image"], `is required: ${buildHint("monitor")}`));
  for (const name of Object.keys(m.prometheusLabels)) {
    if (!LABEL_NAME.test(name))
      out.push(
        problem(
          ["monitoring", "prometheusLabels"],
          `${JSON.stringify(name)} is not a Kubernetes label name; use one such as release or app.kubernetes.io/part-of`,
        ),
      );
  }
  return out;
};

/** Even when every member times out, one cycle must fit in the interval, or detection falls behind its bound. */
export const monitoringCycle: Check = (t) => {
  const m = t.monitoring;
  if (m.concurrency === undefined || m.checkTimeoutSeconds >= m.intervalSeconds) return [];
  const members = t.shards.reduce((n, s) => n + shardView(s).count, 0);
  const need = minimumConcurrency(members, m.intervalSeconds, m.checkTimeoutSeconds);
  if (m.concurrency >= need) return [];
  return [
    problem(
      ["monitoring", "concurrency"],
      `${m.concurrency} is too low for ${members} members: with every member timing out a cycle would not finish within intervalSeconds (${m.intervalSeconds}); use at least ${need}, or leave it out`,
    ),
  ];
};

export const restoreVerification: Check = (t) => {
  const r = t.backup.restoreVerification;
  return r.enabled && r.image === undefined
    ? [problem(["backup", "restoreVerification", "image"], `is required when enabled: ${buildHint("restore-verify")}`)]
    : [];
};

export const redisController: Check = (t) =>
  t.redis.engine === "kubernetes" && t.redis.controllerImage === undefined
    ? [problem(["redis", "controllerImage"], `is required with engine "kubernetes": ${buildHint("redis-controller")}`)]
    : [];

/** The CA must outlive a certificate by more than the renewal window, or every deploy renews the CA and all it signed. */
export const tlsValidity: Check = (t) =>
  t.tls.caValidityDays > t.tls.certValidityDays + 30
    ? []
    : [
        problem(
          ["tls", "caValidityDays"],
          `${t.tls.caValidityDays} days must exceed tls.certValidityDays (${t.tls.certValidityDays}) by more than 30 (the renewal window); use at least ${t.tls.certValidityDays + 31}`,
        ),
      ];
