/**
 * MySQL Router for one shard on Kubernetes: a Deployment that bootstraps against the shard's members with the
 * router account (never creating one), a Service with the classic and X protocol ports and the read-write split
 * port, and a PodDisruptionBudget. The password reaches the pod as a Secret volume read on stdin by the bootstrap.
 * Every shard's routers run the same bootstrap script, from one ConfigMap (routerBootstrapConfigMap).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { checksum, labels, restrictedContainer, selectorLabels, spread } from "../kubernetes/labels";
import { ACCOUNTS } from "../catalog/mysql";

export const ROUTER_BOOTSTRAP_SCRIPT = fs.readFileSync(path.join(__dirname, "router", "bootstrap.sh"), "utf8");

/** Router's ports: classic RW/RO, X protocol RW/RO, the read-write split (8.2+), and the REST API. */
export const ROUTER_PORTS = { rw: 6446, ro: 6447, xRw: 6448, xRo: 6449, rwSplit: 6450, http: 8443 } as const;

/** The ConfigMap that holds bootstrap.sh for every shard's routers. */
export const ROUTER_BOOTSTRAP_CONFIG_MAP = "gamedb-router-bootstrap";

/** The image's mysqlrouter user. */
export const ROUTER_UID = 999;

export interface MySqlRouterArgs {
  /** The shard's key (`shard<id>`), which names the Kubernetes objects and labels the pods. */
  readonly shardKey: string;
  /** The Kubernetes namespace of the Deployment, Service, Secret and PodDisruptionBudget. */
  readonly namespace: pulumi.Input<string>;
  /** The router image (router.image, or routerImage of the server version); a change rolls the pods. */
  readonly image: string;
  /** The number of router pods (router.replicas). */
  readonly replicas: number;
  /** "host:3306" of every member; the bootstrap tries them in order. */
  readonly members: pulumi.Output<string[]>;
  /** The router account's password (secret), from the shard's InnoDbCluster. */
  readonly password: pulumi.Output<string>;
  /** mysql.passwordRotation: a rotation rolls the pods, which read the password only when they bootstrap. */
  readonly passwordRotation: number;
  /** The shard's cluster: routers start once it is formed and its router account exists. */
  readonly cluster: pulumi.Resource;
  /** The ConfigMap with the bootstrap script (routerBootstrapConfigMap): pods start once it exists. */
  readonly bootstrap: k8s.core.v1.ConfigMap;
  /** The stack CA's certificate (PEM, public), also in that ConfigMap: a new CA rolls the pods. */
  readonly caPem: pulumi.Output<string>;
  /**
   * The certificate (signed by the stack's CA, naming the Service's DNS names) and key the Router presents to clients
   * that use TLS; in the router's Secret. A renewed certificate rolls the pods (the Router reads it at start).
   */
  readonly clientTls: { readonly certPem: pulumi.Output<string>; readonly keyPem: pulumi.Output<string> };
}

