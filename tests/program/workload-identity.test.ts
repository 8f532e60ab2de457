/**
 * kubernetes.awsAccess under Pulumi's mocks: each pod that calls AWS (monitor, restore verification, partition
 * maintenance) gets its own ServiceAccount without the API token, and, by mode, an IAM role for EKS Pod Identity or
 * IRSA (trust pinned to that one ServiceAccount), or an IAM user with a key (only when the config says accessKeys).
 * The role's policy is the workload's own, whatever the mode.
 */
import { evaluate } from "../../scripts/lib/evaluate";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { stackOf } from "../helpers/stack";
import { resourceOf as get } from "../helpers/plan";
import { RawConfig, validProd } from "../helpers/configs";
import { trustPolicy } from "../../infra/workloadAccess";

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const WORKLOADS = ["gamedb-monitor", "gamedb-restore-verify", "gamedb-partitions"];
const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123";

function prodWith(awsAccess: Record<string, string>): RawConfig {
  const raw = validProd();
  raw.kubernetes = { ...raw.kubernetes, awsAccess };
  raw.schema = {
    database: "game",
    image: "registry.example.com/gamedb/gamedb-migrate:0.1.0",
    partitioned: [{ table: "game_logs", column: "logged_at" }],
  };
  return raw;
}

/** The pod spec of a workload's Deployment or CronJob. */
function podOf(doc: PlanDocument, name: string): Any {
  const r = doc.resources.find(
    (x) => x.name === name && ["kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:CronJob"].includes(x.type),
  )!;
  const spec = r.inputs.spec as Any;
  return spec.template?.spec ?? spec.jobTemplate.spec.template.spec;
}

const envNames = (pod: Any): string[] => pod.containers.flatMap((c: Any) => (c.env ?? []).map((e: Any) => e.name));
const typesNamed = (doc: PlanDocument, name: string) =>
  doc.resources.filter((r) => r.name === name && /^(aws:iam|aws:eks)/.test(r.type)).map((r) => r.type);

describe("workload identity", () => {
  it("podIdentity: a role trusted by pods.eks.amazonaws.com, associated with the workload's ServiceAccount", async () => {
    const doc = await evaluate(stackOf(prodWith({ mode: "podIdentity", clusterName: "game-eks" }), "prod"));
    for (const name of WORKLOADS) {
      expect(typesNamed(doc, name).sort()).toEqual([
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
      ]);
      const role = get(doc, "aws:iam/role:Role", name).inputs as Any;
      expect(role.name).toBe(name.replace("gamedb-", "gamedb-prod-"));
      expect(JSON.parse(role.assumeRolePolicy).Statement).toEqual([
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ]);
      expect(get(doc, "aws:eks/podIdentityAssociation:PodIdentityAssociation", name).inputs).toEqual({
        clusterName: "game-eks",
        namespace: "gamedb",
        serviceAccount: name,
        roleArn: expect.any(String),
      });
      const account = get(doc, "kubernetes:core/v1:ServiceAccount", name).inputs as Any;
      expect(account.automountServiceAccountToken).toBe(false);
      expect(account.metadata.annotations).toBeUndefined();
      const pod = podOf(doc, name);
      expect([pod.serviceAccountName, pod.automountServiceAccountToken]).toEqual([name, false]);
      // No key; and no fallback to the node's role if EKS's webhook did not inject the credentials.
      expect(pod.containers[0].env.filter((e: Any) => e.name.startsWith("AWS_") && e.name !== "AWS_REGION")).toEqual([
        { name: "AWS_EC2_METADATA_DISABLED", value: "true" },
      ]);
      // The pod is created only after the association has had time to reach the webhook.
      const settle = get(doc, "command:local:Command", `${name}-association-settle`);
      expect(settle.inputs.create).toBe("sleep 30");
      const workload = doc.resources.find(
        (x) => x.name === name && ["kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:CronJob"].includes(x.type),
      )!;
      expect(workload.options.dependsOn).toContain(settle.urn);
    }
    expect(
      (get(doc, "kubernetes:apps/v1:Deployment", "gamedb-monitor").inputs as Any).spec.template.metadata.annotations[
        "gamedb/aws-identity"
      ],
    ).toMatch(/^podIdentity:arn:aws:iam::/);
    // No pod of the stack holds a key, and none mounts the API token.
    expect(doc.resources.filter((r) => r.type === "aws:iam/accessKey:AccessKey").map((r) => r.name)).toEqual([]);
  });

  it("irsa: a role only that namespace's ServiceAccount may assume, named in the ServiceAccount's annotation", async () => {
    const doc = await evaluate(stackOf(prodWith({ mode: "irsa", oidcProviderArn: OIDC }), "prod"));
    for (const name of WORKLOADS) {
      expect(typesNamed(doc, name).sort()).toEqual(["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"]);
      const role = get(doc, "aws:iam/role:Role", name).inputs as Any;
      expect(JSON.parse(role.assumeRolePolicy).Statement).toEqual([
        {
          Effect: "Allow",
          Principal: { Federated: OIDC },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${ISSUER}:sub`]: `system:serviceaccount:gamedb:${name}`,
              [`${ISSUER}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ]);
      const account = get(doc, "kubernetes:core/v1:ServiceAccount", name).inputs as Any;
      expect(Object.keys(account.metadata.annotations)).toEqual(["eks.amazonaws.com/role-arn"]);
      expect(podOf(doc, name).serviceAccountName).toBe(name);
    }
  });

  it("accessKeys: an IAM user and key per workload, in its Secret, only because the config asks", async () => {
    const doc = await evaluate(stackOf(prodWith({ mode: "accessKeys" }), "prod"));
    for (const name of WORKLOADS) {
      expect(typesNamed(doc, name).sort()).toEqual([
        "aws:iam/accessKey:AccessKey",
        "aws:iam/user:User",
        "aws:iam/userPolicy:UserPolicy",
      ]);
      expect(get(doc, "kubernetes:core/v1:Secret", name).inputs.stringData).toBe("[secret]");
      const pod = podOf(doc, name);
      expect(envNames(pod)).toEqual(expect.arrayContaining(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]));
      expect(pod.automountServiceAccountToken).toBe(false);
    }
  });

  it("keeps each workload's policy whatever the mode", async () => {
    const policies = async (awsAccess: Record<string, string>, type: string) => {
      const doc = await evaluate(stackOf(prodWith(awsAccess), "prod"));
      return WORKLOADS.map((n) => get(doc, type, n).inputs.policy);
    };
    const keys = await policies({ mode: "accessKeys" }, "aws:iam/userPolicy:UserPolicy");
    expect(await policies({ mode: "podIdentity", clusterName: "c" }, "aws:iam/rolePolicy:RolePolicy")).toEqual(keys);
    expect(await policies({ mode: "irsa", oidcProviderArn: OIDC }, "aws:iam/rolePolicy:RolePolicy")).toEqual(keys);
  });

  it("has no trust policy for access keys (there is no role)", () => {
    expect(trustPolicy({ mode: "accessKeys" }, "gamedb", "gamedb-monitor")).toBeUndefined();
  });
});
