// The client when things go wrong, against MariaDB 10.11 STAND-INS (tests/helpers/shardFleet.ts): a stopped shard
// opens its breaker while the others go on, scatter names it, a probe closes the breaker once it is back; the
// endpoints change under running writes without losing one; a malformed document is refused and the map kept.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EndpointsError, GameDbClient, ScatterError, ShardUnavailableError } from "../../client/src";
import type { ClientEvent } from "../../client/src";
import { DATABASE, ShardFleet, startShardFleet } from "../helpers/shardFleet";

let shards: ShardFleet;

beforeAll(async () => {
  shards = await startShardFleet(3, 1); // shard 4: a spare stand-in with the schema, owning no slots
});
afterAll(async () => {
  await shards?.stop();
});

const save = (c: GameDbClient, id: number) =>
  c.write(id, "INSERT INTO players (player_id, gamedb_slot, name) VALUES (?, ?, 'p')", [id, c.slotOf(id)]);

function idsOn(c: GameDbClient, shard: number, from: number, count: number): number[] {
  const out: number[] = [];
  for (let id = from; out.length < count; id++) if (c.shardOf(id) === shard) out.push(id);
  return out;
}

async function countOn(shard: number, where = "1 = 1"): Promise<number> {
  const conn = await shards.admin(shard);
  const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM players WHERE ${where}`);
  await conn.end();
  return Number((rows as { n: string }[])[0]!.n);
}

describe("a stopped shard", () => {
  it("opens its breaker, fails fast, is named by scatter, and comes back through a probe", async () => {
    const events: ClientEvent[] = [];
    const client = new GameDbClient({
      endpoints: shards.endpointsDir,
      user: "root",
      database: DATABASE,
      breaker: { failureThreshold: 2, probeIntervalMs: 200 },
      onEvent: (e) => events.push(e),
    });
    try {
      const [down1, down2, down3] = idsOn(client, 2, 10_000, 3);
      const up = [...idsOn(client, 1, 10_000, 2), ...idsOn(client, 3, 10_000, 2)];
      await shards.server(2).stop();

      await expect(save(client, down1!)).rejects.toThrow(/shard 2: cannot connect to 127\.0\.0\.1:\d+/);
      await expect(save(client, down2!)).rejects.toBeInstanceOf(ShardUnavailableError);
      expect(events.filter((e) => e.type === "breakerOpen").map((e) => (e as { shard: number }).shard)).toEqual([2]);
      // Open: refused at once, naming the failures and the last error.
      const started = Date.now();
      await expect(save(client, down3!)).rejects.toThrow(/shard 2 is unavailable: 2 consecutive connection failures/);
      expect(Date.now() - started).toBeLessThan(100);
      // The other shards go on.
      for (const id of up) await save(client, id);
      expect((await countOn(1)) + (await countOn(3))).toBeGreaterThanOrEqual(4);

      const status = client.status();
      expect(status.find((s) => s.shard === 2)).toMatchObject({ health: "down", breaker: "open" });
      expect(status.find((s) => s.shard === 2)!.lastError!.message).toMatch(/ECONNREFUSED|connect/);
      expect(status.find((s) => s.shard === 1)).toMatchObject({ health: "up", breaker: "closed" });

      const strict = client.scatter("SELECT COUNT(*) AS n FROM players", [], { limit: 10 });
      await expect(strict).rejects.toBeInstanceOf(ScatterError);
      await expect(strict).rejects.toThrow(/1 of 3 shards failed \(shard 2: shard 2 is unavailable/);
      const partial = await client.scatter("SELECT COUNT(*) AS n FROM players", [], { limit: 10, partial: true });
      expect(partial.failed.map((f) => f.shard)).toEqual([2]);
      expect(partial.rows).toHaveLength(2);

      await shards.server(2).start();
      const deadline = Date.now() + 10_000;
      while (client.status().find((s) => s.shard === 2)!.breaker === "open" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(events.some((e) => e.type === "breakerClosed" && e.shard === 2)).toBe(true);
      await save(client, down3!);
      expect(await countOn(2, `player_id = ${down3}`)).toBe(1);
    } finally {
      await client.close();
    }
  });
});

describe("endpoints that change", () => {
  it("moves a shard's Router under running writes without failing or losing one", async () => {
    const client = new GameDbClient({ endpoints: shards.endpointsDir, user: "root", database: DATABASE });
    try {
      // Shard 3's Router moves to the spare stand-in (its fence rows make it own shard 3's slots, as a replaced
      // Router in front of the same data would).
      const spare = await shards.admin(4);
      await spare.query("UPDATE gamedb_meta.slot_fence SET state = 'owned' WHERE owner_shard = 3");
      await spare.end();
      const acked: number[] = [];
      const failures: Error[] = [];
      let stop = false;
      const writers = Array.from({ length: 4 }, (_, w) =>
        (async () => {
          for (let i = 0; !stop; i++) {
            const id = 100_000 + w * 100_000 + i;
            try {
              await save(client, id);
              acked.push(id);
            } catch (e) {
              failures.push(e as Error);
            }
          }
        })(),
      );
      await new Promise((r) => setTimeout(r, 300));
      const routers = {
        ...shards.doc.routers,
        shard3: { host: "127.0.0.1", ports: { rw: shards.server(4).port, ro: shards.server(4).port } },
      };
      shards.writeEndpoints({ routers: JSON.stringify(routers), slotMap: JSON.stringify(shards.doc.slotMap) });
      // The file event is enough; no reload() call. Wait until new writes for shard 3 reach the spare.
      const deadline = Date.now() + 5000;
      while ((await countOn(4)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 200));
      stop = true;
      await Promise.all(writers);

      expect(failures).toEqual([]);
      const onShard3 = acked.filter((id) => client.shardOf(id) === 3);
      const before = await countOn(3, "player_id >= 100000");
      const after = await countOn(4, "player_id >= 100000");
      expect(before).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(0);
      expect(before + after).toBe(onShard3.length); // every acknowledged write is on one of the two, none lost
      expect(client.status().find((s) => s.shard === 3)!.ports.rw).toBe(shards.server(4).port);
    } finally {
      await client.close();
      shards.writeEndpoints({
        routers: JSON.stringify(shards.doc.routers),
        slotMap: JSON.stringify(shards.doc.slotMap),
      });
    }
  });

  it("refuses a malformed document, naming the file and field, and keeps the last good map", async () => {
    const events: ClientEvent[] = [];
    const client = new GameDbClient({
      endpoints: shards.endpointsDir,
      user: "root",
      database: DATABASE,
      onEvent: (e) => events.push(e),
    });
    try {
      const id = idsOn(client, 1, 900_000_000, 1)[0]!;
      const bad = { ...shards.doc.routers, shard1: { host: "127.0.0.1", ports: { rw: 70000, ro: 3306 } } };
      shards.writeEndpoints({ routers: JSON.stringify(bad), slotMap: JSON.stringify(shards.doc.slotMap) });
      expect(client.reload()).toBe(false);
      expect(client.endpointsError).toBeInstanceOf(EndpointsError);
      expect(client.endpointsError!.message).toMatch(
        /routers\.json: shard1\.ports\.rw: must be a port from 1 to 65535/,
      );
      expect(events.some((e) => e.type === "reloadFailed")).toBe(true);
      await save(client, id); // the old map still routes
      expect(await countOn(1, `player_id = ${id}`)).toBe(1);

      shards.writeEndpoints({ routers: "{not json", slotMap: JSON.stringify(shards.doc.slotMap) });
      expect(client.reload()).toBe(false);
      expect(client.endpointsError!.message).toMatch(/routers\.json: not JSON/);

      const gap = shards.doc.slotMap.slice(1);
      shards.writeEndpoints({ routers: JSON.stringify(shards.doc.routers), slotMap: JSON.stringify(gap) });
      expect(client.reload()).toBe(false);
      expect(client.endpointsError!.message).toMatch(/slotMap: slots 0-5461 are owned by no shard/);

      shards.writeEndpoints({
        routers: JSON.stringify(shards.doc.routers),
        slotMap: JSON.stringify(shards.doc.slotMap),
      });
      expect(client.reload()).toBe(true);
      expect(client.endpointsError).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it("refuses to start on a missing or malformed endpoints path", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-bad-endpoints-"));
    try {
      expect(() => new GameDbClient({ endpoints: path.join(dir, "nope"), user: "root", database: DATABASE })).toThrow(
        /endpoints: cannot read .*nope/,
      );
      fs.writeFileSync(path.join(dir, "endpoints.json"), JSON.stringify({ routers: {}, slotMap: "0-16383" }));
      expect(
        () => new GameDbClient({ endpoints: path.join(dir, "endpoints.json"), user: "root", database: DATABASE }),
      ).toThrow(/endpoints\.json: slotMap: /);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
