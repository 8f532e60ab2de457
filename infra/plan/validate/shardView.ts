/**
 * A shard as the cross-key rules read it: its nodes normalised to one list, whichever form the config used (a count,
 * or nodes listed with their settings), each node with the position the config listed it at, so a problem still
 * names the config path the operator wrote. The one place that tells the two forms apart. Pure.
 */
import type { NodeSpec, ShardConfig } from "../../config/schema";
import { nodeSpecs } from "../nodes";

export interface NodeView extends NodeSpec {
  /** Its position in the config's `nodes` list; undefined when the shard gives a count. */
  readonly at?: number;
}

export interface ShardView {
  /** The config lists the nodes (rather than giving a count). */
  readonly listed: boolean;
  readonly count: number;
  readonly nodes: readonly NodeView[];
}

export function shardView(s: ShardConfig): ShardView {
  if (typeof s.nodes === "number") return { listed: false, count: s.nodes, nodes: nodeSpecs(s.nodes) };
  return { listed: true, count: s.nodes.length, nodes: s.nodes.map((n, at) => ({ ...n, at })) };
}

/** The config path of a listed node, or of the shard's `nodes` when it gives a count. */
export function nodePath(i: number, n: NodeView, ...rest: string[]): (string | number)[] {
  return n.at === undefined ? ["shards", i, "nodes"] : ["shards", i, "nodes", n.at, ...rest];
}
