/** @gamedb/client: the shard-aware MySQL client for game servers (README: "The game server's client"). */
export { GameDbClient } from "./client";
export type { Params, ReadOptions, ShardStatus, Transaction } from "./client";
export type { ClientEvent, ClientOptionsInput as ClientOptions } from "./options";
export type { ScatterOptions, ScatterResult } from "./scatter";
export type { OrderBy } from "./merge";
export * from "./errors";
export { keySlot, SLOT_COUNT } from "../../infra/contracts/slots";
export type { ShardKey } from "../../infra/contracts/slots";
export type { ClientEndpoints } from "../../infra/contracts/endpoints";
export { readRedisEndpoints, redisClusterConnection } from "./redis";
export type { RedisClusterConnection } from "./redis";
export { readRouterTls } from "./routerTls";
export type { RouterTls } from "./routerTls";
