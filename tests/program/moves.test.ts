/**
 * gamedb:slotMoves under Pulumi's mock runtime (issue 16): one mover per move (ConfigMap move.json, Secret
 * passwords.json, Deployment), the slot map gate Job, and the order they impose: the migration Job and the movers,
 * then the gate, then the endpoints ConfigMap that publishes the map. Exact names, inputs and options; what an edit
 * changes (a phase change, a move added or removed, slot moves turned on); a stack without gamedb:slotMoves is as it
 * was.
 */
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { evaluate } from "../../scripts/lib/evaluate";
import { diffPlans } from "../../scripts/lib/planDiff";
import { planMocks, valueOf } from "../../scripts/lib/mockValues";
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";
import { declarePlatform } from "../../infra/program";
import { parseDocument, routersSchema, slotMapSchema } from "../../infra/contracts/endpoints";
import { gateSpecSchema, moveSpecSchema } from "../../infra/contracts/slotMoves";
import { sha256 } from "../../infra/moves/specs";
import { stackOf } from "../helpers/stack";
import { resourceOf as one } from "../helpers/plan";
import { stepOf } from "../helpers/toolkit";

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const IMAGE = "registry.example.com/gamedb/gamedb-mover:0.1.0";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const SECRET = "kubernetes:core/v1:Secret";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const GATE_JOB = /^gamedb-slotmap-gate-[0-9a-f]{10}$/;
const MIGRATE_JOB = /^gamedb-migrate-[0-9a-f]{10}$/;

/** Prod with a provisioning shard 5, and two moves: 3 between active shards, 7 to the new shard. */
function movesRaw(moves?: Raw[]): Raw {
  const doc = parse(readFileSync(join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8")).config as Raw;
  const raw = Object.fromEntries(Object.entries(doc).map(([k, v]) => [k.replace(/^gamedb:/, ""), v]));
  raw.shards.push({ id: 5, name: "echo", nodes: 3, state: "provisioning" });
  raw.slotMoves = {
    image: IMAGE,
    moves: moves ?? [
      { id: 7, slots: "14336-16383", from: 4, to: 5, phase: "copy" },
      { id: 3, slots: "0-1023", from: 1, to: 2, phase: "copy", throttle: { chunkRows: 5000 } },
    ],
  };
  return raw;
}

const plan = (raw: Raw) => evaluate(stackOf(raw, "prod"));
const data = (doc: PlanDocument, name: string, key: string) =>
  (one(doc, CONFIG_MAP, name).inputs.data as Record<string, string>)[key]!;
const named = (doc: PlanDocument, re: RegExp) => doc.resources.filter((r) => re.test(r.name));
const gateJob = (doc: PlanDocument): PlannedResource => {
  const jobs = doc.resources.filter((r) => r.type === JOB && GATE_JOB.test(r.name));
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
};
const urn = (doc: PlanDocument, type: string, name: string) => one(doc, type, name).urn;
const routersOf = (doc: PlanDocument) =>
  parseDocument(routersSchema, "routers.json", data(doc, "gamedb-endpoints", "routers.json"));
const router = (doc: PlanDocument, shard: number) => {
  const r = routersOf(doc)[`shard${shard}`]!;
  return { shard, host: r.host, port: r.ports.rw! };
};

/** The options a resource was declared with (the plan document keeps only some): customTimeouts here. */
async function declaredOptions(raw: Raw, type: string, name: RegExp): Promise<pulumi.CustomResourceOptions> {
  const stack = stackOf(raw, "prod");
  await pulumi.runtime.setMocks(planMocks(new Map()), stack.project, stack.stack, false);
  pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
  const seen: { resource: pulumi.Resource; type: string; name: string; opts: pulumi.ResourceOptions }[] = [];
  declarePlatform({ transformations: [(a) => void seen.push(a)], runStamp: "test" });
  await Promise.all(seen.map((s) => valueOf(s.resource.urn)));
  const found = seen.filter((s) => s.type === type && name.test(s.name));
  expect(found).toHaveLength(1);
  return found[0]!.opts as pulumi.CustomResourceOptions;
}

/** The pod of a mover, written out: what must run, whatever moverPodSpec says. */
function moverPod(id: number) {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, fsGroup: 10001 },
    containers: [
      {
        name: "mover",
        image: IMAGE,
        args: ["run", "--spec", "/etc/gamedb-move/move.json", "--secrets", "/etc/gamedb-move/secrets/passwords.json"],
        ports: [{ name: "status", containerPort: 9480 }],
        readinessProbe: { httpGet: { path: "/status", port: "status" }, periodSeconds: 10, failureThreshold: 3 },
        terminationMessagePolicy: "FallbackToLogsOnError",
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 10001,
          runAsGroup: 10001,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        },
        volumeMounts: [
          { name: "files", mountPath: "/etc/gamedb-move", readOnly: true },
          { name: "tmp", mountPath: "/tmp" },
        ],
      },
    ],
    volumes: [
      {
        name: "files",
        projected: {
          sources: [
            { configMap: { name: `gamedb-move-${id}`, items: [{ key: "move.json", path: "move.json" }] } },
            {
              secret: {
                name: `gamedb-move-${id}`,
                items: [{ key: "passwords.json", path: "secrets/passwords.json", mode: 0o440 }],
              },
            },
          ],
        },
      },
      { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
    ],
  };
}

