/**
 * A writer load for slot-move tests whose every write is RELATIVE, so a write the mover loses or applies twice, or
 * a stale copy chunk written over a newer change, shows in the final rows (an absolute-value load repairs such a
 * row with its next write). Each writer owns a disjoint set of players and keeps an exact model of their rows:
 * `level = level + 1` and `qty = qty + 1` increments, key-changing updates of inventory rows (item_id + 1000, the
 * slot stays: it derives from player_id), and deletes followed by re-inserts of players and inventory rows. Every
 * acknowledged statement is applied to the model; a failed or unexpected one (affected rows) is recorded and stops
 * its writer, since the row's state is then unknown. Rows as seeded by moveChecks.ts seedPlayers.
 */
import type * as mysql from "mysql2/promise";
import { keySlot } from "../../infra/contracts/slots";

export interface PlayerModel {
  name: string;
  level: number;
}

export interface IncrementModel {
  /** Per written player id (as text): its row now. */
  players: Map<string, PlayerModel>;
  /** Per written player id: item_id -> qty of its inventory rows now. */
  inventory: Map<string, Map<number, number>>;
  /** Acknowledged `level + 1` per written player id. */
  levelIncrements: Map<string, number>;
  /** Inventory keys ("player:item") a key-changing update took away; none may exist anywhere. */
  rekeyedAway: Set<string>;
  /** Acknowledged statements, by kind. */
  counts: Record<Op, number>;
  /** Operations that went to a player in the copy's focus. */
  focused: number;
  errors: string[];
}

type Op = "level" | "qty" | "rekey" | "reinsertItem" | "reinsertPlayer";
/** Mostly increments. */
const OPS: Op[] = ["level", "qty", "level", "rekey", "level", "qty", "reinsertItem", "level", "qty", "reinsertPlayer"];

/** The seeded state of a player and its inventory (seedPlayers: level 1, items 1 and 2 with qty 3 and 6). */
export function seededModel(id: bigint): { player: PlayerModel; items: Map<number, number> } {
  return {
    player: { name: `seed-${id}`, level: 1 },
    items: new Map([
      [1, 3],
      [2, 6],
    ]),
  };
}

export interface IncrementLoad {
  /** Acknowledged statements so far. */
  acked(): number;
  stop(): Promise<IncrementModel>;
}

/** Where the copy is: the table being copied and the slots of its next chunks. */
export interface CopyFocus {
  table: "players" | "inventory";
  from: number;
  to: number;
}

const TABLE_OPS: Record<CopyFocus["table"], Op[]> = {
  players: ["level", "level", "level", "reinsertPlayer"],
  inventory: ["qty", "rekey", "qty", "reinsertItem"],
};

