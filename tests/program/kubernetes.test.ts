/**
 * MySQL Router and the Redis Cluster on Kubernetes, and the ElastiCache alternative, under Pulumi's mocks: pod
 * specs (image pins, probes, limits, security context, secrets by reference), ordering, endpoints.
 */
import * as pulumi from "@pulumi/pulumi";
import { evaluate } from "../../scripts/lib/evaluate";
import { diffPlans } from "../../scripts/lib/planDiff";
import { mockPrivateIp, planMocks, valueOf } from "../../scripts/lib/mockValues";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { declarePlatform } from "../../infra/program";
import { ROUTER_BOOTSTRAP_SCRIPT } from "../../infra/mysql/router";
import { stackOf } from "../helpers/stack";
import { planOf, planOfWith, resourceOf as get } from "../helpers/plan";
import { IMAGES, validDev, validProd } from "../helpers/configs";

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const STATEFULSET = "kubernetes:apps/v1:StatefulSet";
const JOB = "kubernetes:batch/v1:Job";
const SERVICE = "kubernetes:core/v1:Service";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const SECRET = "kubernetes:core/v1:Secret";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const RESTRICTED = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

describe("MySQL Router (prod)", () => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await planOf("prod");
  });

  it("runs a Deployment per shard: pinned image, bootstrap from the members, password from a Secret volume", () => {
    for (const id of [1, 2, 3, 4]) {
      const d = get(doc, DEPLOYMENT, `shard${id}-router`).inputs as Any;
      expect(d.metadata).toMatchObject({ name: `gamedb-shard${id}-router`, namespace: "gamedb" });
      expect(d.spec.replicas).toBe(2);
      expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      expect(c.image).toBe("container-registry.oracle.com/mysql/community-router:8.4.3");
      expect(c.env).toEqual([
        {
          name: "ROUTER_MEMBERS",
          value: [0, 1, 2].map((i) => `${mockPrivateIp(`shard${id}-node${i}`)}:3306`).join(" "),
        },
        { name: "ROUTER_ACCOUNT", value: "gamedb_router" },
        { name: "ROUTER_CONF_DIR", value: "/run/mysqlrouter/conf" },
        { name: "ROUTER_PASSWORD_FILE", value: "/etc/gamedb/secret/password" },
        { name: "ROUTER_CA_FILE", value: "/etc/gamedb/ca.pem" },
        { name: "ROUTER_CLIENT_CERT_FILE", value: "/etc/gamedb/secret/tls.crt" },
        { name: "ROUTER_CLIENT_KEY_FILE", value: "/etc/gamedb/secret/tls.key" },
      ]);
      // What the Router presents to clients that use TLS: the Service's names, signed by the stack's CA.
      const csr = get(doc, "tls:index/certRequest:CertRequest", `shard${id}-router-tls-csr`).inputs as Any;
      const svc = `gamedb-shard${id}-router`;
      expect(csr.dnsNames).toEqual([svc, `${svc}.gamedb`, `${svc}.gamedb.svc`, `${svc}.gamedb.svc.cluster.local`]);
      expect(csr.subject.commonName).toBe(svc);
      // The CA the members' certificates are verified with, from the bootstrap ConfigMap.
      expect(c.volumeMounts).toContainEqual({
        name: "bootstrap",
        mountPath: "/etc/gamedb/ca.pem",
        subPath: "ca.pem",
        readOnly: true,
      });
      expect(JSON.stringify(c.command)).not.toContain("password=");
      expect(pod.volumes).toContainEqual({
        name: "secret",
        secret: { secretName: `gamedb-shard${id}-router`, defaultMode: 0o440 },
      });
      expect(c.readinessProbe.httpGet).toEqual({ path: "/api/20190715/swagger.json", port: 8443, scheme: "HTTPS" });
      expect(c.livenessProbe.tcpSocket).toEqual({ port: 6446 });
      expect(c.resources).toEqual({
        requests: { cpu: "250m", memory: "256Mi" },
        limits: { cpu: "1", memory: "512Mi" },
      });
      expect(c.securityContext).toMatchObject({ ...RESTRICTED, runAsUser: 999 });
      expect(pod.topologySpreadConstraints[0]).toMatchObject({
        topologyKey: "topology.kubernetes.io/zone",
        maxSkew: 1,
      });
      expect(
        pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey,
      ).toBe("kubernetes.io/hostname");
      expect(d.spec.template.metadata.annotations["gamedb/bootstrap-checksum"]).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("keeps the password secret and ships the bootstrap script unchanged, in one ConfigMap for every shard", () => {
    expect(get(doc, SECRET, "shard1-router-password").inputs.stringData).toBe("[secret]");
    const cm = get(doc, CONFIGMAP, "gamedb-router-bootstrap");
    expect(cm.inputs).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "gamedb-router-bootstrap",
        namespace: "gamedb",
        labels: {
          "app.kubernetes.io/instance": "gamedb-router-bootstrap",
          "app.kubernetes.io/managed-by": "gamedb",
          "app.kubernetes.io/name": "mysql-router",
          "app.kubernetes.io/part-of": "gamedb",
        },
      },
      data: {
        "bootstrap.sh": ROUTER_BOOTSTRAP_SCRIPT,
        "ca.pem": "-----BEGIN CERTIFICATE-----\nMOCK-CERTIFICATE-OF-gamedb-ca\n-----END CERTIFICATE-----\n",
      },
    });
    expect(cm.parent).toBe(get(doc, "gamedb:index:GameDbPlatform", "gamedb").urn);
    expect(cm.options).toEqual({ protect: false, retainOnDelete: false, ignoreChanges: [], dependsOn: [] });
    expect(doc.resources.filter((r) => r.type === CONFIGMAP && r.name.includes("router")).map((r) => r.name)).toEqual([
      "gamedb-router-bootstrap",
    ]);
    // Every shard's pods mount it, and start once it exists (with their Secret and their shard's cluster).
    for (const id of [1, 2, 3, 4]) {
      const d = get(doc, DEPLOYMENT, `shard${id}-router`);
      expect((d.inputs as Any).spec.template.spec.volumes).toContainEqual({
        name: "bootstrap",
        configMap: { name: "gamedb-router-bootstrap", defaultMode: 0o555 },
      });
      expect(d.options.dependsOn).toEqual([
        get(doc, SECRET, `shard${id}-router-password`).urn,
        cm.urn,
        get(doc, "gamedb:mysql:InnoDbCluster", `shard${id}-cluster`).urn,
      ]);
    }
  });

  it("declares the routers' ConfigMap with the stack's Kubernetes provider, as every router object", async () => {
    const stack = stackOf(validProd(), "prod");
    const providers = new Map<string, string | undefined>();
    const mocks = planMocks(new Map());
    await pulumi.runtime.setMocks(
      { ...mocks, newResource: (a) => (providers.set(`${a.type}::${a.name}`, a.provider), mocks.newResource(a)) },
      stack.project,
      stack.stack,
      false,
    );
    pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
    const seen: pulumi.Resource[] = [];
    declarePlatform({ transformations: [(a) => void seen.push(a.resource)], runStamp: "test" });
    await Promise.all(seen.map((r) => valueOf(r.urn)));
    const k8s = /^urn:pulumi:prod::gamedb::[^:]+:index:GameDbPlatform\$pulumi:providers:kubernetes::gamedb-k8s::/;
    expect(providers.get(`${CONFIGMAP}::gamedb-router-bootstrap`)).toMatch(k8s);
    for (const type of [DEPLOYMENT, SERVICE, PDB]) expect(providers.get(`${type}::shard1-router`)).toMatch(k8s);
  });

  it("exposes RW, RO, X RW/RO and the read-write split on a Service, with a PodDisruptionBudget", () => {
    const svc = get(doc, SERVICE, "shard2-router").inputs as Any;
    expect(svc.spec.ports.map((p: Any) => [p.name, p.port])).toEqual([
      ["rw", 6446],
      ["ro", 6447],
      ["x-rw", 6448],
      ["x-ro", 6449],
      ["rw-split", 6450],
    ]);
    expect((get(doc, PDB, "shard2-router").inputs as Any).spec.maxUnavailable).toBe(1);
  });

  it("starts a router only after its shard's cluster (accounts included) is formed", () => {
    const d = get(doc, DEPLOYMENT, "shard3-router");
    expect(d.options.dependsOn).toContain(get(doc, "gamedb:mysql:InnoDbCluster", "shard3-cluster").urn);
  });

  it("lets the Kubernetes nodes reach the shard hosts on 3306 and 33060 only", () => {
    const raw = validProd();
    raw.kubernetes = { ...raw.kubernetes, nodeSecurityGroupIds: ["sg-0abc12345"], nodeCidrs: ["10.60.0.0/16"] };
    return evaluate(stackOf(raw, "prod")).then((d) => {
      const rules = d.resources.filter((r) => r.name.includes("-k8s-"));
      expect(rules.map((r) => r.name).sort()).toEqual(
        [
          "gamedb-network-shard-hosts-k8s-sg-0abc12345-3306",
          "gamedb-network-shard-hosts-k8s-sg-0abc12345-33060",
          "gamedb-network-shard-hosts-k8s-10-60-0-0-16-3306",
          "gamedb-network-shard-hosts-k8s-10-60-0-0-16-33060",
        ].sort(),
      );
      expect(rules.find((r) => r.name.endsWith("10-60-0-0-16-33060"))!.inputs).toMatchObject({
        securityGroupId: "gamedb-network-shard-hosts-id",
        cidrIpv4: "10.60.0.0/16",
        fromPort: 33060,
        toPort: 33060,
      });
    });
  });

  it("publishes router Services, Redis seeds and the slot map in gamedb-endpoints and the stack outputs", () => {
    const cm = get(doc, CONFIGMAP, "gamedb-endpoints").inputs as Any;
    expect(cm.metadata).toMatchObject({ name: "gamedb-endpoints", namespace: "gamedb" });
    const routers = JSON.parse(cm.data["routers.json"]);
    expect(routers.shard4).toEqual({
      host: "gamedb-shard4-router.gamedb.svc.cluster.local",
      ports: { rw: 6446, ro: 6447, xRw: 6448, xRo: 6449, rwSplit: 6450, http: 8443 },
    });
    expect(JSON.parse(cm.data["redis.json"])).toEqual({
      engine: "kubernetes",
      seeds: [0, 1, 2].map((i) => `gamedb-redis-${i}.gamedb-redis-headless.gamedb.svc.cluster.local:6379`),
      // redis.tls is on in prod: the CA clients verify the pods with.
      tls: { ca: "-----BEGIN CERTIFICATE-----\nMOCK-CERTIFICATE-OF-gamedb-ca\n-----END CERTIFICATE-----\n" },
    });
    expect(JSON.parse(cm.data["slot-map.json"])).toEqual(doc.outputs.slotMap);
    expect((doc.outputs.endpoints as Any).routers).toEqual(routers);
  });
});

