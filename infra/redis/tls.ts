/**
 * Redis on Kubernetes over TLS (redis.tls): the pods' certificate from the stack's CA, the Secret and ConfigMap
 * that carry it, and the redis.conf lines, mounts and probe that use it.
 *
 * What clients verify: the node's announced DNS name. Every pod announces
 * `gamedb-redis-<i>.gamedb-redis-headless.<namespace>.svc.cluster.local` (cluster-announce-hostname) with
 * cluster-preferred-endpoint-type hostname, so MOVED/ASK redirects and the first field of CLUSTER SLOTS carry that
 * name, not the pod IP (redis 7.2.6:src/cluster.c getPreferredEndpoint and clusterRedirectClient; 7.2.6:redis.conf
 * "cluster-announce-hostname ... TLS Server Name Indication (SNI)"). A pod IP changes on every restart, so no
 * certificate could name it in advance; the names are fixed by the StatefulSet, so one certificate for
 * `*.gamedb-redis-headless.<namespace>.svc.cluster.local` (a wildcard covers exactly one label, the pod) verifies
 * whichever node a client is sent to. Clients must keep dialling names (ioredis Cluster resolves its startup nodes
 * to IPs unless given an identity dnsLookup: ioredis 6.0.0 built/cluster/index.js resolveStartupNodeHostnames).
 *
 * Between the nodes: with tls-cluster the bus always requires a client certificate signed by tls-ca-cert-file
 * (7.2.6:src/cluster.c clusterAcceptHandler, require_auth = TLS_CLIENT_AUTH_YES), which each node presents from
 * tls-cert-file (the certificate allows client_auth); outgoing bus, replication and MIGRATE connections verify the
 * peer's chain against the CA (7.2.6:src/tls.c createSSLContext SSL_VERIFY_PEER) but no host name (no
 * SSL_set1_host in tls.c), so nodes dialling each other's IPs is fine. Clients are not asked for a certificate
 * (tls-auth-clients no, 7.2.6:src/tls.c connCreateAcceptedTLS): they authenticate with the password, as before.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { serverCertificate, type CertificateAuthority, type ServerNames } from "../tls/ca";

/** The pods' certificate and key (Secret `<name>-tls`, kubernetes.io/tls). */
export const TLS_DIR = "/etc/redis-tls";
/** The CA certificate (ConfigMap `<name>-ca`): the pods and the controller Jobs verify peers with it. */
export const CA_DIR = "/etc/redis-ca";
export const CA_FILE = `${CA_DIR}/ca.crt`;

/**
 * redis.conf's listener lines. TLS takes the plain port's number, so Services, seeds and the bus port (tls-port +
 * 10000 with tls-cluster) stay as they are; `port 0` leaves no plain listener. Pure.
 */
export function listenerConf(port: number, tls: boolean): string[] {
  if (!tls) return [`port ${port}`];
  return [
    "port 0",
    `tls-port ${port}`,
    `tls-cert-file ${TLS_DIR}/tls.crt`,
    `tls-key-file ${TLS_DIR}/tls.key`,
    `tls-ca-cert-file ${CA_FILE}`,
    "tls-auth-clients no",
    "tls-replication yes",
    "tls-cluster yes",
  ];
}

/** The names the pods' certificate answers to: every pod by its announced name, and the headless Service. Pure. */
export function redisCertificateNames(headless: string, namespace: string): ServerNames {
  const domain = `${headless}.${namespace}.svc.cluster.local`;
  return { commonName: domain, dnsNames: [`*.${domain}`, domain] };
}

/** redis-cli's TLS flags (the readiness probe, `redis-cli --cluster fix`). */
export function cliTlsArgs(caFile: string): string[] {
  return ["--tls", "--cacert", caFile];
}

export interface RedisTlsResources {
  readonly secretName: string;
  readonly caConfigMapName: string;
  readonly caConfigMap: k8s.core.v1.ConfigMap;
  readonly secret: k8s.core.v1.Secret;
  /** The CA's PEM (public): clients verify with it (redis.json). */
  readonly caPem: pulumi.Output<string>;
  /** Both certificates: a renewal or a CA rotation changes it, and so rolls the pods (Redis reads its files once). */
  readonly fingerprint: pulumi.Output<string>;
}

/**
 * `<name>-tls-{key,csr,cert}` signed by the stack's CA; the Secret `<k8sName>-tls` (the key only there, a Pulumi
 * secret) and the ConfigMap `<k8sName>-ca` (the CA certificate, never its key).
 */
export function declareRedisTls(
  name: string,
  k8sName: string,
  metadata: (n: string) => Record<string, unknown>,
  names: ServerNames,
  ca: CertificateAuthority,
  opts: pulumi.CustomResourceOptions,
): RedisTlsResources {
  const cert = serverCertificate(`${name}-tls`, ca, names, opts);
  const secretName = `${k8sName}-tls`;
  const caConfigMapName = `${k8sName}-ca`;
  const secret = new k8s.core.v1.Secret(
    `${name}-tls`,
    {
      metadata: metadata(secretName),
      type: "kubernetes.io/tls",
      stringData: { "tls.crt": cert.certPem, "tls.key": pulumi.secret(cert.keyPem) },
    },
    opts,
  );
  const caConfigMap = new k8s.core.v1.ConfigMap(
    `${name}-ca`,
    { metadata: metadata(caConfigMapName), data: { "ca.crt": ca.certPem } },
    opts,
  );
  const fingerprint = pulumi.all([cert.certPem, ca.certPem]).apply(([c, a]) => `${c}${a}`);
  return { secretName, caConfigMapName, caConfigMap, secret, caPem: ca.certPem, fingerprint };
}

/** The pods' TLS volumes: key and certificate readable by the redis group only (fsGroup), the CA. */
export function redisTlsVolumes(t: { secretName: string; caConfigMapName: string }) {
  return [
    { name: "tls", secret: { secretName: t.secretName, defaultMode: 0o440 } },
    { name: "ca", configMap: { name: t.caConfigMapName } },
  ];
}

export const REDIS_TLS_MOUNTS = [
  { name: "tls", mountPath: TLS_DIR, readOnly: true },
  { name: "ca", mountPath: CA_DIR, readOnly: true },
];
