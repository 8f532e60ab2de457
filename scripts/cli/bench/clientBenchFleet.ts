/**
 * The shards of the client benchmark: private MariaDB 10.11 STAND-INS (scripts/lib/standins/mariadb.ts), one per
 * shard and standing in for its Router (rw and ro ports both lead to it), each with the seed's `players` table, the
 * slot fence and its triggers (client/examples/players/schema.ts), seeded with players whose slots it owns.
 * Also the bare mysql2 pools the client is compared with, built with the options the client's pools use.
 */
import * as mysql from "mysql2/promise";
import { shardSetupSql } from "../../../client/examples/players/schema";
import type { ClientEndpoints } from "../../../infra/contracts/endpoints";
import { keySlot } from "../../../infra/contracts/slots";
import { evenSlotRanges, formatRange, shardForKey } from "../../../infra/plan/slots";
import { MariaDbFleet, startMariaDbFleet } from "../../lib/standins/mariadb";

export const DATABASE = "game";
export const USER = "root";

/** Two-letter name starts: a prefix search matches about 1/20 of a shard's players. */
export const SYLLABLES = ["ka", "ri", "zo", "me", "tu", "la", "no", "vi", "se", "go"].flatMap((a) =>
  ["n", "x"].map((b) => `${a}${b}`),
);
/** Player ids start here (an online game's ids are large; still below 2^53). */
const FIRST_ID = 1_000_000_000n;
const ROWS_PER_INSERT = 500;
export const LOCATION = JSON.stringify({ zone: "z1", x: 1.5, y: -2 });

export interface BenchFleet {
  fleet: MariaDbFleet;
  shards: number[];
  doc: ClientEndpoints;
  /** Seeded player ids per shard, in id order. */
  keys: Map<number, bigint[]>;
  port(shard: number): number;
  mariadbVersion: string;
}

export const nameOf = (id: bigint): string =>
  `${SYLLABLES[Number((id * 7919n) % 20n)]!}${SYLLABLES[Number((id * 104729n) % 17n)]!}-${id}`;

/** The client's pool settings (client/src/shardConnections.ts pool()) on a bare mysql2 pool. */
export function barePool(port: number, connectionLimit: number): mysql.Pool {
  const pool = mysql.createPool({
    supportBigNumbers: true,
    bigNumberStrings: true,
    host: "127.0.0.1",
    port,
    user: USER,
    database: DATABASE,
    waitForConnections: true,
    connectionLimit,
    maxIdle: connectionLimit,
    queueLimit: 200,
    connectTimeout: 5000,
    idleTimeout: 60_000,
    enableKeepAlive: true,
  });
  pool.on("connection", (c) => c.on("error", () => undefined));
  return pool;
}

/**
 * `count` stand-ins owning even slot ranges (shard ids 1..count), each seeded with `perShard` players. `onFleet`
 * receives the fleet as soon as it runs, so a failure during setup still stops it.
 */
export async function startBenchFleet(
  count: number,
  perShard: number,
  onFleet: (fleet: MariaDbFleet) => void,
): Promise<BenchFleet> {
  const fleet = await startMariaDbFleet(count);
  onFleet(fleet);
  const shards = Array.from({ length: count }, (_, i) => i + 1);
  const port = (shard: number) => fleet.servers[shard - 1]!.port;
  const doc: ClientEndpoints = {
    routers: Object.fromEntries(
      shards.map((s) => [`shard${s}`, { host: "127.0.0.1", ports: { rw: port(s), ro: port(s) } }]),
    ),
    slotMap: evenSlotRanges(count).map((r, i) => ({ slots: formatRange(r), from: r.from, to: r.to, shard: i + 1 })),
  };
  const keys = new Map<number, bigint[]>(shards.map((s) => [s, []]));
  for (let id = FIRST_ID, full = 0; full < count; id++) {
    const list = keys.get(shardForKey(doc.slotMap, id)!)!;
    if (list.length < perShard && list.push(id) === perShard) full++;
  }
  let mariadbVersion = "";
  await Promise.all(
    shards.map(async (shard) => {
      const conn = await fleet.servers[shard - 1]!.connect();
      try {
        for (const sql of shardSetupSql(DATABASE, shard, doc.slotMap)) await conn.query(sql);
        const ids = keys.get(shard)!;
        for (let i = 0; i < ids.length; i += ROWS_PER_INSERT) {
          const rows = ids
            .slice(i, i + ROWS_PER_INSERT)
            .map((id) => [id, keySlot(id), nameOf(id), Number(id % 60n) + 1, id % 100_000n, LOCATION]);
          await conn.query(
            `INSERT INTO ${DATABASE}.players (player_id, gamedb_slot, name, level, experience, location_data) VALUES ?`,
            [rows],
          );
        }
        await conn.query(`ANALYZE TABLE ${DATABASE}.players`);
        const [[row]] = (await conn.query("SELECT VERSION() AS v")) as unknown as [[{ v: string }]];
        mariadbVersion = row.v;
      } finally {
        await conn.end();
      }
    }),
  );
  return { fleet, shards, doc, keys, port, mariadbVersion };
}
