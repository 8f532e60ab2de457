import fc from "fast-check";
import { natZoneFor, natZones, subnetLayout } from "../../infra/plan/subnetLayout";

describe("subnetLayout", () => {
  it("carves a /20 private and a /24 public subnet per zone, by zone letter", () => {
    expect(subnetLayout("10.40.0.0/16", ["eu-west-1c", "eu-west-1a"])).toEqual([
      { az: "eu-west-1a", privateCidr: "10.40.0.0/20", publicCidr: "10.40.240.0/24" },
      { az: "eu-west-1c", privateCidr: "10.40.32.0/20", publicCidr: "10.40.242.0/24" },
    ]);
    expect(subnetLayout("10.8.0.0/20", ["us-east-1b"])).toEqual([
      { az: "us-east-1b", privateCidr: "10.8.1.0/24", publicCidr: "10.8.15.16/28" },
    ]);
  });
  it("never renumbers a zone's subnets when zones are added or reordered, and never overlaps", () => {
    const zone = fc.constantFrom(..."abcdefghijklmno".split("").map((l) => `eu-west-1${l}`));
    fc.assert(
      fc.property(
        fc.uniqueArray(zone, { minLength: 1, maxLength: 6 }),
        fc.uniqueArray(zone, { maxLength: 6 }),
        (zones, more) => {
          const before = subnetLayout("10.40.0.0/16", zones);
          const after = subnetLayout("10.40.0.0/16", [...new Set([...more, ...zones])].reverse());
          for (const z of before) expect(after.find((a) => a.az === z.az)).toEqual(z);
          const cidrs = after.flatMap((z) => [z.privateCidr, z.publicCidr]);
          expect(new Set(cidrs).size).toBe(cidrs.length);
        },
      ),
    );
  });
});

describe("NAT gateways", () => {
  const zones = ["eu-west-1b", "eu-west-1a", "eu-west-1c"];
  it("none: no gateway and no default route", () => {
    expect(natZones(zones, "none")).toEqual([]);
    expect(natZoneFor("eu-west-1b", zones, "none")).toBeUndefined();
  });
  it("single: every zone routes through the first zone's gateway", () => {
    expect(natZones(zones, "single")).toEqual(["eu-west-1a"]);
    expect(zones.map((z) => natZoneFor(z, zones, "single"))).toEqual(["eu-west-1a", "eu-west-1a", "eu-west-1a"]);
  });
  it("perAz: every zone routes through its own gateway", () => {
    expect(natZones(zones, "perAz")).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(zones.map((z) => natZoneFor(z, zones, "perAz"))).toEqual(zones);
  });
});
