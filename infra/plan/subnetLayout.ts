/**
 * Subnet layout of a created VPC. A zone's subnets are chosen by the zone's letter (a=0, b=1, ...), not by its
 * position in the config list, so adding or reordering zones never renumbers an existing subnet.
 *   private subnet of zone k: block k of the VPC split into 16 (a /20 of a /16)
 *   public subnet of zone k:  block k of the last of those 16, split into 16 again (a /24 of a /16)
 */
import { IPv4CidrRange, IPv4Prefix } from "ip-num";

export const MAX_ZONE_LETTER_INDEX = 14; // block 15 holds the public subnets

export function zoneLetterIndex(zone: string): number {
  return zone.charCodeAt(zone.length - 1) - "a".charCodeAt(0);
}

function split(cidr: string, by: number): string[] {
  const range = IPv4CidrRange.fromCidr(cidr);
  const prefix = Number(range.cidrPrefix.getValue());
  return range.splitInto(IPv4Prefix.fromNumber(BigInt(prefix + by))).map((r) => r.toCidrString());
}

export interface ZoneSubnets {
  az: string;
  privateCidr: string;
  publicCidr: string;
}

export function subnetLayout(vpcCidr: string, zones: readonly string[]): ZoneSubnets[] {
  const blocks = split(vpcCidr, 4);
  const publicBlocks = split(blocks[15]!, 4);
  return [...zones].sort().map((az) => {
    const k = zoneLetterIndex(az);
    return { az, privateCidr: blocks[k]!, publicCidr: publicBlocks[k]! };
  });
}

/** Which zone's NAT gateway a zone's private subnet routes through (undefined: no NAT, no default route). */
export function natZoneFor(
  az: string,
  zones: readonly string[],
  natGateways: "none" | "single" | "perAz",
): string | undefined {
  if (natGateways === "none") return undefined;
  if (natGateways === "perAz") return az;
  return [...zones].sort()[0];
}

/** The zones that get a NAT gateway (and so a public subnet). */
export function natZones(zones: readonly string[], natGateways: "none" | "single" | "perAz"): string[] {
  const sorted = [...zones].sort();
  if (natGateways === "none") return [];
  return natGateways === "perAz" ? sorted : sorted.slice(0, 1);
}
