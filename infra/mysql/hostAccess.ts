/**
 * What every shard host shares: the SSH key gamedb logs in with, and (on AWS) the EC2 key pair and the instance
 * profile. The backup issue adds the profile's S3 rights.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as tls from "@pulumi/tls";

export interface HostAccessArgs {
  /** aws creates the key pair and instance profile; static only holds the key. */
  provider: "aws" | "static";
  /**
   * The private key (OpenSSH or PEM), a secret from `gamedb:sshPrivateKey`.
   * @default a new ED25519 key from @pulumi/tls, kept (secret) in the stack's state
   */
  privateKey?: pulumi.Output<string>;
}

const EC2_ASSUME_ROLE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

export class HostAccess extends pulumi.ComponentResource {
  /** The private key remote commands log in with (secret). */
  readonly privateKey: pulumi.Output<string>;
  /** The EC2 key pair (aws only). */
  readonly keyName?: pulumi.Output<string>;
  /** The instance profile of the shard hosts (aws only). */
  readonly instanceProfileName?: pulumi.Output<string>;
  /** The role behind the instance profile, to which other components attach policies (aws only). */
  readonly roleName?: pulumi.Output<string>;

  constructor(name: string, args: HostAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:mysql:HostAccess", name, {}, opts);
    const child = { parent: this };
    let publicKey: pulumi.Output<string>;
    if (args.privateKey) {
      this.privateKey = pulumi.secret(args.privateKey);
      // ssh-keygen writes OpenSSH format; older tools write PEM. The invoke takes exactly one of the two.
      const openssh = args.privateKey.apply((k) => (k.includes("OPENSSH PRIVATE KEY") ? k : undefined));
      const pem = args.privateKey.apply((k) => (k.includes("OPENSSH PRIVATE KEY") ? undefined : k));
      publicKey = tls.getPublicKeyOutput({ privateKeyOpenssh: openssh, privateKeyPem: pem }, child).publicKeyOpenssh;
    } else {
      // Generated keys are replaced only if this resource is; nothing else about a host can rotate it.
      const key = new tls.PrivateKey(`${name}-ssh`, { algorithm: "ED25519" }, child);
      this.privateKey = pulumi.secret(key.privateKeyOpenssh);
      publicKey = key.publicKeyOpenssh;
    }
    if (args.provider === "aws") {
      const keyPair = new aws.ec2.KeyPair(`${name}-ssh`, { publicKey }, child);
      const role = new aws.iam.Role(
        `${name}-shard-host`,
        { assumeRolePolicy: EC2_ASSUME_ROLE, description: "gamedb shard hosts" },
        child,
      );
      const profile = new aws.iam.InstanceProfile(`${name}-shard-host`, { role: role.name }, child);
      this.keyName = keyPair.keyName;
      this.instanceProfileName = profile.name;
      this.roleName = role.name;
    }
    this.registerOutputs({
      privateKey: this.privateKey,
      keyName: this.keyName,
      instanceProfileName: this.instanceProfileName,
      roleName: this.roleName,
    });
  }
}
