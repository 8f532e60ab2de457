/**
 * Preflight rules for a shard run as a Group Replication group (an InnoDB Cluster, infra/mysql/clusterParams.ts):
 * the fence's freeze and a failover must not let two members write the range at once. Pure: the variables come from
 * SHOW GLOBAL VARIABLES (preflight.ts). A rule applies only when its variable exists, that is when the
 * group_replication plugin is installed; MariaDB (the test stand-ins) has no Group Replication at all, so neither
 * rule applies to it.
 */
import type { Flavour } from "./connect";

/** The Group Replication variables the rules read. */
export const GROUP_REPLICATION_VARIABLES: readonly string[] = [
  "group_replication_single_primary_mode",
  "group_replication_consistency",
];

/**
 * The levels that hold a new primary's transactions until it has applied the old primary's backlog: every level but
 * EVENTUAL. MySQL 8.4 Reference Manual 20.5.3.2 "Configuring Transaction Consistency Guarantees"
 * (group-replication-configuring-consistency-guarantees.html) lists them "in order of increasing transaction
 * consistency guarantee"; under EVENTUAL "in the event of a primary failover, the new primary can accept new
 * read-only and read/write transactions before the previous primary transactions are all applied".
 */
export const FAILOVER_SAFE_CONSISTENCY: readonly string[] = [
  "BEFORE_ON_PRIMARY_FAILOVER",
  "BEFORE",
  "AFTER",
  "BEFORE_AND_AFTER",
];

const isOn = (v: string): boolean => ["ON", "1"].includes(v.trim().toUpperCase());

/** Pure: the Group Replication problems of a server's GLOBAL variables (`vars` by lower-case name). */
export function groupReplicationProblems(vars: Record<string, string>, flavour: Flavour): string[] {
  if (flavour !== "mysql") return [];
  const problems: string[] = [];
  const mode = vars.group_replication_single_primary_mode;
  if (mode !== undefined && !isOn(mode)) {
    // The freeze waits for the row locks that writers' fence triggers hold on one server: a writer on another
    // primary holds none there, and certification compares write sets only (the writers read the fence row, they do
    // not write it), so it would not stop that writer either. Manual 20.1.3 "Multi-Primary and Single-Primary Modes":
    // the mode cannot be changed while the group runs; 20.5.1.2 "Changing the Group Mode" gives the function.
    problems.push(
      `group_replication_single_primary_mode is ${mode}; the mover needs ON (the fence's row locks hold writers on ` +
        "one primary only, manual 20.1.3 'Multi-Primary and Single-Primary Modes'): switch the group to " +
        "single-primary mode with MySQL Shell's cluster.switchToSinglePrimaryMode() or SELECT " +
        "group_replication_switch_to_single_primary_mode() (manual 20.5.1.2 'Changing the Group Mode')",
    );
  }
  const consistency = vars.group_replication_consistency;
  if (consistency !== undefined && !FAILOVER_SAFE_CONSISTENCY.includes(consistency.trim().toUpperCase())) {
    // A new primary that accepts writes before applying its backlog could take a write of a range the backlog froze
    // or released. The AdminAPI sets the variable on every member and persists it:
    // mysql-shell 8.4.8:modules/adminapi/common/common.h k_global_cluster_supported_options ("consistency").
    problems.push(
      `group_replication_consistency is ${consistency}; the mover needs ${FAILOVER_SAFE_CONSISTENCY.join(", ")} ` +
        "(a new primary must not accept writes before it has applied the old primary's backlog, manual 20.5.3.2 " +
        "'Configuring Transaction Consistency Guarantees'): cluster.setOption('consistency', " +
        "'BEFORE_ON_PRIMARY_FAILOVER') in MySQL Shell (every member, persisted); client sessions opened before, or " +
        "that set their own value, keep theirs",
    );
  }
  return problems;
}
