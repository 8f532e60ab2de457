/**
 * Rules that relate several keys. Each rule is a pure function from the schema-checked topology to problems;
 * `validateStackConfig` runs them all so an operator sees every problem at once.
 */
import type { Problem } from "../../config/errors";
import type { StackConfig } from "../../config/schema";
import { lifecycleProblems } from "../backupLifecycle";
import type { Rule, Section } from "./rule";
import { cidrs, network, zones } from "./network";
import { architectures, dataVolume, hosts, instanceTypes, mycnfOverrides } from "./hosts";
import { highAvailability, nodeCounts, placement, shardIdentity, slots } from "./shards";
import { slotMoves, slotMovesNeedSchema } from "./moves";
import {
  backupWindows,
  monitoring,
  monitoringCycle,
  redisController,
  restoreVerification,
  tlsValidity,
} from "./operations";

export const RULES: readonly Rule[] = [
  { reads: ["aws", "network"], check: zones },
  { reads: ["aws", "network"], check: network },
  { reads: ["mysql"], check: dataVolume },
  { reads: ["environment", "mysql", "shards"], check: instanceTypes },
  { reads: ["shards"], check: shardIdentity },
  { reads: ["environment", "shards"], check: nodeCounts },
  { reads: ["environment", "aws", "mysql", "shards"], check: placement },
  { reads: ["shards"], check: slots },
  { reads: ["ssh", "kubernetes"], check: cidrs },
  { reads: ["environment", "router", "redis"], check: highAvailability },
  { reads: ["backup"], check: backupWindows },
  { reads: ["monitoring"], check: monitoring },
  { reads: ["monitoring", "shards"], check: monitoringCycle },
  { reads: ["backup"], check: restoreVerification },
  { reads: ["redis"], check: redisController },
  { reads: ["tls"], check: tlsValidity },
  { reads: ["backup"], check: (t) => lifecycleProblems(t.backup) },
  { reads: ["hosts", "shards"], check: hosts },
  { reads: ["hosts", "mysql", "shards"], check: architectures },
  { reads: ["mysql"], check: mycnfOverrides },
  { reads: ["shards", "slotMoves"], check: slotMoves },
  { reads: ["slotMoves", "schema"], check: slotMovesNeedSchema },
];

/**
 * Runs every rule whose sections are valid. `t` may be partial when some sections failed the schema; `valid`
 * names the ones that passed, and only rules that read nothing else run.
 */
export function validateStackConfig(
  t: StackConfig,
  valid: ReadonlySet<Section> = new Set(Object.keys(t) as Section[]),
): Problem[] {
  return RULES.filter((r) => r.reads.every((s) => valid.has(s))).flatMap((r) => r.check(t));
}
