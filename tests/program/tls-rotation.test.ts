/**
 * tls.caRotation under Pulumi's mocks: raising it gives the CA and every server (members, Routers, Redis) a new key,
 * not only a new signature (the rotation is for a leaked key), and nothing else of the stack by name.
 */
import { evaluate } from "../../scripts/lib/evaluate";
import { stackOf } from "../helpers/stack";
import { validProd } from "../helpers/configs";

async function keysOf(caRotation: number): Promise<string[]> {
  const raw = validProd();
  raw.tls = { caRotation };
  const doc = await evaluate(stackOf(raw, "prod"));
  return (
    doc.resources
      // The generated SSH key (gamedb-hosts-ssh) is not the CA's.
      .filter((r) => r.type === "tls:index/privateKey:PrivateKey" && r.name !== "gamedb-hosts-ssh")
      .map((r) => r.name)
      .sort()
  );
}

describe("tls.caRotation", () => {
  it("names every TLS key by the rotation, so raising it replaces them all", async () => {
    const before = await keysOf(0);
    const after = await keysOf(1);
    expect(before.length).toBeGreaterThan(4 * 3 + 4 + 1);
    expect(before.every((n) => n.endsWith("-key-0"))).toBe(true);
    expect(after).toEqual(before.map((n) => n.replace(/-key-0$/, "-key-1")));
    expect(before).toContain("gamedb-ca-key-0");
    expect(before).toContain("gamedb-redis-tls-key-0");
    expect(before).toContain("shard1-router-tls-key-0");
    expect(before).toContain("shard4-node2-mysql-key-0");
  });
});