export function startIncrementLoad(options: {
  /** Every player the load may write (writer w owns the ids equal to w modulo `writers`). */
  ids: bigint[];
  /** Players written round-robin, many times each. */
  hot: bigint[];
  writers: number;
  connect: () => Promise<mysql.Connection>;
  /** Pause of each writer after each statement, so the stream keeps up (an unpaced load outruns it). */
  pauseMs: number;
  /**
   * Every other write goes to a player of the writer's own in these slots (the chunks the copy reads next), so
   * writes land inside the chunks' watermark windows; without, they rarely do (a window is a few ms of 10 rows).
   */
  focus?: () => CopyFocus | undefined;
}): IncrementLoad {
  let running = true;
  let acked = 0;
  const model: IncrementModel = {
    players: new Map(),
    inventory: new Map(),
    levelIncrements: new Map(),
    rekeyedAway: new Set(),
    counts: { level: 0, qty: 0, rekey: 0, reinsertItem: 0, reinsertPlayer: 0 },
    focused: 0,
    errors: [],
  };
  for (const id of options.ids) {
    const seeded = seededModel(id);
    model.players.set(String(id), seeded.player);
    model.inventory.set(String(id), seeded.items);
    model.levelIncrements.set(String(id), 0);
  }

  const writer = async (w: number) => {
    const conn = await options.connect();
    const mine = options.ids.filter((id) => Number(id % BigInt(options.writers)) === w);
    /** One statement that must change exactly `rows` rows; acknowledged when it returns. */
    const exec = async (sql: string, params: unknown[], rows: number) => {
      const [res] = await conn.query<mysql.ResultSetHeader>(sql, params);
      if (res.affectedRows !== rows) throw new Error(`${sql} changed ${res.affectedRows} rows, not ${rows}`);
      acked++;
    };
    try {
      const hot = new Set(options.hot.map(String));
      const spread = mine.filter((id) => hot.has(String(id)));
      if (spread.length === 0)
        throw new Error(`writer ${w} owns none of the hot players (ids equal to ${w} modulo ${options.writers})`);
      const slots = new Map(mine.map((id) => [id, keySlot(id)]));
      for (let n = 0, h = 0; running; n++) {
        const f = n % 2 === 0 ? options.focus?.() : undefined;
        const near = f ? mine.filter((id) => slots.get(id)! >= f.from && slots.get(id)! <= f.to) : [];
        let id: bigint;
        let op: Op;
        if (f && near.length > 0) {
          const k = n >> 1;
          id = near[k % near.length]!;
          op = TABLE_OPS[f.table][((k % near.length) + Math.floor(k / near.length)) % TABLE_OPS[f.table].length]!;
          model.focused++;
        } else {
          id = spread[h % spread.length]!;
          // Round r gives the i-th player OPS[i + r]: every player meets every kind.
          op = OPS[((h % spread.length) + Math.floor(h / spread.length)) % OPS.length]!;
          h++;
        }
        const items = model.inventory.get(String(id))!;
        const item = [...items.keys()].sort((a, b) => a - b)[n % items.size]!;
        try {
          await apply(op, id, item, n);
        } catch (e) {
          model.errors.push(`writer ${w}, player ${id}, ${op} of item ${item}: ${(e as Error).message}`);
          return;
        }
        model.counts[op]++;
        await new Promise((r) => setTimeout(r, options.pauseMs));
      }
    } finally {
      await conn.end();
    }

    async function apply(op: Op, id: bigint, item: number, n: number) {
      const key = String(id);
      const player = model.players.get(key)!;
      const items = model.inventory.get(key)!;
      switch (op) {
        case "level":
          await exec("UPDATE players SET level = level + 1 WHERE player_id = ?", [id], 1);
          player.level++;
          model.levelIncrements.set(key, model.levelIncrements.get(key)! + 1);
          return;
        case "qty":
          await exec("UPDATE inventory SET qty = qty + 1 WHERE player_id = ? AND item_id = ?", [id, item], 1);
          items.set(item, items.get(item)! + 1);
          return;
        case "rekey":
          await exec(
            "UPDATE inventory SET item_id = item_id + 1000 WHERE player_id = ? AND item_id = ?",
            [id, item],
            1,
          );
          items.set(item + 1000, items.get(item)!);
          items.delete(item);
          model.rekeyedAway.add(`${id}:${item}`);
          return;
        case "reinsertItem":
          await exec("DELETE FROM inventory WHERE player_id = ? AND item_id = ?", [id, item], 1);
          items.delete(item);
          await exec(
            "INSERT INTO inventory (player_id, item_id, gamedb_slot, qty, price, tag, attrs) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [id, item, keySlot(id), 100, `${n % 1000}.0001`, Buffer.from([n % 256, 1]), `{"re":${n}}`],
            1,
          );
          items.set(item, 100);
          return;
        case "reinsertPlayer": {
          await exec("DELETE FROM players WHERE player_id = ?", [id], 1);
          model.players.delete(key);
          // The same level back: the player's level stays seed + acknowledged increments.
          const again = { name: `re-${id}-${n}`, level: player.level };
          await exec(
            "INSERT INTO players (player_id, gamedb_slot, name, level) VALUES (?, ?, ?, ?)",
            [id, keySlot(id), again.name, again.level],
            1,
          );
          model.players.set(key, again);
          return;
        }
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.writers }, (_, w) => writer(w)));
  return {
    acked: () => acked,
    async stop() {
      running = false;
      await done;
      return model;
    },
  };
}
