/**
 * Copies of the prod plan broken in one place for the NetworkPolicy rules (GDB-K8S-005, GDB-K8S-006), shaped as
 * rules.test.ts's FIXTURES: each returns the URN the violation must name.
 */
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { drop, res } from "./fixtures";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface NetworkPolicyFixture {
  rule: string;
  what: string;
  reason: RegExp;
  breakIt: (doc: PlanDocument) => string;
}

export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const STATEFULSET = "kubernetes:apps/v1:StatefulSet";

/** The spec of one of the program's policies in a plan copy (to mutate it). */
export const policySpec = (doc: PlanDocument, key: string): Obj =>
  (res(doc, NETWORK_POLICY, `gamedb-network-policies-${key}`).inputs as Obj).spec;

export const NETWORK_POLICY_FIXTURES: NetworkPolicyFixture[] = [
  {
    rule: "GDB-K8S-005",
    what: "the default deny is gone",
    reason: /no ingress NetworkPolicy in namespace gamedb selects its pods/,
    breakIt: (doc) => (
      drop(doc, NETWORK_POLICY, "gamedb-network-policies-default-deny"),
      res(doc, CRONJOB, "gamedb-restore-verify").urn
    ),
  },
  {
    rule: "GDB-K8S-005",
    what: "the default deny limits egress instead of ingress",
    reason: /no ingress NetworkPolicy in namespace gamedb selects its pods/,
    breakIt: (doc) => {
      policySpec(doc, "default-deny").policyTypes = ["Egress"];
      return res(doc, DEPLOYMENT, "gamedb-monitor").urn;
    },
  },
  {
    rule: "GDB-K8S-006",
    what: "the Routers' allow has no from",
    reason: /NetworkPolicy gamedb-routers-ingress ingress\[0\] \(ports 6446, 6447, 6448, 6449, 6450\) has no from/,
    breakIt: (doc) => {
      delete policySpec(doc, "routers").ingress[0].from;
      return res(doc, DEPLOYMENT, "shard1-router").urn;
    },
  },
  {
    rule: "GDB-K8S-006",
    what: "Redis admits every namespace",
    reason: /gamedb-redis-ingress ingress\[0\] \(ports 6379\) from\[0\] admits pods of every namespace/,
    breakIt: (doc) => {
      policySpec(doc, "redis").ingress[0].from[0] = { namespaceSelector: {} };
      return res(doc, STATEFULSET, "gamedb-redis").urn;
    },
  },
  {
    rule: "GDB-K8S-006",
    what: "a game namespace is selected by a label its owners set",
    reason: /from\[0\] selects namespaces by labels other than kubernetes.io\/metadata.name/,
    breakIt: (doc) => {
      policySpec(doc, "routers").ingress[0].from[0] = { namespaceSelector: { matchLabels: { team: "game" } } };
      return res(doc, DEPLOYMENT, "shard2-router").urn;
    },
  },
  {
    rule: "GDB-K8S-006",
    what: "the Redis bus admits an address block",
    reason: /ingress\[1\] \(ports 6379, 16379\) from\[1\] admits the addresses 0.0.0.0\/0 \(an ipBlock\)/,
    breakIt: (doc) => {
      policySpec(doc, "redis").ingress[1].from.push({ ipBlock: { cidr: "0.0.0.0/0" } });
      return res(doc, STATEFULSET, "gamedb-redis").urn;
    },
  },
  {
    rule: "GDB-K8S-006",
    what: "the Routers admit every pod of the namespace",
    reason: /ingress\[0\] \(ports 6446, 6447, 6448, 6449, 6450\) from\[1\] admits every pod of its namespace/,
    breakIt: (doc) => {
      policySpec(doc, "routers").ingress[0].from[1] = { podSelector: {} };
      return res(doc, DEPLOYMENT, "shard3-router").urn;
    },
  },
  {
    rule: "GDB-K8S-006",
    what: "no policy selects the Routers at all",
    reason: /no ingress NetworkPolicy selects its pods: every pod reaches 6446, 6447, 6448, 6449, 6450$/,
    breakIt: (doc) => {
      drop(doc, NETWORK_POLICY, "gamedb-network-policies-routers");
      drop(doc, NETWORK_POLICY, "gamedb-network-policies-default-deny");
      return res(doc, DEPLOYMENT, "shard4-router").urn;
    },
  },
];