let base: PlanDocument;
beforeAll(async () => {
  base = await plan(movesRaw());
});

describe("a mover per move", () => {
  it("is a ConfigMap, a Secret, a Deployment and its PDB named gamedb-move-<id>, children of the move's component", () => {
    const moved = named(base, /^gamedb-move-/).map((r) => `${r.type} ${r.name}`);
    expect(moved.sort()).toEqual(
      [3, 7]
        .flatMap((id) => [
          `gamedb:moves:SlotMover gamedb-move-${id}`,
          `${CONFIG_MAP} gamedb-move-${id}`,
          `${SECRET} gamedb-move-${id}`,
          `${DEPLOYMENT} gamedb-move-${id}`,
          `${PDB} gamedb-move-${id}`,
        ])
        .sort(),
    );
    for (const id of [3, 7])
      for (const type of [CONFIG_MAP, SECRET, DEPLOYMENT, PDB]) {
        const r = one(base, type, `gamedb-move-${id}`);
        expect(r.parent).toBe(urn(base, "gamedb:moves:SlotMover", `gamedb-move-${id}`));
        expect((r.inputs.metadata as Raw).name).toBe(`gamedb-move-${id}`);
        expect((r.inputs.metadata as Raw).namespace).toBe("gamedb");
      }
  });

  it("writes move.json by the contract: the move, the game database, both Routers' read-write Service", () => {
    const spec = (id: number) =>
      parseDocument(moveSpecSchema, "move.json", data(base, `gamedb-move-${id}`, "move.json"));
    expect(spec(7)).toEqual({
      id: 7,
      slots: { from: 14336, to: 16383 },
      phase: "copy",
      database: "game",
      source: { shard: 4, host: "gamedb-shard4-router.gamedb.svc.cluster.local", port: 6446 },
      target: { shard: 5, host: "gamedb-shard5-router.gamedb.svc.cluster.local", port: 6446 },
      throttle: { chunkRows: 1000, maxThreadsRunning: 25, maxApplierQueue: 1000 },
      switch: { maxLagSeconds: 1, freezeTimeoutSeconds: 2, drainTimeoutMs: 2000, maxDirtySlots: 256 },
      statusPort: 9480,
      // Every member requires TLS, and the mover reads the source primary's binlog directly: it verifies with the CA.
      tls: { ca: "-----BEGIN CERTIFICATE-----\nMOCK-CERTIFICATE-OF-gamedb-ca\n-----END CERTIFICATE-----\n" },
    });
    expect(spec(3)).toMatchObject({ id: 3, slots: { from: 0, to: 1023 }, throttle: { chunkRows: 5000 } });
    // The same endpoints the gamedb-endpoints ConfigMap publishes.
    expect([spec(7).source, spec(7).target, spec(3).source, spec(3).target]).toEqual(
      [4, 5, 1, 2].map((s) => router(base, s)),
    );
  });

  it("keeps the passwords in a Secret, never in clear: the mover account's on the source and the target only", () => {
    for (const [id, ends] of [
      [7, [4, 5]],
      [3, [1, 2]],
    ] as const) {
      const secret = one(base, SECRET, `gamedb-move-${id}`);
      expect(secret.inputs.stringData).toBe("[secret]");
      const movers = base.resources.filter((r) => /^shard\d-mover-password$/.test(r.name));
      const used = movers.filter((p) => secret.dependencies.includes(p.urn)).map((p) => p.name);
      expect(used).toEqual(ends.map((s) => `shard${s}-mover-password`));
    }
    expect(JSON.stringify(base)).not.toContain("mock-secret-of");
  });

  it("is one pod, Recreate, non-root, no token, ready on GET /status, rolled by the digest of move.json", () => {
    for (const id of [3, 7]) {
      const spec = one(base, DEPLOYMENT, `gamedb-move-${id}`).inputs.spec as Raw;
      const labels = {
        "app.kubernetes.io/name": "mover",
        "app.kubernetes.io/instance": `gamedb-move-${id}`,
        "app.kubernetes.io/managed-by": "gamedb",
        "app.kubernetes.io/part-of": "gamedb",
        "gamedb/move": String(id),
      };
      expect(spec).toEqual({
        replicas: 1,
        selector: {
          matchLabels: { "app.kubernetes.io/name": "mover", "app.kubernetes.io/instance": `gamedb-move-${id}` },
        },
        strategy: { type: "Recreate" },
        template: {
          metadata: {
            labels,
            annotations: {
              "gamedb.io/move-sha256": sha256(data(base, `gamedb-move-${id}`, "move.json")),
              "gamedb.io/password-rotation": "0",
            },
          },
          spec: moverPod(id),
        },
      });
      // A drain may evict it (it resumes from its control rows); the policy rule wants every Deployment covered.
      expect(one(base, PDB, `gamedb-move-${id}`).inputs.spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: spec.selector.matchLabels },
      });
    }
  });

  it("starts after both shards' clusters (the mover account) and the migration Job (tables, fence)", () => {
    const deployment = one(base, DEPLOYMENT, "gamedb-move-7");
    expect([...deployment.options.dependsOn].sort()).toEqual(
      [
        urn(base, CONFIG_MAP, "gamedb-move-7"),
        urn(base, SECRET, "gamedb-move-7"),
        urn(base, "gamedb:mysql:InnoDbCluster", "shard4-cluster"),
        urn(base, "gamedb:mysql:InnoDbCluster", "shard5-cluster"),
        urn(base, "gamedb:schema:Migrations", "gamedb-migrate"),
      ].sort(),
    );
  });
});