describe("Redis Cluster on Kubernetes", () => {
  let doc: PlanDocument;
  beforeAll(async () => {
    // redis.tls off: the cluster exactly as before TLS existed (tests/program/redis-tls.test.ts: on, and the diff).
    doc = await planOfWith("prod", { redis: { tls: false } });
  });

  it("runs masters x (1 + replicas) pods announcing stable hostnames, with a PVC each and the password by reference", () => {
    const s = get(doc, STATEFULSET, "gamedb-redis").inputs as Any;
    expect(s.spec).toMatchObject({
      replicas: 6,
      serviceName: "gamedb-redis-headless",
      podManagementPolicy: "Parallel",
    });
    const c = s.spec.template.spec.containers[0];
    expect(c.image).toBe("redis:7.2.7-bookworm");
    expect(c.env).toContainEqual({
      name: "REDIS_PASSWORD",
      valueFrom: { secretKeyRef: { name: "gamedb-redis", key: "password" } },
    });
    expect(JSON.stringify(c.command)).not.toMatch(/requirepass [^%]/);
    expect(c.readinessProbe.exec.command).toEqual(["redis-cli", "ping"]);
    expect(c.securityContext).toMatchObject({ ...RESTRICTED, runAsUser: 999 });
    expect(c.resources.limits).toEqual({ cpu: "1", memory: "1Gi" });
    expect(s.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("50Gi");
    expect(get(doc, STATEFULSET, "gamedb-redis").options.ignoreChanges).toEqual(["spec.volumeClaimTemplates"]);
    const conf = (get(doc, CONFIGMAP, "gamedb-redis-config").inputs as Any).data["redis.conf"];
    for (const line of [
      "cluster-enabled yes",
      "cluster-node-timeout 5000",
      "appendonly yes",
      "cluster-preferred-endpoint-type hostname",
      "include /run/redis/runtime.conf",
    ])
      expect(conf.split("\n")).toContain(line);
    expect((get(doc, SERVICE, "gamedb-redis-headless").inputs as Any).spec).toMatchObject({
      clusterIP: "None",
      publishNotReadyAddresses: true,
    });
    expect((get(doc, PDB, "gamedb-redis").inputs as Any).spec.maxUnavailable).toBe(1);
  });

  it("drains before the StatefulSet changes and reconciles after, each Job running the controller image", () => {
    const drain = get(doc, JOB, "gamedb-redis-drain");
    const sts = get(doc, STATEFULSET, "gamedb-redis");
    const reconcile = get(doc, JOB, "gamedb-redis-reconcile");
    expect(sts.options.dependsOn).toEqual([drain.urn]);
    expect(reconcile.options.dependsOn).toEqual([sts.urn]);
    expect(drain.options.dependsOn).toEqual([get(doc, SECRET, "gamedb-redis-password").urn]);
    for (const [job, mode] of [
      [drain, "drain"],
      [reconcile, "reconcile"],
    ] as const) {
      expect((job.inputs as Any).spec).toEqual({
        backoffLimit: 3,
        template: {
          metadata: {
            labels: {
              "app.kubernetes.io/name": "redis-reconcile",
              "app.kubernetes.io/instance": `gamedb-redis-${mode}`,
              "app.kubernetes.io/managed-by": "gamedb",
              "app.kubernetes.io/part-of": "gamedb",
            },
          },
          spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true },
            containers: [
              {
                name: mode,
                // The image's entry point is the controller (Dockerfile target redis-controller); no script mount.
                image: IMAGES.redis.controllerImage,
                args: [mode],
                env: [
                  { name: "REDIS_MASTERS", value: "3" },
                  { name: "REDIS_REPLICAS_PER_MASTER", value: "1" },
                  {
                    name: "REDIS_HOST_TEMPLATE",
                    value: "gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local",
                  },
                  { name: "REDIS_PORT_BASE", value: "6379" },
                  { name: "REDIS_PORT_STEP", value: "0" },
                  { name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: "gamedb-redis", key: "password" } } },
                ],
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                securityContext: { ...RESTRICTED, runAsUser: 999, runAsGroup: 999 },
              },
            ],
          },
        },
      });
    }
    expect(doc.resources.filter((r) => r.name === "gamedb-redis-scripts")).toEqual([]);
  });

  it("scaling changes only the StatefulSet's replicas and re-runs both Jobs", async () => {
    const raw = validProd();
    const base = await evaluate(stackOf(raw, "prod"));
    raw.redis.masters = 4;
    const next = await evaluate(stackOf(raw, "prod"));
    const diff = diffPlans(base, next);
    expect(diff.created).toEqual([]);
    expect(diff.deleted).toEqual([]);
    expect(diff.changed.map((c) => [c.name, c.inputs])).toEqual([
      ["gamedb-redis-drain", ["spec"]],
      ["gamedb-redis", ["spec"]],
      ["gamedb-redis-reconcile", ["spec"]],
    ]);
    const spec = (doc: PlanDocument) => (get(doc, STATEFULSET, "gamedb-redis").inputs as Any).spec;
    expect({ ...spec(next), replicas: 6 }).toEqual(spec(base));
    expect(spec(next).replicas).toBe(8);
  });
});

