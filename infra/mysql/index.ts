// The MySQL layer's public surface: the components a platform composes, their inputs, and the lookups it feeds
// them with. my.cnf, the bootstrap step, the AdminAPI params and remote command texts are the components' own (tests
// import those files directly).
export { HostAccess, type HostAccessArgs } from "./hostAccess";
export {
  ShardHosts,
  type AwsHostSettings,
  type ShardHost,
  type ShardHostsArgs,
  type StaticHostSettings,
} from "./shardHosts";
export type { Bastion } from "./connection";
export { InnoDbCluster, type ClusterPasswords, type InnoDbClusterArgs } from "./innodbCluster";
export { MySqlRouter, routerBootstrapConfigMap, type MySqlRouterArgs } from "./router";
export { ubuntuAmi } from "./ami";
export { instanceArch } from "../catalog/instanceTypes";
