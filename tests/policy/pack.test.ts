/**
 * The policy pack's adapter (policy/pack.ts), with PolicyResource-like objects built the way the Pulumi analyzer
 * builds them (props, opts, parent, propertyDependencies). The Pulumi CLI is not needed: validateStack is called
 * directly. On a real plan the pack must report what the offline check reports, since both run the same rules.
 */
import type { PolicyResource as PulumiResource, StackValidationArgs } from "@pulumi/policy";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { MOCK_VALUES, checkPlanDocument, fromPlanDocument } from "../../scripts/lib/policyPlan";
import { RULES } from "../../policy/rules";
import { adaptStack, environmentOf, policies } from "../../policy/pack";
import { copyOf, drop, res, shippedPlan } from "./fixtures";

/**
 * Pulumi's analyzer resources for a plan: references become propertyDependencies, as the engine sends them.
 * `linkedBy` is the plan the references are read from (default: the same plan).
 */
function analyzerResources(doc: PlanDocument, linkedBy: PlanDocument = doc): PulumiResource[] {
  const refs = new Map(fromPlanDocument(linkedBy, MOCK_VALUES).resources.map((r) => [r.urn, r.refs]));
  const out = new Map<string, PulumiResource>();
  for (const r of doc.resources) {
    out.set(r.urn, {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: r.inputs,
      opts: {
        protect: r.options.protect,
        ignoreChanges: r.options.ignoreChanges,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
      },
      dependencies: [],
      propertyDependencies: {},
      // Typed helpers of the analyzer; gamedb's rules match type tokens instead.
      isType: () => false,
      asType: () => undefined,
    });
  }
  for (const r of doc.resources) {
    const p = out.get(r.urn)!;
    p.parent = r.parent ? out.get(r.parent) : undefined;
    p.dependencies = r.dependencies.map((u) => out.get(u)!).filter(Boolean);
    p.propertyDependencies = Object.fromEntries(
      Object.entries(refs.get(r.urn) ?? {}).map(([k, urns]) => [k, urns.map((u) => out.get(u)!)]),
    );
  }
  return [...out.values()];
}

class NotApplicable extends Error {}

/** Runs one pack policy as the analyzer would; returns its reports, or the reason it was not applicable. */
function runPolicy(
  id: string,
  resources: PulumiResource[],
  config: { environment?: string } = {},
): { reports: { message: string; urn?: string }[]; notApplicable?: string; thrown?: unknown } {
  const policy = policies.find((p) => p.name === id)!;
  const reports: { message: string; urn?: string }[] = [];
  const args: StackValidationArgs = {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  };
  try {
    void policy.validateStack(args, (message, urn) => reports.push({ message, urn }));
  } catch (e) {
    if (e instanceof NotApplicable) return { reports, notApplicable: e.message };
    return { reports, thrown: e };
  }
  return { reports };
}

/** What @pulumi/policy throws when a rule reads a value unknown during preview (the class is internal). */
class UnknownValueError extends Error {}