/** The names a shard's Router Service answers to in `namespace`: what its client-side certificate names. Pure. */
export function routerServiceNames(shardKey: string, namespace: string): string[] {
  const service = `gamedb-${shardKey}-router`;
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

/**
 * The one ConfigMap of the routers' bootstrap script and the CA certificate they verify the members with (public), in
 * the routers' namespace.
 */
export function routerBootstrapConfigMap(
  namespace: pulumi.Input<string>,
  caPem: pulumi.Input<string>,
  opts?: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(
    ROUTER_BOOTSTRAP_CONFIG_MAP,
    {
      metadata: {
        name: ROUTER_BOOTSTRAP_CONFIG_MAP,
        namespace,
        labels: labels(ROUTER_BOOTSTRAP_CONFIG_MAP, "mysql-router"),
      },
      data: { "bootstrap.sh": ROUTER_BOOTSTRAP_SCRIPT, "ca.pem": caPem },
    },
    opts,
  );
}

/** The pod template of a router: pure, so tests and the checksum see exactly what runs. */
export function routerPodSpec(name: string, image: string, members: string[], secretName: string) {
  const ports = Object.entries(ROUTER_PORTS).map(([key, port]) => ({
    name: key === "http" ? "http" : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
    containerPort: port,
  }));
  return {
    // No pod of gamedb calls the Kubernetes API: none mounts its token (CKV_K8S_38).
    automountServiceAccountToken: false,
    securityContext: { fsGroup: ROUTER_UID, runAsNonRoot: true },
    ...spread(selectorLabels(name, "mysql-router")),
    containers: [
      {
        name: "router",
        image,
        command: ["/bin/bash", "/etc/gamedb/bootstrap.sh"],
        env: [
          { name: "ROUTER_MEMBERS", value: members.join(" ") },
          { name: "ROUTER_ACCOUNT", value: ACCOUNTS.router },
          { name: "ROUTER_CONF_DIR", value: "/run/mysqlrouter/conf" },
          { name: "ROUTER_PASSWORD_FILE", value: "/etc/gamedb/secret/password" },
          { name: "ROUTER_CA_FILE", value: "/etc/gamedb/ca.pem" },
          { name: "ROUTER_CLIENT_CERT_FILE", value: "/etc/gamedb/secret/tls.crt" },
          { name: "ROUTER_CLIENT_KEY_FILE", value: "/etc/gamedb/secret/tls.key" },
        ],
        ports,
        // Ready once the REST API answers (its unauthenticated spec document) and the RW route listens.
        readinessProbe: {
          httpGet: { path: "/api/20190715/swagger.json", port: ROUTER_PORTS.http, scheme: "HTTPS" },
          periodSeconds: 5,
          failureThreshold: 3,
        },
        livenessProbe: { tcpSocket: { port: ROUTER_PORTS.rw }, initialDelaySeconds: 30, periodSeconds: 10 },
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        securityContext: restrictedContainer(ROUTER_UID),
        volumeMounts: [
          { name: "bootstrap", mountPath: "/etc/gamedb/bootstrap.sh", subPath: "bootstrap.sh", readOnly: true },
          { name: "bootstrap", mountPath: "/etc/gamedb/ca.pem", subPath: "ca.pem", readOnly: true },
          { name: "secret", mountPath: "/etc/gamedb/secret", readOnly: true },
          { name: "run", mountPath: "/run/mysqlrouter" },
          { name: "tmp", mountPath: "/tmp" },
        ],
      },
    ],
    volumes: [
      { name: "bootstrap", configMap: { name: ROUTER_BOOTSTRAP_CONFIG_MAP, defaultMode: 0o555 } },
      { name: "secret", secret: { secretName, defaultMode: 0o440 } },
      { name: "run", emptyDir: {} },
      { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
    ],
  };
}

export class MySqlRouter extends pulumi.ComponentResource {
  /** Cluster DNS name of the Service, e.g. gamedb-shard1-router.gamedb.svc.cluster.local */
  readonly serviceHost: pulumi.Output<string>;
  readonly ports = ROUTER_PORTS;

  constructor(name: string, args: MySqlRouterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:mysql:Router", name, {}, opts);
    const child = { parent: this };
    const k8sName = `gamedb-${args.shardKey}-router`;
    const meta = (suffix = "") => ({
      name: `${k8sName}${suffix}`,
      namespace: args.namespace,
      labels: labels(k8sName, "mysql-router", { "gamedb/shard": args.shardKey }),
    });
    const secret = new k8s.core.v1.Secret(
      `${name}-password`,
      {
        metadata: meta(),
        type: "Opaque",
        stringData: { password: args.password, "tls.crt": args.clientTls.certPem, "tls.key": args.clientTls.keyPem },
      },
      child,
    );
    const selector = selectorLabels(k8sName, "mysql-router");
    new k8s.apps.v1.Deployment(
      name,
      {
        metadata: meta(),
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: selector },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: pulumi
            .all([args.members, args.caPem, args.clientTls.certPem])
            .apply(([members, caPem, clientCertPem]) => ({
              metadata: {
                labels: labels(k8sName, "mysql-router", { "gamedb/shard": args.shardKey }),
                // A change of what the router bootstraps from (members, script, image) rolls the pods.
                annotations: {
                  "gamedb/bootstrap-checksum": checksum({
                    members,
                    script: ROUTER_BOOTSTRAP_SCRIPT,
                    image: args.image,
                    caPem,
                    clientCertPem,
                    ...(args.passwordRotation > 0 ? { passwordRotation: args.passwordRotation } : {}),
                  }),
                },
              },
              spec: routerPodSpec(k8sName, args.image, members, k8sName),
            })),
        },
      },
      { parent: this, dependsOn: [secret, args.bootstrap, args.cluster] },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      name,
      { metadata: meta(), spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
      child,
    );
    const service = new k8s.core.v1.Service(
      name,
      {
        metadata: meta(),
        spec: {
          type: "ClusterIP",
          selector,
          ports: [
            { name: "rw", port: ROUTER_PORTS.rw, targetPort: ROUTER_PORTS.rw },
            { name: "ro", port: ROUTER_PORTS.ro, targetPort: ROUTER_PORTS.ro },
            { name: "x-rw", port: ROUTER_PORTS.xRw, targetPort: ROUTER_PORTS.xRw },
            { name: "x-ro", port: ROUTER_PORTS.xRo, targetPort: ROUTER_PORTS.xRo },
            { name: "rw-split", port: ROUTER_PORTS.rwSplit, targetPort: ROUTER_PORTS.rwSplit },
          ],
        },
      },
      child,
    );
    this.serviceHost = pulumi.interpolate`${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`;
    this.registerOutputs({ serviceHost: this.serviceHost });
  }
}
