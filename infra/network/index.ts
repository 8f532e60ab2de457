// The network's public surface: the component and the Kubernetes nodes' access to the shard hosts. The VPC and
// security-group builders are the component's own.
export { Network, type NetworkArgs } from "./network";
export { allowKubernetesNodes, type KubernetesNodes } from "./kubernetesAccess";