describe("the slot map gate", () => {
  it("is one Job named by the digest, running the mover image's gate on gate.json", () => {
    const job = gateJob(base);
    const inputs = job.inputs as Raw;
    expect(inputs.metadata).toMatchObject({
      name: job.name,
      namespace: "gamedb",
      annotations: {
        "gamedb.io/gate-sha256": expect.stringMatching(/^[0-9a-f]{64}$/),
        "pulumi.com/replaceUnready": "true",
      },
    });
    expect(inputs.metadata.annotations["gamedb.io/gate-sha256"].slice(0, 10)).toBe(job.name.slice(-10));
    expect([inputs.spec.backoffLimit, inputs.spec.activeDeadlineSeconds]).toEqual([0, 600]);
    const pod = inputs.spec.template.spec;
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0]).toMatchObject({
      name: "gate",
      image: IMAGE,
      args: ["gate", "--spec", "/etc/gamedb-move/gate.json", "--secrets", "/etc/gamedb-move/secrets/passwords.json"],
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
    });
    expect(pod.volumes[0].projected.sources).toEqual([
      { configMap: { name: "gamedb-slotmap-gate", items: [{ key: "gate.json", path: "gate.json" }] } },
      {
        secret: {
          name: "gamedb-slotmap-gate",
          items: [{ key: "passwords.json", path: "secrets/passwords.json", mode: 0o440 }],
        },
      },
    ]);
  });

  it("checks the map the endpoints publish, every active and provisioning shard's fence, the moves it switches", () => {
    const gate = parseDocument(gateSpecSchema, "gate.json", data(base, "gamedb-slotmap-gate", "gate.json"));
    const published = parseDocument(slotMapSchema, "slot-map.json", data(base, "gamedb-endpoints", "slot-map.json"));
    expect(gate).toEqual({
      database: "game",
      shards: [1, 2, 3, 4, 5].map((s) => router(base, s)),
      slotMap: published.map(({ from, to, shard }) => ({ from, to, shard })),
      // Both moves copy: nothing to wait for.
      moves: [],
      timeoutSeconds: 540,
    });
    const secret = one(base, SECRET, "gamedb-slotmap-gate");
    expect(secret.inputs.stringData).toBe("[secret]");
    for (const s of [1, 2, 3, 4, 5])
      expect(secret.dependencies).toContain(
        urn(base, "random:index/randomPassword:RandomPassword", `shard${s}-mover-password`),
      );
  });

  it("runs after the migration Job and every mover's rollout; the endpoints ConfigMap publishes only after it", () => {
    const job = gateJob(base);
    expect([...job.options.dependsOn].sort()).toEqual(
      [
        urn(base, CONFIG_MAP, "gamedb-slotmap-gate"),
        urn(base, SECRET, "gamedb-slotmap-gate"),
        urn(base, "gamedb:schema:Migrations", "gamedb-migrate"),
        urn(base, DEPLOYMENT, "gamedb-move-3"),
        urn(base, DEPLOYMENT, "gamedb-move-7"),
      ].sort(),
    );
    expect(one(base, CONFIG_MAP, "gamedb-endpoints").options.dependsOn).toEqual([job.urn]);
  });

  it("the migration Job and partition CronJob read the Routers from gamedb-routers, which waits for nothing", () => {
    // Reading gamedb-endpoints, the migration Job would wait for the map that waits for the gate that waits for it.
    const migrate = base.resources.find((r) => r.type === JOB && MIGRATE_JOB.test(r.name))!;
    const volumes = (r: PlannedResource, path: string[]) =>
      path.reduce((o: Raw, k) => o[k], r.inputs as Raw).volumes as Raw[];
    expect(volumes(migrate, ["spec", "template", "spec"])).toContainEqual({
      name: "endpoints",
      configMap: { name: "gamedb-routers" },
    });
    const cron = one(base, "kubernetes:batch/v1:CronJob", "gamedb-partitions");
    expect(volumes(cron, ["spec", "jobTemplate", "spec", "template", "spec"])).toContainEqual({
      name: "endpoints",
      configMap: { name: "gamedb-routers" },
    });
    expect(migrate.options.dependsOn).toContain(urn(base, CONFIG_MAP, "gamedb-routers"));
    expect(migrate.dependencies).not.toContain(urn(base, CONFIG_MAP, "gamedb-endpoints"));
    expect(one(base, CONFIG_MAP, "gamedb-routers").options.dependsOn).toEqual([]);
    expect(data(base, "gamedb-routers", "routers.json")).toBe(data(base, "gamedb-endpoints", "routers.json"));
  });

  it("gateTimeoutMinutes bounds the Job, Pulumi's wait and the gate's own wait", async () => {
    const raw = movesRaw();
    raw.slotMoves.gateTimeoutMinutes = 3;
    const doc = await plan(raw);
    expect((gateJob(doc).inputs.spec as Raw).activeDeadlineSeconds).toBe(180);
    expect(parseDocument(gateSpecSchema, "g", data(doc, "gamedb-slotmap-gate", "gate.json")).timeoutSeconds).toBe(120);
    const opts = await declaredOptions(raw, JOB, GATE_JOB);
    expect(opts.customTimeouts).toEqual({ create: "3m", update: "3m" });
    // The movers' rollouts keep the provider's default wait: the pod is ready once it serves /status.
    expect((await declaredOptions(raw, DEPLOYMENT, /^gamedb-move-7$/)).customTimeouts).toBeUndefined();
  });
});