describe("ElastiCache engine", () => {
  it("declares a cluster-mode replication group, encrypted, multi-AZ, open only to the Kubernetes nodes", async () => {
    const raw = validProd();
    raw.redis = { engine: "elasticache", masters: 3, replicasPerMaster: 2 };
    raw.kubernetes = { ...raw.kubernetes, nodeSecurityGroupIds: ["sg-0abc12345"] };
    const doc = await evaluate(stackOf(raw, "prod"));
    expect(doc.resources.filter((r) => r.type === STATEFULSET)).toEqual([]);
    const g = get(doc, "aws:elasticache/replicationGroup:ReplicationGroup", "gamedb-redis");
    expect(g.inputs).toMatchObject({
      engine: "redis",
      nodeType: "cache.r7g.large",
      numNodeGroups: 3,
      replicasPerNodeGroup: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken: "[secret]",
      snapshotRetentionLimit: 7,
      subnetGroupName: "gamedb-redis",
      securityGroupIds: ["gamedb-redis-id"],
      parameterGroupName: "gamedb-redis",
    });
    expect(g.options.protect).toBe(true);
    expect(get(doc, "aws:elasticache/parameterGroup:ParameterGroup", "gamedb-redis").inputs).toMatchObject({
      family: "redis7",
      parameters: [{ name: "cluster-enabled", value: "yes" }],
    });
    expect(
      get(doc, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "gamedb-redis-from-sg-0abc12345").inputs,
    ).toMatchObject({
      referencedSecurityGroupId: "sg-0abc12345",
      fromPort: 6379,
      toPort: 6379,
    });
    expect(JSON.parse((get(doc, CONFIGMAP, "gamedb-endpoints").inputs as Any).data["redis.json"]).engine).toBe(
      "elasticache",
    );
  });
});

