/**
 * The connections a move step holds on its two shards: one for control (fence and control rows, the switch), one for
 * data (the applier's writes or the copy's reads), one for verification (long checksum reads) and one for status.
 */
import type { Connection } from "mysql2/promise";
import type { MoveSpec, MoverSecrets } from "../../../infra/contracts/slotMoves";
import { Flavour, ShardLogin, connect, moverLogin, serverFlavour } from "./connect";

export interface Side {
  shard: number;
  login: ShardLogin;
  ctrl: Connection;
  data: Connection;
  verify: Connection;
}

export interface Sides {
  source: Side;
  target: Side;
  status: Connection;
  flavour: Flavour;
  /** Throws unless the move's lock is still this process's (its connection may have dropped and another taken it). */
  assertLock(): Promise<void>;
  close(): Promise<void>;
}

async function openSide(login: ShardLogin, opened: Connection[]): Promise<Side> {
  const one = async () => {
    const c = await connect(login);
    opened.push(c);
    return c;
  };
  return { shard: login.shard, login, ctrl: await one(), data: await one(), verify: await one() };
}

export async function openSides(spec: MoveSpec, secrets: MoverSecrets): Promise<Sides> {
  const opened: Connection[] = [];
  const close = async () => {
    await Promise.all(opened.map((c) => c.end().catch(() => c.destroy())));
  };
  try {
    const source = await openSide(moverLogin(spec.source, secrets, spec.tls?.ca), opened);
    const target = await openSide(moverLogin(spec.target, secrets, spec.tls?.ca), opened);
    const status = await connect(target.login);
    opened.push(status);
    // One mover per move: a second one (a pod of an old ReplicaSet on a partitioned node, an operator's test run)
    // would follow the same binlog and write the same rows. The lock lives as long as this connection; on Group
    // Replication it is the primary's, which every mover of the move reaches through the Router.
    const [[lock]] = (await status.query("SELECT GET_LOCK(?, 0) AS held", [`gamedb_move_${spec.id}`])) as unknown as [
      [{ held: number | null }],
    ];
    if (Number(lock?.held) !== 1) {
      throw new Error(`another mover holds move ${spec.id} on shard ${spec.target.shard}; this one waits`);
    }
    const [a, b] = [await serverFlavour(source.ctrl), await serverFlavour(target.ctrl)];
    if (a !== b) throw new Error(`the source runs ${a} and the target ${b}: a move needs the same server on both`);
    const assertLock = async () => {
      const [[held]] = (await status.query("SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS mine", [
        `gamedb_move_${spec.id}`,
      ])) as unknown as [[{ mine: number | null }]];
      if (Number(held?.mine) !== 1) throw new Error(`move ${spec.id}: this mover no longer holds its lock; stopping`);
    };
    return { source, target, status, flavour: a, assertLock, close };
  } catch (e) {
    await close();
    throw e;
  }
}
