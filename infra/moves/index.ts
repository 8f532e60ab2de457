// Slot moves on Kubernetes: one mover Deployment per move, and the gate Job before a slot map is published.
export { SlotMover, MOVER_COMPONENT } from "./moverDeployment";
export type { SlotMoverArgs } from "./moverDeployment";
export { SlotMapGate, GATE_NAME } from "./gateJob";
export type { SlotMapGateArgs } from "./gateJob";
export { MOVER_UID, gatePodSpec, moverPodSpec } from "./pods";
export {
  GATED_PHASES,
  GATE_SPEC_PATH,
  MOVE_SPEC_PATH,
  MOVER_STATUS_PORT,
  SECRETS_PATH,
  documentText,
  gateDigest,
  gatePlan,
  gateSpec,
  gateWaitSeconds,
  moveSpec,
  moverSecretsText,
  routerEndpoint,
} from "./specs";
export type { GateInputs } from "./specs";
