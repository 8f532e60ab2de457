/**
 * What every shard host shares: the SSH key gamedb logs in with, and (on AWS) the EC2 key pair. Each shard has its
 * own instance profile (shardHosts.ts), so S3 rights can be scoped to the shard's own prefixes.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as tls from "@pulumi/tls";

export interface HostAccessArgs {
  /** Where the hosts run (hosts.provider): aws also creates an EC2 key pair; static only holds the key. */
  readonly provider: "aws" | "static";
  /**
   * The private key (OpenSSH or PEM) gamedb logs in with, a secret from `gamedb:sshPrivateKey`.
   * @default a new ED25519 key from @pulumi/tls, kept (secret) in the stack's state
   */
  readonly privateKey?: pulumi.Output<string>;
}

export class HostAccess extends pulumi.ComponentResource {
  /** The private key remote commands log in with (secret). */
  readonly privateKey: pulumi.Output<string>;
  /** The EC2 key pair (aws only). */
  readonly keyName?: pulumi.Output<string>;

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
      this.keyName = keyPair.keyName;
    }
    this.registerOutputs({
      privateKey: this.privateKey,
      keyName: this.keyName,
    });
  }
}
