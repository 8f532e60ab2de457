/**
 * Instance type names come from config: a name that is a property every object inherits ("constructor", "toString")
 * is an unknown type like any other, never a crash (found by the bad-stack-file property's generators).
 */
import { instanceMemoryGiB, instanceVcpus } from "../../infra/catalog/instanceTypes";
import { evaluate } from "../../scripts/lib/evaluate";
import { stackOf } from "../helpers/stack";
import { validDev } from "../helpers/configs";

describe("instance type lookups by config text", () => {
  it.each([
    "constructor.large",
    "t3.constructor",
    "t3.toString",
    "m5.constructor",
    "m5d.__proto__",
    "r6i.hasOwnProperty",
  ])("%s is unknown: no memory, no vCPUs", (type) => {
    expect(instanceMemoryGiB(type)).toBeUndefined();
    expect(instanceVcpus(type)).toBeUndefined();
  });

  it("known types still resolve, metal sizes as their virtual twin", () => {
    expect(instanceMemoryGiB("t3.large")).toBe(8);
    expect(instanceVcpus("m5.metal")).toBe(instanceVcpus("m5.24xlarge"));
    expect(instanceMemoryGiB("r6id.2xlarge")).toBe(instanceMemoryGiB("r6i.2xlarge"));
  });

  it.each(["constructor.large", "t3.constructor"])("a stack with mysql.instanceType %s plans", async (type) => {
    const raw = validDev();
    (raw.mysql as Record<string, unknown>).instanceType = type;
    const doc = await evaluate(stackOf(raw, "dev"));
    expect(doc.resources.some((r) => r.name === "shard1-node0-configure")).toBe(true);
  });
});
