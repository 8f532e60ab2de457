/**
 * Availability-zone placement of a shard's members.
 *
 * A node's zone is a function of its shard id, its own index and the zone list alone, never of the other nodes:
 * removing node 1 must not move node 2 (moving a database host means replacing it). The zones are sorted so that
 * reordering the config list changes nothing; consecutive indexes land in distinct zones, and shards start at
 * different zones so primaries spread. Adding a zone does move nodes: pin `az` on existing nodes before that.
 */
export function sortedZones(zones: readonly string[]): string[] {
  return [...new Set(zones)].sort();
}

export function placeNode(shardId: number, index: number, zones: readonly string[], pinned?: string): string {
  if (pinned !== undefined) return pinned;
  const sorted = sortedZones(zones);
  return sorted[(shardId + index) % sorted.length]!;
}

/** Members per zone, for the quorum rule: no single zone may hold a majority of a shard's members. */
export function membersPerZone(zonesOfMembers: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const z of zonesOfMembers) counts.set(z, (counts.get(z) ?? 0) + 1);
  return counts;
}

/** The zone whose loss would cost the shard its quorum, if any. */
export function zoneHoldingMajority(zonesOfMembers: readonly string[]): { zone: string; members: number } | undefined {
  const total = zonesOfMembers.length;
  if (total < 2) return undefined;
  for (const [zone, members] of membersPerZone(zonesOfMembers)) {
    if (members > total / 2) return { zone, members };
  }
  return undefined;
}
