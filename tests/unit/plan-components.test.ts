/** The components' slices of the plan (infra/plan/components.ts): what is derived is decided there, once. */
import { planPlatform } from "../../infra/plan/plan";
import { validDev, validProd } from "../helpers/configs";
import { topologyOf } from "../helpers/validation";

describe("the plan carries what the components take", () => {
  it("the router image defaults to Oracle's of the server version; router.image wins", () => {
    const dev = planPlatform(topologyOf(validDev(), "dev"));
    expect(dev.router.image).toBe(`container-registry.oracle.com/mysql/community-router:${dev.mysql.version}`);
    const raw = validDev();
    raw.router = { ...(raw.router as object), image: "registry.example.com/router:8.4.3" };
    expect(planPlatform(topologyOf(raw, "dev")).router.image).toBe("registry.example.com/router:8.4.3");
  });

  it("Redis: the engine's own settings and the shape", () => {
    const prod = planPlatform(topologyOf(validProd(), "prod"));
    expect(prod.redis).toMatchObject({ engine: "kubernetes", shape: { masters: 3, replicasPerMaster: 1 } });
    expect(prod.redis.engine === "kubernetes" && prod.redis.controllerImage).toMatch(/gamedb-redis-controller/);
  });

  it("monitoring: the worker's concurrency is sized to the fleet; TLS to Redis only on ElastiCache", () => {
    const prod = planPlatform(topologyOf(validProd(), "prod"));
    expect(prod.monitoring.worker.concurrency).toBe(64);
    expect(prod.monitoring.worker.redisTls).toBe(false);
  });

  it("backup: lifecycle rules decided in the plan; verification covers the active shards only", () => {
    const raw = validProd();
    raw.backup = { ...(raw.backup as object), restoreVerification: { enabled: true, image: "r/v:1" } };
    const plan = planPlatform(topologyOf(raw, "prod"));
    expect(plan.backup.lifecycleRules.map((r) => r.id)).toContain("full-dumps");
    const active = plan.shards.filter((s) => s.state === "active").map((s) => s.id);
    expect(plan.backup.verification?.shardIds).toEqual(active);
    expect(plan.backup.verification?.image).toBe("r/v:1");
  });
});
