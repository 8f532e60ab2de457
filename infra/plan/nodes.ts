/**
 * Expansion of shard config into nodes with stable identities. Every name and id derives from the shard's
 * permanent id and the node's permanent index, so adding or removing shards and nodes never renames another.
 */
import type { NodeSpec, ShardConfig } from "../config/schema";
import { placeNode } from "./placement";

export interface NodePlan {
  shardId: number;
  index: number;
  /** Resource-name stem, e.g. `shard7-node2`. */
  name: string;
  /** MySQL server_id: unique across the environment and fixed for the node's life. */
  serverId: number;
  az: string;
  instanceType: string;
  /** An existing host's address (hosts.provider static only). */
  address?: string;
  /** SSH login on that existing host, when it differs from ssh.user. */
  sshUser?: string;
}

/** server_id = shard id * 1000 + node index + 1: never 0, unique, below 2^32 for every allowed id and index. */
export function serverId(shardId: number, index: number): number {
  return shardId * 1000 + index + 1;
}

export function shardKey(shardId: number): string {
  return `shard${shardId}`;
}

export function nodeName(shardId: number, index: number): string {
  return `${shardKey(shardId)}-node${index}`;
}

/** The node entries of a shard: a count N means indexes 0..N-1. */
export function nodeSpecs(nodes: ShardConfig["nodes"]): NodeSpec[] {
  if (typeof nodes === "number") return Array.from({ length: nodes }, (_, index) => ({ index }));
  return [...nodes].sort((a, b) => a.index - b.index);
}

export function planNodes(shard: ShardConfig, zones: readonly string[], defaultInstanceType: string): NodePlan[] {
  return nodeSpecs(shard.nodes).map((spec) => ({
    shardId: shard.id,
    index: spec.index,
    name: nodeName(shard.id, spec.index),
    serverId: serverId(shard.id, spec.index),
    az: placeNode(shard.id, spec.index, zones, spec.az),
    instanceType: spec.instanceType ?? defaultInstanceType,
    ...(spec.address !== undefined ? { address: spec.address } : {}),
    ...(spec.sshUser !== undefined ? { sshUser: spec.sshUser } : {}),
  }));
}
