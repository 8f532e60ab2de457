/**
 * The fence triggers' cost on writes: the seed's players table with the fence triggers (infra/contracts/slotFence.ts
 * fenceTriggersSql, installed by shardSetupSql) against a copy of it without them (CREATE TABLE ... LIKE copies no
 * trigger), on the same server (shard 3, which owns every slot of its fence), from one connection, in interleaved
 * rounds whose order rotates as npm run bench:client's do (clientBenchStats.rotation): single-row INSERTs
 * (autocommit) and batched INSERTs of many rows. Every INSERT adds new players, to both tables alike.
 */
import type { Connection } from "mysql2/promise";
import { rotation } from "../../bench/stats";
import { FENCE_BENCH, MoveBenchFleet } from "./fleet";
import { playerRow } from "./seed";
import { FenceResult, VariantRounds, compareVariants } from "./stats";

const FENCED = "players";
const PLAIN = "players_unfenced";
const COLUMNS = "(player_id, gamedb_slot, name, level, experience, location_data)";

export interface FenceOptions {
  rounds: number;
  single: number;
  batches: number;
  batchRows: number;
}

interface Variant {
  name: string;
  table: string;
  rowsPerStatement: number;
}

export async function measureFenceCost(
  fleet: MoveBenchFleet,
  o: FenceOptions,
  log: (line: string) => void,
): Promise<FenceResult> {
  const conn = await fleet.root(FENCE_BENCH);
  try {
    await conn.query(`CREATE TABLE IF NOT EXISTS ${PLAIN} LIKE ${FENCED}`);
    const [triggers] = (await conn.query("SHOW TRIGGERS WHERE `Table` = ?", [PLAIN])) as unknown as [unknown[]];
    if (triggers.length > 0) throw new Error(`${PLAIN} has triggers; it must be the table without the fence`);
    let nextId = 5_000_000_000n;
    const ids = (n: number) => Array.from({ length: n }, () => nextId++);
    const run = async (conn: Connection, v: Variant, statements: number, into?: VariantRounds) => {
      const started = performance.now();
      for (let i = 0; i < statements; i++) {
        const rows = ids(v.rowsPerStatement).map(playerRow);
        if (v.rowsPerStatement === 1) await conn.query(`INSERT INTO ${v.table} ${COLUMNS} VALUES (?)`, rows);
        else await conn.query(`INSERT INTO ${v.table} ${COLUMNS} VALUES ?`, [rows]);
      }
      const seconds = (performance.now() - started) / 1000;
      into?.rounds.push({ rows: statements * v.rowsPerStatement, seconds });
    };
    const group = (rowsPerStatement: number): [Variant, Variant] => [
      { name: "with triggers", table: FENCED, rowsPerStatement },
      { name: "without", table: PLAIN, rowsPerStatement },
    ];
    const single = group(1);
    const batched = group(o.batchRows);
    const series = new Map<Variant, VariantRounds>([...single, ...batched].map((v) => [v, { rounds: [] }]));
    // Warm-up: connections, statement parsing, the tables' first pages.
    for (const v of [...single, ...batched]) {
      await run(conn, v, Math.ceil((single.includes(v) ? o.single : o.batches) / 5));
    }
    for (let r = 0; r < o.rounds; r++) {
      for (const v of rotation(single, r)) await run(conn, v, o.single, series.get(v));
      for (const v of rotation(batched, r)) await run(conn, v, o.batches, series.get(v));
      if (r % 5 === 4) log(`fence cost: ${r + 1} of ${o.rounds} rounds`);
    }
    return {
      rounds: o.rounds,
      single: compareVariants(1, series.get(single[0])!, series.get(single[1])!),
      batched: compareVariants(o.batchRows, series.get(batched[0])!, series.get(batched[1])!),
    };
  } finally {
    await conn.end();
  }
}
