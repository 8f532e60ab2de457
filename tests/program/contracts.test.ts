/**
 * The documents the program writes for other processes, parsed by their readers with the contracts' schemas
 * (infra/contracts): the gamedb-endpoints ConfigMap (read by the monitoring worker and game servers) and the
 * worker's config file, for both shipped stacks. A writer that drifts from its reader fails here, not in a pod.
 */
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { planOf, resourceOf } from "../helpers/plan";
import {
  ENDPOINT_FILES,
  mysqlTlsSchema,
  parseDocument,
  routersSchema,
  slotMapSchema,
} from "../../infra/contracts/endpoints";
import { WORKER_CONFIG_FILE } from "../../infra/contracts/workerConfig";
import { parseMembers, parseRedis } from "../../scripts/apps/monitor/targets";
import { parseConfig } from "../../scripts/apps/monitor/config";

const CONFIGMAP = "kubernetes:core/v1:ConfigMap";

function dataOf(doc: PlanDocument, name: string): Record<string, string> {
  return (resourceOf(doc, CONFIGMAP, name).inputs as { data: Record<string, string> }).data;
}

describe.each(["dev", "prod"])("the %s stack's documents parse with their readers", (stack) => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await planOf(stack);
  });

  it("gamedb-endpoints: exactly the contract's files, each accepted by its reader", () => {
    const data = dataOf(doc, "gamedb-endpoints");
    expect(Object.keys(data).sort()).toEqual(Object.values(ENDPOINT_FILES).sort());
    const shards = parseMembers(data[ENDPOINT_FILES.members]!);
    const clusters = doc.outputs.clusters as Record<string, { memberAddresses: string[] }>;
    expect(shards.map((s) => s.shard)).toEqual(Object.keys(clusters));
    for (const s of shards)
      expect(s.members.map((m) => `${m.host}:${m.port}`)).toEqual(clusters[s.shard]!.memberAddresses);
    expect(parseRedis(data[ENDPOINT_FILES.redis]!).seeds.length).toBeGreaterThan(0);
    const routers = parseDocument(routersSchema, ENDPOINT_FILES.routers, data[ENDPOINT_FILES.routers]!);
    expect(Object.keys(routers)).toEqual(Object.keys(clusters));
    const slotMap = parseDocument(slotMapSchema, ENDPOINT_FILES.slotMap, data[ENDPOINT_FILES.slotMap]!);
    // Every slot owned exactly once.
    const owned = slotMap.flatMap((r) => Array.from({ length: r.to - r.from + 1 }, (_, i) => r.from + i));
    expect(owned.sort((a, b) => a - b)).toEqual(Array.from({ length: 16384 }, (_, i) => i));
  });

  it("the worker's config: accepted by the worker's own loader", () => {
    const config = parseConfig(dataOf(doc, "gamedb-monitor-config")[WORKER_CONFIG_FILE]!, "config.json");
    expect(config.environment).toBe(stack);
    expect(config.mysql.user).toBe("gamedb_monitor");
  });

  it("a writer that drifts is refused before anything is published, naming the file and field", async () => {
    const { endpointsData } = await import("../../infra/contracts/endpoints");
    const data = dataOf(doc, "gamedb-endpoints");
    const docs = {
      routers: JSON.parse(data[ENDPOINT_FILES.routers]!),
      members: JSON.parse(data[ENDPOINT_FILES.members]!),
      redis: { engine: "kubernetes" as const, seeds: ["redis-0"] },
      slotMap: JSON.parse(data[ENDPOINT_FILES.slotMap]!),
      mysqlTls: JSON.parse(data[ENDPOINT_FILES.mysqlTls]!),
    };
    expect(() => endpointsData(docs)).toThrow("redis.json: seeds.0: must be host:port");
    const redis = JSON.parse(data[ENDPOINT_FILES.redis]!);
    expect(() => endpointsData({ ...docs, redis, mysqlTls: { ca: "not a certificate" } })).toThrow(
      "mysql-tls.json: ca: must be a PEM certificate",
    );
  });

  it("publishes the stack CA's certificate in mysql-tls.json, and the worker checks members with TLS", () => {
    const data = dataOf(doc, "gamedb-endpoints");
    expect(parseDocument(mysqlTlsSchema, ENDPOINT_FILES.mysqlTls, data[ENDPOINT_FILES.mysqlTls]!)).toEqual({
      ca: "-----BEGIN CERTIFICATE-----\nMOCK-CERTIFICATE-OF-gamedb-ca\n-----END CERTIFICATE-----\n",
    });
    const config = parseConfig(dataOf(doc, "gamedb-monitor-config")[WORKER_CONFIG_FILE]!, "config.json");
    expect(config.mysql.tls).toBe(true);
  });
});