describe("policy pack", () => {
  it("has one mandatory policy per rule, named by its id and described with its checkov and FSBP ids", () => {
    expect(policies.map((p) => p.name)).toEqual(RULES.map((r) => r.id));
    const s3 = policies.find((p) => p.name === "GDB-S3-004")!;
    expect(s3.description).toBe("S3 bucket policy denies requests without TLS (checkov CKV_AWS_379; FSBP S3.5)");
    for (const p of policies) {
      expect(p.name).toMatch(/^[a-zA-Z0-9-_.]{1,100}$/); // what the analyzer accepts
      expect(p.enforcementLevel).toBe("mandatory");
    }
  });

  it("reports on a real prod plan what the offline check reports, for every rule it can run", async () => {
    const doc = copyOf(await shippedPlan("prod"));
    drop(doc, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "gamedb-backup");
    (
      res(doc, "aws:ec2/instance:Instance", "shard1-node0").inputs.metadataOptions as Record<string, unknown>
    ).httpTokens = "optional";
    const offline = checkPlanDocument(doc);
    const resources = analyzerResources(doc);
    let compared = 0;
    for (const rule of RULES.filter((r) => !r.requires)) {
      // retainOnDelete is not part of the analyzer protocol: the pack checks protect only.
      const expected = offline.violations
        .filter((v) => v.ruleId === rule.id && !/retainOnDelete/.test(v.reason))
        .map((v) => ({ message: v.reason, urn: v.urn }));
      expect({ rule: rule.id, ...runPolicy(rule.id, resources) }).toEqual({ rule: rule.id, reports: expected });
      compared += expected.length;
    }
    // The comparison saw the two breaks above, not only empty lists.
    expect(compared).toBeGreaterThanOrEqual(2);
    expect(runPolicy("GDB-S3-001", resources).reports).toContainEqual({
      message: "no BucketPublicAccessBlock refers to this bucket",
      urn: res(doc, "aws:s3/bucket:Bucket", "gamedb-backup").urn,
    });
  });

  it("links satellites by property dependencies, not by the bucket id values", async () => {
    const shipped = await shippedPlan("prod");
    const doc = copyOf(shipped);
    // In a preview of a new stack the ids are not known yet; the dependencies still are.
    for (const r of doc.resources) if (r.type.startsWith("aws:s3/")) r.inputs.bucket = "<computed>";
    const urn = res(doc, "aws:s3/bucket:Bucket", "gamedb-backup").urn;
    expect(runPolicy("GDB-S3-002", analyzerResources(doc, shipped)).reports.map((r) => r.urn)).not.toContain(urn);
    // Without them the versioning is not linked, and the rule says so: the test above is not vacuous.
    expect(runPolicy("GDB-S3-002", analyzerResources(doc)).reports.map((r) => r.urn)).toContain(urn);
  });

  it("skips the rules that need secret markers: the analyzer hands secrets over decrypted", async () => {
    const resources = analyzerResources(await shippedPlan("prod"));
    expect(adaptStack(resources).secretsMarked).toBe(false);
    for (const id of ["GDB-SEC-001", "GDB-SEC-002"])
      expect(runPolicy(id, resources).notApplicable).toMatch(/the offline plan checks it/);
  });

  it("reports what it can see and rethrows a value unknown during preview", async () => {
    const doc = copyOf(await shippedPlan("prod"));
    for (const name of ["shard1-node0", "shard1-node1"])
      (res(doc, "aws:ec2/instance:Instance", name).inputs.metadataOptions as Record<string, unknown>).httpTokens =
        "optional";
    const resources = analyzerResources(doc);
    const unknown = new UnknownValueError("metadataOptions can't be known during preview");
    const i = resources.find((r) => r.name === "shard1-node0" && r.type === "aws:ec2/instance:Instance")!;
    i.props = new Proxy(i.props, {
      get: (target, key) => {
        if (key === "metadataOptions") throw unknown;
        return (target as Record<string | symbol, unknown>)[key];
      },
    });
    const { reports, thrown } = runPolicy("GDB-EC2-001", resources);
    expect(thrown).toBe(unknown);
    expect(reports.map((r) => r.urn)).toEqual([res(doc, "aws:ec2/instance:Instance", "shard1-node1").urn]);
  });

  it("lets any other error from a rule through", async () => {
    const resources = analyzerResources(await shippedPlan("dev"));
    const i = resources.find((r) => r.type === "aws:ec2/instance:Instance")!;
    i.props = new Proxy(i.props, {
      get: () => {
        throw new TypeError("boom");
      },
    });
    expect(runPolicy("GDB-EC2-001", resources).thrown).toEqual(new TypeError("boom"));
  });

  it("finds the environment in policy config, the provider's tags, or the stack name", async () => {
    const dev = analyzerResources(await shippedPlan("dev"));
    expect(environmentOf(dev)).toBe("dev"); // from the aws provider's defaultTags
    expect(environmentOf(dev, "prod")).toBe("prod");
    const untagged = dev.filter((r) => r.type !== "pulumi:providers:aws");
    expect(environmentOf(untagged)).toBe("dev"); // from the URN's stack
    for (const v of dev.filter((r) => r.type === "aws:ebs/volume:Volume")) v.opts.protect = false;
    expect(runPolicy("GDB-DATA-001", dev).reports).toEqual([]);
    expect(runPolicy("GDB-DATA-001", dev, { environment: "prod" }).reports.length).toBeGreaterThan(0);
  });
});
