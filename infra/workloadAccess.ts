/**
 * How one of gamedb's pods gets AWS credentials (gamedb:kubernetes.awsAccess): its own ServiceAccount, and
 *   podIdentity  an IAM role trusted by EKS Pod Identity, associated with that ServiceAccount;
 *   irsa         an IAM role trusted by the cluster's OIDC provider for that ServiceAccount only, named in the
 *                ServiceAccount's eks.amazonaws.com/role-arn annotation;
 *   accessKeys   an IAM user and a long-lived key in the pod's Secret (clusters outside EKS; the config asks).
 * The role (or user) has the workload's one inline policy; least privilege is the caller's policy, unchanged.
 *
 * No pod mounts the Kubernetes API token (automountServiceAccountToken: false on the ServiceAccount and the pod):
 * none of them calls the API. EKS's webhook injects its own projected token volume for IRSA and Pod Identity,
 * whatever automount says (aws/amazon-eks-pod-identity-webhook v0.6.9 pkg/handler/handler.go getPodSpecPatch), and
 * the SDK (and MySQL Shell through a credential process) reads that.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import type { StackConfig } from "./config/schema";
import { serviceUser } from "./iam";

export type AwsAccess = StackConfig["kubernetes"]["awsAccess"];

/** The role's trust policy for one ServiceAccount; undefined with access keys (no role). Pure. */
export function trustPolicy(access: AwsAccess, namespace: string, serviceAccount: string): string | undefined {
  switch (access.mode) {
    case "podIdentity":
      // The EKS Pod Identity trust (AWS EKS user guide, pod-id-role.html): the service assumes and tags.
      return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
          },
        ],
      });
    case "irsa": {
      // The issuer is the ARN's resource part (oidc.eks.<region>.amazonaws.com/id/<ID>); sub pins the one account.
      const issuer = access.oidcProviderArn.slice(access.oidcProviderArn.indexOf(":oidc-provider/") + 15);
      return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: access.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                [`${issuer}:aud`]: "sts.amazonaws.com",
              },
            },
          },
        ],
      });
    }
    case "accessKeys":
      return undefined;
  }
}

export interface WorkloadAccessArgs {
  readonly access: AwsAccess;
  /** The namespace as configured (the trust policy names it) and as an Output (the ServiceAccount depends on it). */
  readonly namespaceName: string;
  readonly namespace: pulumi.Input<string>;
  /** The ServiceAccount's name, which the pod runs as. */
  readonly serviceAccount: string;
  readonly labels: Record<string, string>;
  /** `gamedb-<env>-<workload>`: the role's or the user's name. */
  readonly iamName: string;
  /** The workload's one inline policy. */
  readonly policy: pulumi.Input<string>;
  readonly awsProvider: pulumi.ProviderResource;
}

export type EnvVar =
  { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

export interface WorkloadAccess {
  /** The ServiceAccount the pod runs as. */
  readonly serviceAccountName: string;
  /** The pod's Secret entries: the key pair with access keys, nothing otherwise. */
  readonly secretData: Record<string, pulumi.Output<string>>;
  /** The container's AWS env: the key pair from the Secret named `secretName`, or the IMDS switch-off. */
  env(secretName: string): EnvVar[];
  /** The role's ARN or the user's name, as a pod annotation: a change of either rolls a long-running pod. */
  readonly identity: pulumi.Output<string>;
  /** The pod waits for these (the role's policy, the association) so its first call is allowed. */
  readonly ready: pulumi.Resource[];
}

/**
 * Seconds a new Pod Identity association takes to reach EKS's webhook: the AWS API calls associations eventually
 * consistent ("may take several seconds to be effective"), and the webhook leaves a pod it has no association for
 * untouched (amazon-eks-pod-identity-webhook v0.6.9 pkg/handler/handler.go buildPodPatchConfig), so a pod admitted
 * too early would run with no credentials until it is replaced.
 */
export const ASSOCIATION_SETTLE_SECONDS = 30;

const KEY_ENV: [string, string][] = [
  ["AWS_ACCESS_KEY_ID", "aws-access-key-id"],
  ["AWS_SECRET_ACCESS_KEY", "aws-secret-access-key"],
];

/** The pod-spec fields every workload with AWS access sets. Pure. */
export function podIdentityFields(serviceAccountName: string) {
  return { serviceAccountName, automountServiceAccountToken: false };
}

/** `<name>` ServiceAccount, and the role (`<name>`) or user (`<name>`) of `args.access`. */
export function workloadAccess(name: string, args: WorkloadAccessArgs, parent: pulumi.Resource): WorkloadAccess {
  const awsOpts = { parent, provider: args.awsProvider };
  const { access } = args;
  const ready: pulumi.Resource[] = [];
  let secretData: Record<string, pulumi.Output<string>> = {};
  let roleArn: pulumi.Output<string> | undefined;
  let identity: pulumi.Output<string>;

  if (access.mode === "accessKeys") {
    const key = serviceUser(name, args.iamName, args.policy, awsOpts);
    secretData = { "aws-access-key-id": key.id, "aws-secret-access-key": key.secret };
    identity = key.user.apply((u) => `accessKeys:${u}`);
  } else {
    const role = new aws.iam.Role(
      name,
      {
        name: args.iamName,
        path: "/gamedb/",
        assumeRolePolicy: trustPolicy(access, args.namespaceName, args.serviceAccount)!,
        maxSessionDuration: 3600,
      },
      awsOpts,
    );
    ready.push(new aws.iam.RolePolicy(name, { role: role.name, policy: args.policy }, awsOpts));
    roleArn = role.arn;
    identity = role.arn.apply((arn) => `${access.mode}:${arn}`);
  }

  const serviceAccount = new k8s.core.v1.ServiceAccount(
    name,
    {
      metadata: {
        name: args.serviceAccount,
        namespace: args.namespace,
        labels: args.labels,
        ...(access.mode === "irsa" && roleArn ? { annotations: { "eks.amazonaws.com/role-arn": roleArn } } : {}),
      },
      automountServiceAccountToken: false,
    },
    { parent },
  );
  ready.push(serviceAccount);
  if (access.mode === "podIdentity" && roleArn) {
    const association = new aws.eks.PodIdentityAssociation(
      name,
      { clusterName: access.clusterName, namespace: args.namespaceName, serviceAccount: args.serviceAccount, roleArn },
      awsOpts,
    );
    // Runs on the machine running `pulumi up`, once per association (its id is the trigger).
    ready.push(
      new command.local.Command(
        `${name}-association-settle`,
        { create: `sleep ${ASSOCIATION_SETTLE_SECONDS}`, triggers: [association.associationId] },
        { parent, dependsOn: [association] },
      ),
    );
  }
  return {
    serviceAccountName: args.serviceAccount,
    secretData,
    env: (secretName) =>
      access.mode === "accessKeys"
        ? KEY_ENV.map(([env, key]) => ({ name: env, valueFrom: { secretKeyRef: { name: secretName, key } } }))
        : // Without the webhook's env the SDK would fall back to the node's instance role: fail instead.
          [{ name: "AWS_EC2_METADATA_DISABLED", value: "true" }],
    identity,
    ready,
  };
}
