/**
 * The MODEL's `dba` global. Upstream (mysql-shell 8.4.3, the same in 8.4.8): modules/adminapi/mod_dba.cc (Dba, which
 * exposes each function and checks common/preconditions.cc check_function_preconditions on the target's type from
 * common/common.cc get_instance_type) and the command classes cited at each function. Not MySQL Shell.
 */
import type { ModelApi } from "./api";
import { ModelCluster } from "./cluster";
import { SHERR, argumentError, shellError } from "./errors";
import { cloneMetadata, userKey } from "./fleet";
import { CREATE_OPTIONS, checkOptions, redactOpts } from "./options";
import { ADMIN_GLOBAL_PRIVILEGES, clusterAdminAccount, holds } from "./privileges";

/** The `dba` object a script sees, over `api`'s fleet and global session. */
export function dbaGlobal(api: ModelApi) {
  return {
    /**
     * mod_dba.cc Dba::get_cluster (exposed with "?name" only) and connect_to_target_group; the target's type:
     * common/common.cc get_instance_type with mysqlshdk/libs/mysql/group_replication.cc is_active_member; the
     * refusals: common/preconditions.cc (Dba.getCluster allows InnoDBCluster targets only).
     */
    getCluster: (name?: unknown, opts?: unknown) =>
      api.record("dba.getCluster", api.currentSession?.address, [name, opts], false, () => {
        if (opts !== undefined)
          throw argumentError("Dba.getCluster: Invalid number of arguments, expected 0 to 1 but got 2");
        const s = api.requireSession("Dba.getCluster");
        const inst = s.alive();
        // Group Replication is "active" in any state but OFFLINE and UNREACHABLE (group_replication.cc
        // is_active_member), so a member in ERROR is an InnoDB Cluster target.
        if (!inst.gr || inst.gr.state === "OFFLINE") {
          if (!inst.metadata)
            throw shellError(
              "This function is not available through a session to a standalone instance",
              SHERR.INSTANCE_NOT_MANAGED,
            );
          // A removed instance keeps a stale copy that no longer lists it (StandaloneWithMetadata): a runtime error
          // without a code, neither 51300 nor 51314.
          if (!inst.metadata.members.includes(inst.address))
            throw shellError(
              "This function is not available through a session to a standalone instance (metadata exists, instance does not belong to that metadata, and GR is not active)",
              undefined,
            );
          throw shellError(
            "This function is not available through a session to a standalone instance (metadata exists, instance belongs to that metadata, but GR is not active)",
            SHERR.INSTANCE_NOT_ONLINE,
          );
        }
        if (!inst.metadata)
          throw shellError(
            "This function is not available through a session to an instance belonging to an unmanaged replication group",
            undefined,
          );
        if (name !== undefined && name !== null && name !== inst.metadata.clusterName)
          throw shellError(`The cluster with the name '${String(name)}' does not exist.`, SHERR.MISSING_FROM_METADATA);
        // A member in ERROR sees only itself, so no quorum and no primary (dba_utils.cc
        // find_cluster_member_uri_of_role throws 51011); get_cluster warns, retries without the primary
        // (connect_to_target_group(..., false)) and returns a Cluster that reads from this member. Not checkable here:
        // this reading needs the server to give the ERROR member's own row a MEMBER_ROLE; with an empty one,
        // group_replication.cc get_members throws and getCluster fails with 51002 instead (the scripts treat both
        // alike: not a way to the cluster).
        if (inst.gr.state === "ERROR") {
          api.print("WARNING: Cluster has no quorum and cannot process write transactions: Group has no quorum");
          api.print("Retrying getCluster() using a secondary member");
        }
        return new ModelCluster(api, inst.metadata.clusterName, inst.address, inst.gr.groupId, s.creds);
      }),

    /**
     * mod_dba.cc Dba::create_cluster (StandaloneInMetadata refused with the "populated Metadata schema" text) ->
     * dba/create_cluster.cc Create_cluster (prepare; prepare_metadata_schema drops and recreates any old metadata, so
     * a StandaloneWithMetadata instance, whose copy does not list it, is accepted). Options: dba/api_options.cc
     * Create_cluster_options.
     */
    createCluster: (name: unknown, opts?: unknown) =>
      api.record("dba.createCluster", api.currentSession?.address, [name, opts], true, () => {
        const s = api.requireSession("Dba.createCluster");
        const inst = s.alive();
        if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name))
          throw argumentError("The Cluster name can only start with an alphabetic or the '_' character.");
        const o = checkOptions(opts, Object.keys(CREATE_OPTIONS));
        for (const [k, v] of Object.entries(o))
          if (!CREATE_OPTIONS[k]!(v)) throw argumentError(`Invalid value for ${k} option: ${String(v)}`);
        if (inst.gr && inst.metadata)
          throw shellError(
            `Unable to create cluster. The instance '${inst.address}' already belongs to an InnoDB cluster. Use dba.getCluster() to access it.`,
            undefined,
          );
        if (inst.gr)
          throw shellError(
            `The instance '${inst.address}' is already part of a Replication Group (use adoptFromGR)`,
            SHERR.INSTANCE_ALREADY_IN_GR,
          );
        if (inst.metadata && inst.metadata.members.includes(inst.address))
          throw shellError(
            `dba.createCluster: Unable to create cluster. The instance '${inst.address}' has a populated Metadata schema and belongs to that Metadata. Use either dba.dropMetadataSchema() to drop the schema, or dba.rebootClusterFromCompleteOutage() to reboot the cluster from complete outage.`,
            undefined,
          );
        if (!inst.configured)
          throw shellError(
            `Instance '${inst.address}' is not configured for InnoDB Cluster. Use dba.configureInstance() to fix it.`,
            SHERR.INVALID_SERVER_CONFIGURATION,
          );
        const group = api.fleet.newGroup(name);
        inst.gr = { groupId: group.id, state: "ONLINE", role: "PRIMARY", recoveringTicks: 0 };
        group.view.push(inst.address);
        inst.metadata = {
          clusterName: name,
          members: [inst.address],
          gtidSetIsComplete: o.gtidSetIsComplete === true,
          options: { ...o },
        };
        inst.gtidExecuted++;
        api.print(`Cluster successfully created on '${inst.address}'.`);
        return new ModelCluster(api, name, inst.address, group.id, s.creds);
      }),

    /**
     * mod_dba.cc Dba::reboot_cluster_from_complete_outage -> dba/reboot_cluster_from_complete_outage.cc
     * Reboot_cluster_from_complete_outage::do_run (retrieve_instances, pick_best_instance_gtid, reboot_seed, then
     * the rejoins). Options: dba/api_options.cc Reboot_cluster_options.
     */
    rebootClusterFromCompleteOutage: (name?: unknown, opts?: unknown) =>
      api.record("dba.rebootClusterFromCompleteOutage", api.currentSession?.address, [name, opts], true, () => {
        const o = checkOptions(opts, [
          "force",
          "dryRun",
          "primary",
          "switchCommunicationStack",
          "ipAllowlist",
          "localAddress",
          "timeout",
          "paxosSingleLeader",
        ]);
        const s = api.requireSession("Dba.rebootClusterFromCompleteOutage");
        const inst = s.alive();
        const md = inst.metadata;
        if (!md)
          throw shellError(
            "This function is not available through a session to a standalone instance",
            SHERR.INSTANCE_NOT_MANAGED,
          );
        if (!md.members.includes(inst.address))
          throw shellError(
            "This function is not available through a session to a standalone instance (metadata exists, instance does not belong to that metadata, and GR is not active)",
            undefined,
          );
        if (name !== undefined && name !== null && name !== md.clusterName)
          throw shellError(`The cluster with the name '${String(name)}' does not exist.`, SHERR.MISSING_FROM_METADATA);
        for (const a of md.members) {
          const i = api.fleet.has(a) ? api.fleet.get(a) : undefined;
          if (!i || !api.fleet.isUp(i) || !i.gr || (i.gr.state !== "ONLINE" && i.gr.state !== "RECOVERING")) continue;
          const g = api.fleet.groupOf(i)!;
          if (api.fleet.hasQuorum(g)) throw shellError("The Cluster is ONLINE", undefined);
          throw shellError(
            `The MySQL instance '${a}' belongs to an InnoDB Cluster and is reachable. Please use <Cluster>.forceQuorumUsingPartitionOf() to restore from the quorum loss.`,
            undefined,
          );
        }
        const unreachable = md.members.filter((a) => !api.fleet.has(a) || !api.fleet.isUp(api.fleet.get(a)));
        if (unreachable.length > 0 && o.force !== true) {
          api.print(
            `WARNING: One or more instances of the Cluster could not be reached and cannot be rejoined nor ensured to be OFFLINE: ${unreachable
              .map((a) => `'${a}'`)
              .join(
                ", ",
              )}. Cluster may diverge and become inconsistent unless all instances are either reachable or certain to be OFFLINE and not accepting new transactions. You may use the 'force' option to bypass this check and proceed anyway.`,
          );
          throw shellError("Could not determine if Cluster is completely OFFLINE", undefined);
        }
        const reachable = md.members.filter((a) => !unreachable.includes(a)).map((a) => api.fleet.get(a));
        // Members still running Group Replication here are in ERROR: it is stopped first
        // (reboot_cluster_from_complete_outage.cc ensure_all_members_offline).
        for (const i of reachable)
          if (i.gr) {
            api.print(`Stopping Group Replication on '${i.address}'...`);
            api.fleet.stopGroupReplication(i.address);
          }
        // The most up-to-date member becomes the primary (model assumption: chosen automatically).
        let seed = inst;
        for (const i of reachable) if (i.gtidExecuted > seed.gtidExecuted) seed = i;
        const group = api.fleet.newGroup(md.clusterName);
        seed.gr = { groupId: group.id, state: "ONLINE", role: "PRIMARY", recoveringTicks: 0 };
        group.view.push(seed.address);
        for (const i of reachable) if (i !== seed) api.fleet.joinGroup(i, group);
        api.fleet.replicateMetadata(group, cloneMetadata(seed.metadata ?? md));
        api.print(`The Cluster was successfully rebooted.`);
        return new ModelCluster(api, md.clusterName, inst.address, group.id, s.creds);
      }),

    /**
     * mod_dba.cc Dba::configure_instance -> dba/configure_instance.cc Configure_instance (prepare,
     * check_create_admin_user, create_admin_user, do_run). Options: dba/api_options.cc
     * Configure_cluster_instance_options.
     */
    configureInstance: (instance?: unknown, opts?: unknown) =>
      api.record("dba.configureInstance", api.currentSession?.address, [instance, redactOpts(opts)], true, () => {
        const o = checkOptions(opts, [
          "clusterAdmin",
          "clusterAdminPassword",
          "clusterAdminPasswordExpiration",
          "clusterAdminCertIssuer",
          "clusterAdminCertSubject",
          "restart",
          "applierWorkerThreads",
          "mycnfPath",
          "outputMycnfPath",
        ]);
        const { inst, session } = api.targetOf("Dba.configureInstance", instance);
        // Model assumption: refused on an instance already in a group.
        if (inst.gr)
          throw shellError(
            `This function is not available through a session to an instance already in an InnoDB Cluster`,
            SHERR.INSTANCE_MANAGED_IN_CLUSTER,
          );
        // Configure_instance::check_create_admin_user: without
        // clusterAdmin the account in use is checked (common/accounts.cc check_admin_account_access_restrictions);
        // root, which exists only as root@localhost, is refused non-interactively with a std::runtime_error that
        // types_cpp.cc (Cpp_object_bridge::call_function) turns into a RuntimeError prefixed with the scope.
        if (o.clusterAdmin === undefined && session.creds.kind === "socket")
          throw shellError("Dba.configureInstance: User 'root' can only connect from 'localhost'.", undefined);
        if (o.clusterAdmin !== undefined) {
          const [user, host] = String(o.clusterAdmin).includes("@")
            ? String(o.clusterAdmin)
                .split("@")
                .map((x) => x.replace(/'/g, ""))
            : [String(o.clusterAdmin), "%"];
          const key = userKey(user!, host!);
          const existing = inst.users.get(key);
          // Same function: an existing account refuses clusterAdminPassword (ArgumentError) and must hold the
          // admin's privileges WITH GRANT OPTION (accounts.cc validate_cluster_admin_user_privileges).
          if (existing && o.clusterAdminPassword !== undefined)
            throw argumentError(
              `Dba.configureInstance: The '${user}'@'${host}' account already exists, clusterAdminPassword is not allowed for an existing account.`,
            );
          if (existing && ADMIN_GLOBAL_PRIVILEGES.some((p) => !holds(existing, p, "*.*", true)))
            throw shellError(
              `Dba.configureInstance: The account '${session.creds.user}'@'localhost' is missing privileges required to manage an InnoDB cluster.`,
              undefined,
            );
          if (!existing && typeof o.clusterAdminPassword !== "string")
            throw shellError("Dba.configureInstance: password for clusterAdmin required", undefined);
          if (!existing) {
            // Created with the binary log off (configure_instance.cc create_cluster_admin_user,
            // Suppress_binary_log): no GTID.
            inst.users.set(key, clusterAdminAccount(String(o.clusterAdminPassword)));
            api.print(`Cluster admin user '${user}'@'${host}' created.`);
          } else api.print(`User '${user}'@'${host}' already exists and will not be created.`);
        }
        if (!inst.configured && !inst.configurePending) {
          if (inst.configureNeedsRestart && o.restart === true) {
            inst.configurePending = true;
            api.print("Restarting MySQL...");
            api.fleet.restart(inst.address);
          } else if (inst.configureNeedsRestart) {
            inst.configurePending = true;
            api.print("NOTE: MySQL server needs to be restarted for configuration changes to take effect.");
          } else {
            inst.configured = true;
          }
        }
      }),

    /**
     * mod_dba.cc Dba::check_instance_configuration -> dba/check_instance.cc Check_instance::do_run; the result from
     * common/instance_validations.cc validate_configuration. Options: dba/api_options.cc
     * Check_instance_configuration_options.
     */
    checkInstanceConfiguration: (instance?: unknown, opts?: unknown) =>
      api.record("dba.checkInstanceConfiguration", api.currentSession?.address, [instance, opts], false, () => {
        checkOptions(opts, ["mycnfPath", "verifyMyCnf"]);
        const { inst, session } = api.targetOf("Dba.checkInstanceConfiguration", instance);
        // Check_instance::do_run: the account in use goes through
        // common/accounts.cc check_admin_account_access_restrictions non-interactively, which throws for an account
        // that exists only @localhost, as root does (a RuntimeError prefixed with the scope, types_cpp.cc).
        if (session.creds.kind === "socket")
          throw shellError("Dba.checkInstanceConfiguration: User 'root' can only connect from 'localhost'.", undefined);
        if (inst.gr)
          throw shellError(
            `This function is not available through a session to an instance already in an InnoDB Cluster`,
            SHERR.INSTANCE_MANAGED_IN_CLUSTER,
          );
        if (inst.configured) return { status: "ok" };
        return {
          status: "error",
          config_errors: [
            {
              option: "gtid_mode",
              current: "OFF",
              required: "ON",
              action: inst.configurePending || inst.configureNeedsRestart ? "server_update+restart" : "server_update",
            },
          ],
        };
      }),
  };
}
