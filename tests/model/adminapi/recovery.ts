/**
 * How the MODEL's addInstance and rejoinInstance pick the recovery method. Upstream (mysql-shell 8.4.3 = 8.4.8):
 * modules/adminapi/cluster/add_instance.cc Add_instance::prepare calls cluster/cluster_impl.cc
 * Cluster_impl::check_recovery_method, which runs common/gtid_validations.cc validate_instance_recovery
 * (check_gtid_consistency_and_recoverability, validate_auto_recovery, validate_incremental_recovery). mysqlsh runs
 * with --no-wizard, so where Shell would ask it throws instead. Not MySQL Shell.
 */
import { SHERR, shellError } from "./errors";
import type { ClusterMetadata, InstanceState } from "./fleet";
import { recoverability } from "./gtids";

const INCREMENTAL_NOT_POSSIBLE =
  "Cannot use recoveryMethod=incremental option because the GTID state is not compatible or cannot be recovered.";
const EXPLICIT_METHOD_REQUIRED = "'recoveryMethod' option must be set to 'clone' or 'incremental'";

/**
 * addInstance: "auto" is incremental when it is safe (gtidSetIsComplete and nothing the cluster lacks), else the
 * explicit-method error (51167); incremental that cannot work is 51166. Model assumption: the GTID state is a counter
 * (./gtids.ts), not sets.
 */
export function addMethod(
  rm: "auto" | "clone" | "incremental",
  md: ClusterMetadata,
  target: InstanceState,
  primary: InstanceState,
  print: (line: string) => void,
): "clone" | "incremental" {
  let method = rm;
  if (rm === "auto") {
    if (!md.gtidSetIsComplete || target.gtidExecuted > primary.gtidExecuted)
      throw shellError(EXPLICIT_METHOD_REQUIRED, SHERR.PROVISIONING_EXPLICIT_METHOD_REQUIRED);
    print("Incremental state recovery was selected because it seems to be safely usable.");
    method = "incremental";
  }
  if (method === "incremental" && target.gtidExecuted > primary.gtidExecuted)
    throw shellError(INCREMENTAL_NOT_POSSIBLE, SHERR.PROVISIONING_INCREMENTAL_NOT_POSSIBLE);
  return method as "clone" | "incremental";
}

/**
 * rejoinInstance (REJOIN_INSTANCE): incremental needs the GTID state recoverable and safe, else 51166; without an
 * explicit method, a non-interactive Shell throws 51167 where it would ask, and refuses a diverged member (51153)
 * where even clone is not offered.
 */
export function checkRejoinMethod(
  rm: "auto" | "clone" | "incremental",
  target: InstanceState,
  primary: InstanceState,
): void {
  const { diverged, possible } = recoverability(target, primary);
  if (rm === "incremental" && !possible)
    throw shellError(INCREMENTAL_NOT_POSSIBLE, SHERR.PROVISIONING_INCREMENTAL_NOT_POSSIBLE);
  if (rm === "auto" && !possible) {
    if (diverged) throw shellError("Instance provisioning required", SHERR.DATA_RECOVERY_NOT_POSSIBLE);
    throw shellError(EXPLICIT_METHOD_REQUIRED, SHERR.PROVISIONING_EXPLICIT_METHOD_REQUIRED);
  }
}