describe("what an edit changes", () => {
  it("a phase change rolls that move's mover only, runs a new gate, and publishes the new owner after it", async () => {
    const next = await plan(
      movesRaw([
        { id: 7, slots: "14336-16383", from: 4, to: 5, phase: "switch" },
        { id: 3, slots: "0-1023", from: 1, to: 2, phase: "copy", throttle: { chunkRows: 5000 } },
      ]),
    );
    const diff = diffPlans(base, next);
    expect(diff.created.map((r) => r.name)).toEqual([gateJob(next).name]);
    expect(diff.deleted.map((r) => r.name)).toEqual([gateJob(base).name]);
    expect(gateJob(next).name).not.toBe(gateJob(base).name);
    expect(diff.changed.map((c) => [c.type, c.name, c.inputs, c.options])).toEqual([
      [CONFIG_MAP, "gamedb-move-7", ["data"], []],
      [DEPLOYMENT, "gamedb-move-7", ["spec"], []],
      [CONFIG_MAP, "gamedb-slotmap-gate", ["data"], []],
      // The new map, after the new gate Job.
      [CONFIG_MAP, "gamedb-endpoints", ["data"], ["dependsOn"]],
    ]);
    const annotation = (doc: PlanDocument) =>
      ((one(doc, DEPLOYMENT, "gamedb-move-7").inputs.spec as Raw).template.metadata.annotations as Raw)[
        "gamedb.io/move-sha256"
      ];
    expect(annotation(next)).toBe(sha256(data(next, "gamedb-move-7", "move.json")));
    expect(annotation(next)).not.toBe(annotation(base));
    expect(parseDocument(moveSpecSchema, "m", data(next, "gamedb-move-7", "move.json")).phase).toBe("switch");
    const gate = parseDocument(gateSpecSchema, "g", data(next, "gamedb-slotmap-gate", "gate.json"));
    expect(gate.moves).toEqual([{ id: 7, phase: "switch", from: 4, to: 5 }]);
    expect(gate.slotMap.at(-1)).toEqual({ from: 14336, to: 16383, shard: 5 });
    expect(one(next, CONFIG_MAP, "gamedb-endpoints").options.dependsOn).toEqual([gateJob(next).urn]);
  });

  it("adding a move creates its resources; the gate Job only learns to wait for it (no new gate run)", async () => {
    const raw = movesRaw();
    raw.slotMoves.moves.push({ id: 9, slots: "8192-9215", from: 3, to: 1, phase: "copy" });
    const diff = diffPlans(base, await plan(raw));
    expect(diff.deleted).toEqual([]);
    expect(diff.created.map((r) => `${r.type} ${r.name}`)).toEqual([
      "gamedb:moves:SlotMover gamedb-move-9",
      `${CONFIG_MAP} gamedb-move-9`,
      `${SECRET} gamedb-move-9`,
      `${DEPLOYMENT} gamedb-move-9`,
      `${PDB} gamedb-move-9`,
    ]);
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options])).toEqual([[gateJob(base).name, [], ["dependsOn"]]]);
  });

  it("removing a move deletes its resources only", async () => {
    const diff = diffPlans(
      base,
      await plan(movesRaw([{ id: 7, slots: "14336-16383", from: 4, to: 5, phase: "copy" }])),
    );
    expect(diff.created).toEqual([]);
    expect(diff.deleted.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        `gamedb:moves:SlotMover gamedb-move-3`,
        `${CONFIG_MAP} gamedb-move-3`,
        `${SECRET} gamedb-move-3`,
        `${DEPLOYMENT} gamedb-move-3`,
        `${PDB} gamedb-move-3`,
      ].sort(),
    );
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options])).toEqual([[gateJob(base).name, [], ["dependsOn"]]]);
  });

  it("without gamedb:slotMoves: no mover, no gate, no gamedb-routers; the migration Job reads gamedb-endpoints", async () => {
    const raw = movesRaw();
    delete raw.slotMoves;
    const plain = await plan(raw);
    expect(named(plain, /^gamedb-(move-|slotmap-gate|routers)/)).toEqual([]);
    expect(one(plain, CONFIG_MAP, "gamedb-endpoints").options.dependsOn).toEqual([]);
    const migrate = plain.resources.find((r) => r.type === JOB && MIGRATE_JOB.test(r.name))!;
    expect(migrate.options.dependsOn).toContain(urn(plain, CONFIG_MAP, "gamedb-endpoints"));

    // Turning it on (no moves yet): the gate and gamedb-routers are created; the migration Job and the partition
    // CronJob move to gamedb-routers (the Job template is immutable: the provider replaces the finished Job, whose
    // rerun the ledger makes a no-op); the endpoints ConfigMap now waits for the gate. Nothing else changes.
    raw.slotMoves = { image: IMAGE };
    const on = await plan(raw);
    const diff = diffPlans(plain, on);
    expect(diff.deleted).toEqual([]);
    expect(diff.created.map((r) => `${r.type} ${r.name}`)).toEqual([
      `${CONFIG_MAP} gamedb-routers`,
      "gamedb:moves:SlotMapGate gamedb-slotmap-gate",
      `${CONFIG_MAP} gamedb-slotmap-gate`,
      `${SECRET} gamedb-slotmap-gate`,
      `${JOB} ${gateJob(on).name}`,
    ]);
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options])).toEqual([
      [migrate.name, ["spec"], ["dependsOn"]],
      ["gamedb-partitions", ["spec"], []],
      ["gamedb-endpoints", [], ["dependsOn"]],
    ]);
  });
});

