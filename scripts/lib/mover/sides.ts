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
    const source = await openSide(moverLogin(spec.source, secrets), opened);
    const target = await openSide(moverLogin(spec.target, secrets), opened);
    const status = await connect(target.login);
    opened.push(status);
    const [a, b] = [await serverFlavour(source.ctrl), await serverFlavour(target.ctrl)];
    if (a !== b) throw new Error(`the source runs ${a} and the target ${b}: a move needs the same server on both`);
    return { source, target, status, flavour: a, close };
  } catch (e) {
    await close();
    throw e;
  }
}
