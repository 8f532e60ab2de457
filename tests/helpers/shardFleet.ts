/**
 * Shards for the client's integration tests: private MariaDB 10.11 servers (STAND-INS for each shard's MySQL Router
 * Service; scripts/lib/standins/mariadb.ts), each with the `players` table, the slot fence and its triggers, and an
 * endpoints directory laid out as the kubelet mounts a ConfigMap, so the client reads and reloads it as in a pod.
 * A stand-in has one server per shard: the Router's rw and ro ports both lead to it unless a test says otherwise.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as mysql from "mysql2/promise";
import { ClientEndpoints } from "../../infra/contracts/endpoints";
import { evenSlotRanges, formatRange } from "../../infra/plan/slots";
import { shardSetupSql } from "../../client/examples/players/schema";
import { FleetOptions, MariaDbFleet, MariaDbServer, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";

export const DATABASE = "game";

export interface ShardFleet {
  readonly fleet: MariaDbFleet;
  /** Shard ids (1-based, so an id is never mistaken for a list index). */
  readonly shards: number[];
  /** The first document: shards own even slot ranges, each Router is its stand-in. */
  readonly doc: ClientEndpoints;
  /** The mounted-ConfigMap directory. */
  readonly endpointsDir: string;
  server(shard: number): MariaDbServer;
  /** A root connection to the shard's stand-in, in the game database. */
  admin(shard: number): Promise<mysql.Connection>;
  /** Replaces the mounted files the way the kubelet does: a new timestamped dir, then one rename of `..data`. */
  writeEndpoints(files: { routers: string; slotMap: string }): void;
  stop(): Promise<void>;
}

export function endpointsDoc(ports: Map<number, number>, owners: number[]): ClientEndpoints {
  const routers = Object.fromEntries(
    [...ports].map(([shard, port]) => [`shard${shard}`, { host: "127.0.0.1", ports: { rw: port, ro: port } }]),
  );
  const slotMap = evenSlotRanges(owners.length).map((r, i) => ({
    slots: formatRange(r),
    from: r.from,
    to: r.to,
    shard: owners[i]!,
  }));
  return { routers, slotMap };
}

/** `count` stand-ins (plus `spares` with the schema but owning no slots, for tests that re-point a Router). */
export async function startShardFleet(count: number, spares = 0, options: FleetOptions = {}): Promise<ShardFleet> {
  const fleet = await startMariaDbFleet(count + spares, options);
  const shards = Array.from({ length: count + spares }, (_, i) => i + 1);
  const ports = new Map(shards.map((s, i) => [s, fleet.servers[i]!.port]));
  const doc = endpointsDoc(new Map([...ports].slice(0, count)), shards.slice(0, count));
  await Promise.all(
    shards.map(async (shard, i) => {
      const conn = await fleet.servers[i]!.connect();
      for (const sql of shardSetupSql(DATABASE, shard, doc.slotMap)) await conn.query(sql);
      await conn.end();
    }),
  );
  const endpointsDir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-endpoints-"));
  let generation = 0;
  const writeEndpoints = (files: { routers: string; slotMap: string }) => {
    const data = `..${Date.now()}_${++generation}`;
    fs.mkdirSync(path.join(endpointsDir, data));
    fs.writeFileSync(path.join(endpointsDir, data, "routers.json"), files.routers);
    fs.writeFileSync(path.join(endpointsDir, data, "slot-map.json"), files.slotMap);
    const previous = fs.existsSync(path.join(endpointsDir, "..data"))
      ? fs.readlinkSync(path.join(endpointsDir, "..data"))
      : undefined;
    fs.symlinkSync(data, path.join(endpointsDir, "..data_tmp"));
    fs.renameSync(path.join(endpointsDir, "..data_tmp"), path.join(endpointsDir, "..data"));
    for (const file of ["routers.json", "slot-map.json"]) {
      if (!fs.existsSync(path.join(endpointsDir, file))) {
        fs.symlinkSync(path.join("..data", file), path.join(endpointsDir, file));
      }
    }
    if (previous) fs.rmSync(path.join(endpointsDir, previous), { recursive: true });
  };
  writeEndpoints({ routers: JSON.stringify(doc.routers), slotMap: JSON.stringify(doc.slotMap) });
  const server = (shard: number) => {
    const s = fleet.servers[shard - 1];
    if (!s) throw new Error(`no stand-in for shard ${shard}`);
    return s;
  };
  return {
    fleet,
    shards,
    doc,
    endpointsDir,
    server,
    admin: (shard) => server(shard).connect({ database: DATABASE, supportBigNumbers: true, bigNumberStrings: true }),
    writeEndpoints,
    async stop() {
      await fleet.stopAll();
      fs.rmSync(endpointsDir, { recursive: true, force: true });
    },
  };
}
