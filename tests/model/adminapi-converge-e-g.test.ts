/**
 * converge-cluster against the AdminAPI model, cases e to g: remove (e), adopt (f), restart for restart-only values
 * (g); allowCreate; and the property over generated states. Cases a to d: adminapi-converge-a-d.test.ts. Run against
 * both Shell releases the model imitates (helpers.ts describeEachShell).
 */
import * as fc from "fast-check";
import { Fleet, mutations } from "./adminapi";
import {
  ADMIN,
  NAME,
  A,
  B,
  C,
  D,
  E,
  F,
  BP,
  BP_256M,
  converge,
  convergePer,
  FIRST_RUN,
  fleetOf,
  expectConverged,
  expectOk,
  expectNoChange,
  callsTo,
  expectNoSecretInAnyRun,
  describeEachShell,
} from "./helpers";
import type { PerMember } from "./helpers";

describeEachShell(() => {
  describe("converge-cluster", () => {
    test("e: a member not in members is removed", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C, D], ADMIN);
      const r = converge(f, [A, B, C]);
      expectOk(r);
      expect(mutations(r)).toEqual(["cluster.removeInstance db4:3306"]);
      expect(callsTo(r, "cluster.removeInstance")[0]!.args).toEqual([D, {}]);
      // Like MySQL, the removed instance keeps a stale copy of the metadata, which no longer lists it.
      expect(f.get(D).gr).toBeNull();
      expect(f.get(D).metadata!.members).toEqual([A, B, C]);
      expectConverged(f, [A, B, C]);
      expectNoChange(converge(f, [A, B, C]));
    });

    test("e: an unwanted member that is unreachable is removed with force", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C, D], ADMIN);
      f.crash(D);
      const r = converge(f, [A, B, C]);
      expectOk(r);
      expect(callsTo(r, "cluster.removeInstance")[0]!.args).toEqual([D, { force: true }]);
      expectConverged(f, [A, B, C]);
    });

    test("e: members that are not ONLINE are removed first, so ONLINE members keep a majority throughout", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, D, E], ADMIN);
      f.suspect(E); // UNREACHABLE, still in the group view
      const r = converge(f, [A, B]);
      expectOk(r);
      expect(mutations(r)).toEqual(["cluster.removeInstance db5:3306", "cluster.removeInstance db4:3306"]);
      expectConverged(f, [A, B]);
    });

    test("e: never removes a member when the rest of the group would have fewer ONLINE members than a majority", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, D, E, F], ADMIN);
      for (const x of [D, E, F]) f.get(x).gr = { ...f.get(x).gr!, state: "RECOVERING", recoveringTicks: 1000 };
      const r = converge(f, [A, B]);
      expect(r.error).toMatch(
        /^gamedb: refusing to remove db\d:3306: the 4 member\(s\) left in the group would have only 2 ONLINE/,
      );
      expect(mutations(r)).toEqual([]);
    });

    test("f: the cluster lives on other desired members: adopt it and add the seed, never a second cluster", () => {
      const f = fleetOf(A);
      f.buildCluster(NAME, [B, C], ADMIN);
      const r = converge(f, [A, B, C]);
      expectOk(r);
      expect(r.output).toMatch(/found through db2:3306; adopting it/);
      expect(mutations(r)).toEqual(["cluster.addInstance db1:3306"]);
      expectConverged(f, [A, B, C]);
      expectNoChange(converge(f, [A, B, C]));
    });

    test("f: no cluster found while a desired member cannot be checked: nothing is created", () => {
      const f = fleetOf(A, B, C);
      f.crash(C);
      const r = converge(f, [A, B, C]);
      expect(r.error).toMatch(
        /^gamedb: no reachable member holds cluster shard1, but these members could not be checked: db3:3306/,
      );
      expect(r.error).toMatch(/second cluster/);
      expect(mutations(r)).toEqual([]);
    });

    test("g: rolling restart: secondaries first, then a switchover, then the old primary; each back ONLINE first", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      for (const a of [A, B, C]) {
        f.get(a).cnf[BP] = BP_256M;
        f.get(a).restartTicks = 3;
        f.get(a).recoveryTicks = 2;
      }
      const r = converge(f, [A, B, C], { [BP]: "256M" });
      expectOk(r);
      expect(mutations(r)).toEqual([
        "SQL db2:3306: RESTART",
        "SQL db3:3306: RESTART",
        "cluster.setPrimaryInstance db2:3306",
        "SQL db1:3306: RESTART",
      ]);
      for (const a of [A, B, C]) expect(f.get(a).globals[BP]).toBe(BP_256M);
      expect(f.primaryOf(f.groupsNamed(NAME)[0]!)).toBe(B);
      expectConverged(f, [A, B, C]);
      expectNoChange(converge(f, [A, B, C], { [BP]: "256M" }));
    });

    test("g: only the members whose value differs are restarted", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      for (const a of [A, B, C]) f.get(a).cnf[BP] = BP_256M;
      f.get(A).globals[BP] = BP_256M;
      f.get(B).globals[BP] = BP_256M;
      const r = converge(f, [A, B, C], { [BP]: "268435456" });
      expectOk(r);
      expect(mutations(r)).toEqual(["SQL db3:3306: RESTART"]);
    });

    test("g: a value that does not change across a restart (my.cnf not updated) stops the run", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      const r = converge(f, [A, B, C], { [BP]: "256M" });
      expect(r.error).toMatch(
        /^gamedb: after restarting db2:3306 still: innodb_buffer_pool_size is 134217728, wants 256M/,
      );
      expect(mutations(r)).toEqual(["SQL db2:3306: RESTART"]);
    });

    test("g: a one-member cluster restarts, then is rebooted from the outage its restart causes", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A], ADMIN);
      f.get(A).cnf[BP] = BP_256M;
      const r = converge(f, [A], { [BP]: "256M" });
      expectOk(r);
      expect(mutations(r)).toEqual(["SQL db1:3306: RESTART", "dba.rebootClusterFromCompleteOutage db1:3306"]);
      expect(f.get(A).globals[BP]).toBe(BP_256M);
      expectNoChange(converge(f, [A], { [BP]: "256M" }));
    });

    test("g: values compare in the server's form (128M is 134217728, ON is 1)", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      for (const a of [A, B, C]) f.get(a).globals.skip_name_resolve = "1";
      expectNoChange(converge(f, [A, B, C], { [BP]: "128M", skip_name_resolve: "ON" }));
    });

    test("allowCreate false: a shard whose every node was replaced (cluster on db1-3, config lists only new db4-6) is refused", () => {
      const f = fleetOf(D, E, F);
      f.buildCluster(NAME, [A, B, C], ADMIN);
      const r = converge(f, [D, E, F]);
      expect(r.error).toMatch(
        /^gamedb: no configured member holds cluster shard1 \(db4:3306, db5:3306, db6:3306 are all/,
      );
      expect(r.error).toMatch(/gamedb refuses to create a second one/);
      expect(r.error).toMatch(
        /Replacing every node of a shard in one edit is not supported: keep at least one existing member/,
      );
      expect(r.error).toContain("pulumi up --replace <urn>");
      expect(mutations(r)).toEqual([]);
      expect(f.groupsNamed(NAME)).toHaveLength(1);
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE", [B]: "ONLINE", [C]: "ONLINE" });
      for (const x of [D, E, F]) expect(f.get(x).gr).toBeNull();
    });

    test("allowCreate: an empty fleet is created only on the first run", () => {
      const f = fleetOf(A, B, C);
      const later = converge(f, [A, B, C]);
      expect(later.error).toMatch(
        /^gamedb: no configured member holds cluster shard1 .*refuses to create a second one/,
      );
      expect(mutations(later)).toEqual([]);
      const first = converge(f, [A, B, C], {}, FIRST_RUN);
      expectOk(first);
      expect(mutations(first)[0]).toBe("dba.createCluster db1:3306");
      expectConverged(f, [A, B, C]);
      expectNoChange(converge(f, [A, B, C]));
    });

    test("allowCreate false: keeping one existing member in config, the new nodes join the cluster and the old ones leave", () => {
      const f = fleetOf(D, E);
      f.buildCluster(NAME, [A, B, C], ADMIN);
      const r = converge(f, [C, D, E]);
      expectOk(r);
      expect(mutations(r)).toEqual([
        "cluster.addInstance db4:3306",
        "cluster.addInstance db5:3306",
        "cluster.removeInstance db1:3306",
        "cluster.removeInstance db2:3306",
      ]);
      expectConverged(f, [C, D, E]);
    });

    test("g: restart-only values per member: a member restarts only when its own values differ; a second run restarts nothing", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      // db2 moved to a larger instance type: its my.cnf carries 512M; db1 and db3 keep 256M. All run with 256M now.
      const want: PerMember = { [A]: { [BP]: "256M" }, [B]: { [BP]: "512M" }, [C]: { [BP]: "256M" } };
      for (const a of [A, B, C]) {
        f.get(a).globals[BP] = BP_256M;
        f.get(a).cnf[BP] = a === B ? "536870912" : BP_256M;
      }
      const r = convergePer(f, [A, B, C], want);
      expectOk(r);
      expect(mutations(r)).toEqual(["SQL db2:3306: RESTART"]);
      expect([A, B, C].map((a) => f.get(a).globals[BP])).toEqual([BP_256M, "536870912", BP_256M]);
      expectConverged(f, [A, B, C]);
      expectNoChange(convergePer(f, [A, B, C], want));
    });

    test("g: a member missing from restartVariables has nothing to compare", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.get(C).cnf[BP] = BP_256M;
      // db1 and db2 run with 128M and are not listed: never restarted. db3 is.
      const r = convergePer(f, [A, B, C], { [C]: { [BP]: "256M" } });
      expectOk(r);
      expect(mutations(r)).toEqual(["SQL db3:3306: RESTART"]);
      const reads = callsTo(r, "session.runSql").filter((c) => c.sql === `SELECT @@GLOBAL.${BP}`);
      expect(new Set(reads.map((c) => c.target))).toEqual(new Set([C]));
    });

    // Generated states, and which of them cannot converge (so converge must stop with a gamedb: error):
    // - a desired node is down, unconfigured (no cluster admin account) or in another cluster (shard9);
    // - a desired node that must be added (it is not in the cluster) holds user schemas: clone would replace them;
    // - no desired node holds the cluster ("none": every node new; "replaced": the cluster lives only on db4-6) and
    //   allowCreate is false: converge refuses to create a second one. ("replaced" is generated only with allowCreate
    //   false: allowCreate is true only on the command's first run, when the shard has no nodes from before.)
    // - the group has lost quorum (an unwanted member crashed out of a two-member group): it needs forceQuorum by hand;
    // - a complete outage whose metadata lists an unwanted member that is down: the reboot is refused.
    // Every other generated state must converge: converge succeeds, and a rerun changes nothing.
    test("property: converge succeeds exactly when the state can converge, and stops with gamedb: otherwise", () => {
      const oneIn4 = fc.integer({ min: 0, max: 3 }).map((n) => n === 0);
      // At most one fault per node; most nodes have none.
      const fault = fc.oneof(
        { arbitrary: fc.constant("none" as const), weight: 20 },
        {
          arbitrary: fc.constantFrom("down" as const, "unconfigured" as const, "foreign" as const, "data" as const),
          weight: 4,
        },
      );
      const member = fc
        .record({ inCluster: fc.boolean(), missing: fc.boolean(), stale: fc.boolean(), big: fc.boolean(), fault })
        .map(({ fault: x, ...rest }) => ({
          ...rest,
          down: x === "down",
          unconfigured: x === "unconfigured",
          foreign: x === "foreign",
          data: x === "data",
        }));
      const seen = { converged: 0, refusedCreate: 0, failed: 0 };
      fc.assert(
        fc.property(
          fc.constantFrom("none", "replaced", "running", "outage"),
          fc.tuple(member, member, member),
          fc.boolean(),
          oneIn4,
          fc.boolean(),
          (state, flags, extra, extraDown, allowCreateFlag) => {
            const members: string[] = [A, B, C];
            const clusterOnDesired = state === "running" || state === "outage";
            const allowCreate = state === "replaced" ? false : allowCreateFlag;
            const foreign = flags.map((x) => x.foreign);
            if (foreign.every(Boolean)) foreign[1] = false;
            const inCluster = clusterOnDesired ? members.filter((_, i) => flags[i]!.inCluster && !foreign[i]) : [];
            if (clusterOnDesired && inCluster.length === 0) inCluster.push(members[foreign.indexOf(false)]!);
            const unconfigured = members.map((a, i) => flags[i]!.unconfigured && !foreign[i] && !inCluster.includes(a));
            const hasData = members.map((a, i) => flags[i]!.data && !foreign[i] && !inCluster.includes(a));
            // my.cnf of each node (instance types differ); the running value is stale (128M) or already right.
            const want = members.map((_, i) => (flags[i]!.big ? "536870912" : BP_256M));
            const restartVariables: PerMember = Object.fromEntries(
              members.map((a, i) => [a, { [BP]: flags[i]!.big ? "512M" : "256M" }]),
            );

            const f = new Fleet();
            members.forEach((a, i) =>
              f.add(a, {
                ...(unconfigured[i] ? { configured: false } : { admin: ADMIN }),
                globals: { [BP]: flags[i]!.stale ? "134217728" : want[i]! },
                cnf: { [BP]: want[i]! },
                schemas: hasData[i] ? ["game"] : [],
              }),
            );
            const foreignMembers = members.filter((_, i) => foreign[i]);
            if (foreignMembers.length > 0) f.buildCluster("shard9", foreignMembers, ADMIN);
            const withExtra = clusterOnDesired && extra;
            if (state === "replaced") f.buildCluster(NAME, [D, E, F], ADMIN);
            if (clusterOnDesired) {
              if (withExtra) f.add(D, { admin: ADMIN });
              f.buildCluster(NAME, withExtra ? [...inCluster, D] : inCluster, ADMIN);
              if (state === "outage") f.completeOutage(NAME);
              if (state === "running")
                members.forEach((a, i) => {
                  if (inCluster.includes(a) && flags[i]!.missing) f.stopGroupReplication(a);
                });
            }
            members.forEach((a, i) => {
              if (flags[i]!.down) f.crash(a);
            });
            if (withExtra && extraDown) f.crash(D);

            const desiredOk = members.every((_, i) => !flags[i]!.down && !unconfigured[i] && !foreign[i]);
            const group = clusterOnDesired ? f.groupsNamed(NAME)[0] : undefined;
            const quorumLost = group !== undefined && !f.hasQuorum(group);
            const outageBlocked = state === "outage" && withExtra && extraDown;
            const refusesCreate = !clusterOnDesired && !allowCreate;
            // Data blocks only a node that must be cloned: not the seed a new cluster is created on.
            const dataBlocks = members.some((a, i) => hasData[i] && (clusterOnDesired || a !== members[0]));
            const canConverge = desiredOk && !refusesCreate && !dataBlocks && !quorumLost && !outageBlocked;
            const groupsBefore = f.groupsNamed(NAME).length;

            const r = convergePer(f, members, restartVariables, { allowCreate });
            if (r.error !== undefined) expect(r.error).toMatch(/^gamedb: /);
            expect({ canConverge, error: r.error }).toEqual({ canConverge, error: canConverge ? undefined : r.error });
            if (!canConverge) {
              expect(r.error).toBeDefined();
              expect(f.groupsNamed(NAME).length).toBeLessThanOrEqual(Math.max(1, groupsBefore));
              if (refusesCreate && desiredOk) {
                expect(r.error).toMatch(
                  /^gamedb: no configured member holds cluster shard1 .*refuses to create a second one/,
                );
                expect(mutations(r)).toEqual([]);
                seen.refusedCreate++;
              } else seen.failed++;
              return;
            }
            seen.converged++;
            expect(f.groupsNamed(NAME)).toHaveLength(1);
            expectConverged(f, members);
            members.forEach((a, i) => expect(f.get(a).globals[BP]).toBe(want[i]));
            expectNoChange(convergePer(f, members, restartVariables, { allowCreate: false }));
          },
        ),
        { numRuns: 300, seed: 20240611 },
      );
      // The generator reaches every outcome, often.
      expect(seen.converged).toBeGreaterThan(50);
      expect(seen.refusedCreate).toBeGreaterThan(10);
      expect(seen.failed).toBeGreaterThan(50);
    });
  });
});

// No secret in the output, errors or SQL of any run above, under either release (as adminapi-secrets.test.ts checks).
afterAll(expectNoSecretInAnyRun);
