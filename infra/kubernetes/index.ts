// The Kubernetes helpers' public surface: the gamedb-endpoints ConfigMap and its members entries. The labels and
// pod helpers are shared by the components through ./labels directly.
export { endpointsConfigMap, shardMembers } from "./endpoints";
