/**
 * The config keys of issue 18's security work: how gamedb's pods get AWS credentials, which namespaces reach the
 * Routers and Redis, and the stack's own certificate authority. Shapes only; schema.ts places them.
 */
import { z } from "zod";
import { strict } from "./fields";

/** A Kubernetes namespace name (an RFC 1123 label: 63 characters at most). */
export const k8sNamespace = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  error: "must be a Kubernetes namespace name: 1-63 characters of a-z, 0-9 and '-', not starting or ending with '-'",
});

/** EKS cluster names: 1-100 characters, letters, digits, '-' and '_', starting with a letter or digit. */
const eksClusterName = z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, {
  error: "must be an EKS cluster name: 1-100 characters of letters, digits, '-' and '_'",
});

const oidcProviderArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._-]+)*$/, {
    error:
      "must be an IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF",
  });

export const AWS_ACCESS_MODES = ["podIdentity", "irsa", "accessKeys"] as const;

/**
 * How the pods that call AWS (monitor, restore verification, partition maintenance) get credentials. Required: no
 * choice is right for every cluster, and the one that works anywhere (access keys) is the one to avoid.
 */
export const awsAccessSection = z.discriminatedUnion(
  "mode",
  [
    /** EKS Pod Identity: a role per workload, associated with its service account (needs the agent add-on). */
    strict({ mode: z.literal("podIdentity"), clusterName: eksClusterName }),
    /** IAM roles for service accounts: a role per workload that trusts the cluster's OIDC provider. */
    strict({ mode: z.literal("irsa"), oidcProviderArn }),
    /** An IAM user and a long-lived access key per workload, in a Kubernetes Secret: clusters outside EKS only. */
    strict({ mode: z.literal("accessKeys") }),
  ],
  { error: `must be an object whose mode is one of ${AWS_ACCESS_MODES.join(", ")}` },
);

/**
 * How static hosts (outside AWS, no instance role) get AWS credentials for backups. Only access keys today, and only
 * when the config says so; IAM Roles Anywhere would be a second mode.
 */
export const staticAwsAccess = strict({ mode: z.literal("accessKeys") });

/** The stack's certificate authority (@pulumi/tls), which signs the Redis (and MySQL) server certificates. */
export const tlsSection = strict({
  /** Raise by one to replace the CA and every certificate it signed (a leaked key, a new policy). @default 0 */
  caRotation: z.int().min(0).max(1_000_000).default(0),
  /** Days the CA certificate is valid. @default 3650 */
  caValidityDays: z.int().min(30).max(36500).default(3650),
  /**
   * Days each server certificate is valid; a deploy within 30 days of its expiry renews it (so at least 60: less
   * would renew, and roll the Redis pods and Routers, on almost every deploy). @default 365
   */
  certValidityDays: z.int().min(60).max(3650).default(365),
});
