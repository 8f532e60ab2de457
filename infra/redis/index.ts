// The Redis layer's public surface: the two engines' components and their inputs. The pod spec, redis.conf and
// the Jobs are the components' own (tests import cluster.ts directly).
export { RedisCluster, type RedisClusterArgs, type RedisShape } from "./cluster";
export { ElastiCacheRedis, type ElastiCacheRedisArgs } from "./elasticache";
