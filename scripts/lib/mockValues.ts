import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

/** A stable number from a name, for mock addresses. */
function hashOf(name: string): number {
  return createHash("sha256").update(name).digest().readUInt32BE(0);
}

/** A made-up private address, fixed per resource name (the offline plan has no cloud to ask). */
export function mockPrivateIp(name: string): string {
  const h = hashOf(name);
  return `10.255.${(h >>> 8) & 0xff}.${1 + ((h & 0xff) % 254)}`;
}

/** The id the offline plan gives a custom resource: policy checks link a bucket's satellites to it by this value. */
export function mockId(name: string): string {
  return `${name}-id`;
}

/** The value the offline plan gives a generated secret: recognisable, so tests can prove it never leaks. */
export function mockSecret(name: string): string {
  return `mock-secret-of-${name}`;
}

/**
 * What the mock runtime answers for provider-computed values: deterministic ids, ARNs, addresses and secrets
 * derived from the resource name, so two plans of the same config are identical and diffs show only real changes.
 */
export function mockState(type: string, name: string, _inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      return { result: mockSecret(name) };
    case "tls:index/privateKey:PrivateKey":
      return {
        privateKeyOpenssh: mockSecret(name),
        privateKeyPem: mockSecret(name),
        publicKeyOpenssh: `ssh-ed25519 MOCK-PUBLIC-KEY-OF-${name}`,
      };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      // A PEM's shape, so readers that check for one (redis.json's CA) accept the offline plan's documents.
      return { certPem: `-----BEGIN CERTIFICATE-----\nMOCK-CERTIFICATE-OF-${name}\n-----END CERTIFICATE-----\n` };
    case "tls:index/certRequest:CertRequest":
      return {
        certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\nMOCK-CSR-OF-${name}\n-----END CERTIFICATE REQUEST-----\n`,
      };
    case "aws:ec2/instance:Instance":
      return { arn: `arn:aws:ec2:mock:000000000000:${name}`, privateIp: mockPrivateIp(name) };
    case "aws:s3/bucket:Bucket":
      // Auto-named by the provider: the mock names it after the resource.
      return { arn: `arn:aws:s3:mock:000000000000:${name}`, bucket: name };
    case "aws:ec2/keyPair:KeyPair":
      return { arn: `arn:aws:ec2:mock:000000000000:${name}`, keyName: name };
    case "aws:iam/role:Role":
    case "aws:iam/instanceProfile:InstanceProfile":
    case "aws:elasticache/subnetGroup:SubnetGroup":
    case "aws:elasticache/parameterGroup:ParameterGroup":
      // Auto-named by the provider: the mock names it after the resource.
      return { arn: `arn:aws:${type.split(":")[1]!.split("/")[0]}::000000000000:${name}`, name };
  }
  const [pkg, mod] = type.split(":");
  if (pkg !== "aws") return {};
  const service = (mod ?? "").split("/")[0];
  return { arn: `arn:aws:${service}:mock:000000000000:${name}` };
}

/** Function calls (data sources). An unknown one fails loudly rather than returning a guess. */
export function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "aws:ec2/getAmi:getAmi": {
      const filters = (inputs.filters ?? []) as { name: string; values: string[] }[];
      const arch = filters.find((f) => f.name === "architecture")?.values[0] ?? "x86_64";
      return { ...inputs, id: `ami-mock-ubuntu-noble-${arch}`, architecture: arch };
    }
    case "tls:index/getPublicKey:getPublicKey":
      return { ...inputs, publicKeyOpenssh: "ssh-ed25519 MOCK-PUBLIC-KEY-OF-CONFIGURED-KEY" };
  }
  throw new Error(`the offline plan has no mock for ${token}; add one in scripts/lib/mockValues.ts`);
}

/**
 * The mocks of the offline plan: every resource's inputs are kept in `inputs` by `type::name`, and its state is
 * its inputs plus the computed values above.
 */
export function planMocks(inputs: Map<string, Record<string, unknown>>): pulumi.runtime.Mocks {
  return {
    newResource: (args) => {
      inputs.set(`${args.type}::${args.name}`, args.inputs);
      return {
        id: args.custom ? mockId(args.name) : undefined,
        state: { ...args.inputs, ...mockState(args.type, args.name, args.inputs) },
      };
    },
    call: (args) => mockCall(args.token, args.inputs),
  };
}

/**
 * Resolves an Output's value (the mocks run outside preview, so every value is known). Through the Output's own
 * promise (internal to @pulumi/pulumi's types; output.js OutputImpl.promise) when it has one: `apply` would build a
 * whole new Output, some ten promises, for each value read, and the plan reads one per resource and dependency.
 */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  const promise = (o as unknown as { promise?: () => Promise<T> }).promise;
  if (typeof promise === "function") return promise.call(o);
  return new Promise((resolve) => o.apply((v) => (resolve(v), v)));
}