describe("retired shards", () => {
  it("get no router", async () => {
    const raw = validDev();
    raw.shards.push({ id: 3, name: "charlie", nodes: 1, state: "retired" });
    const doc = await evaluate(stackOf(raw, "dev"));
    expect(doc.resources.filter((r) => r.type === DEPLOYMENT && r.name.endsWith("-router")).map((r) => r.name)).toEqual(
      ["shard1-router", "shard2-router"],
    );
  });
});

describe("Kubernetes provider", () => {
  it("uses gamedb:kubeconfig as a secret when set, and the given namespace without creating it when told", async () => {
    const raw = validDev();
    raw.kubernetes = { ...raw.kubernetes, namespace: "games", createNamespace: false };
    const stack = stackOf(raw, "dev");
    const doc = await evaluate({
      ...stack,
      config: { ...stack.config, "gamedb:kubeconfig": "apiVersion: v1\nclusters: [{name: SECRET-CLUSTER}]\n" },
      secretKeys: ["gamedb:kubeconfig"],
    });
    expect(get(doc, "pulumi:providers:kubernetes", "gamedb-k8s").inputs.kubeconfig).toBe("[secret]");
    expect(JSON.stringify(doc)).not.toContain("SECRET-CLUSTER");
    expect(doc.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace")).toEqual([]);
    expect((get(doc, DEPLOYMENT, "shard1-router").inputs as Any).metadata.namespace).toBe("games");
  });

  it("uses the ambient kubeconfig when none is set", async () => {
    const doc = await planOf("dev");
    expect(get(doc, "pulumi:providers:kubernetes", "gamedb-k8s").inputs.kubeconfig).toBeUndefined();
    expect((get(doc, "kubernetes:core/v1:Namespace", "gamedb-namespace").inputs as Any).metadata.name).toBe("gamedb");
  });
});
