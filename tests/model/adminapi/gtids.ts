/**
 * MODEL of the GTID sets the AdminAPI scripts read (@@GLOBAL.gtid_executed, @@GLOBAL.gtid_purged, GTID_SUBTRACT,
 * GTID_SUBSET) and of the recovery decision Shell makes from them. Not MySQL: an instance's history is the group's
 * transactions 1..gtidExecuted (one source uuid for the whole fleet), plus `errantGtids` transactions of its own
 * uuid that the group never saw, and its binary logs no longer hold group transactions 1..gtidPurged.
 */
import type { InstanceState } from "./fleet";
import { formatGtidSet, isEmpty, isSubset, parseGtidSet, subtract } from "../../../infra/contracts/gtid";

/** The source uuid of every group transaction in the model. */
export const GROUP_UUID = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";

/** A stable uuid per instance, for its errant transactions. */
export function serverUuid(address: string): string {
  let h = 0;
  for (const c of address) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const hex = h.toString(16).padStart(8, "0");
  return `${hex}-0000-4000-8000-${hex}0000`;
}

function range(uuid: string, last: number): string {
  return last > 0 ? `${uuid}:1-${last}` : "";
}

export function gtidExecuted(inst: InstanceState): string {
  return [range(GROUP_UUID, inst.gtidExecuted), range(serverUuid(inst.address), inst.errantGtids)]
    .filter((p) => p !== "")
    .sort()
    .join(",");
}

export function gtidPurged(inst: InstanceState): string {
  return range(GROUP_UUID, inst.gtidPurged);
}

/** GTID_SUBTRACT(a, b) as MySQL prints it. */
export function gtidSubtract(a: string, b: string): string {
  return formatGtidSet(subtract(parseGtidSet(a), parseGtidSet(b)));
}

/** GTID_SUBSET(a, b): 1 or 0. */
export function gtidSubset(a: string, b: string): number {
  return isSubset(parseGtidSet(a), parseGtidSet(b)) ? 1 : 0;
}

/**
 * What Shell concludes about recovering `target` from the cluster (`donor`: the primary), after mysql-shell 8.4.3
 * modules/adminapi/common/gtid_validations.cc check_gtid_consistency_and_recoverability: diverged when the target
 * has transactions the donor lacks (errant); possible when the donor's binary logs still hold everything the target
 * lacks; for a rejoin, incremental is safe only when it is possible and not diverged.
 */
export function recoverability(target: InstanceState, donor: InstanceState): { diverged: boolean; possible: boolean } {
  const t = parseGtidSet(gtidExecuted(target));
  const diverged = !isEmpty(subtract(t, parseGtidSet(gtidExecuted(donor))));
  const possible = !diverged && isSubset(parseGtidSet(gtidPurged(donor)), t);
  return { diverged, possible };
}