describe("what the movers reach", () => {
  it("every shard's accounts step makes gamedb_mover with the mover's grants", () => {
    for (const s of [1, 2, 3, 4, 5]) {
      const step = stepOf(one(base, "command:remote:Command", `shard${s}-accounts`).inputs.create);
      expect(step.entry).toBe("adminapi/setup-accounts");
      expect((step.params as Raw).accounts.mover).toBe("gamedb_mover");
      // The grants are in the script the step runs (grants.js, one of the entry's files).
      const accounts = step.script;
      expect(step.files.map((f) => f.path)).toContain("adminapi/grants.js");
      expect(accounts).toContain('var MOVER_GLOBAL_PRIVILEGES = ["REPLICATION SLAVE", "REPLICATION CLIENT"];');
      expect(accounts).toContain(
        'var MOVER_DATABASE_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRIGGER"];',
      );
      expect(accounts).toContain('var MOVER_META_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE"];');
      expect(accounts).toContain('var MOVER_PERFORMANCE_SCHEMA_PRIVILEGES = ["SELECT"];');
      expect(accounts).toContain(
        '{ on: databaseLevel("performance_schema"), privileges: MOVER_PERFORMANCE_SCHEMA_PRIVILEGES }',
      );
    }
  });

  it("the members' MySQL port from the Kubernetes nodes (the binlog is read from the primary directly)", async () => {
    // The mover runs on the nodes, as the Routers do: the node rules already open 3306 (and 33060), nothing more.
    const raw = movesRaw();
    raw.kubernetes = { ...raw.kubernetes, nodeSecurityGroupIds: ["sg-0abc12345"], nodeCidrs: ["10.60.0.0/16"] };
    const doc = await plan(raw);
    const rules = doc.resources.filter((r) => r.name.includes("-shard-hosts-k8s-"));
    expect(rules.map((r) => [r.name, r.inputs.fromPort, r.inputs.toPort])).toEqual([
      ["gamedb-network-shard-hosts-k8s-sg-0abc12345-3306", 3306, 3306],
      ["gamedb-network-shard-hosts-k8s-10-60-0-0-16-3306", 3306, 3306],
      ["gamedb-network-shard-hosts-k8s-sg-0abc12345-33060", 33060, 33060],
      ["gamedb-network-shard-hosts-k8s-10-60-0-0-16-33060", 33060, 33060],
    ]);
    const members = JSON.parse(data(doc, "gamedb-endpoints", "members.json")) as Raw;
    for (const s of [4, 5]) for (const m of members[`shard${s}`].members) expect(m.port).toBe(3306);
  });
});
