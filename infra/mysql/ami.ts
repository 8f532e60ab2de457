/** The Ubuntu 24.04 LTS image of a shard host, looked up by Canonical's owner id and name pattern. */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** Canonical's AWS account, the publisher of the official Ubuntu images. */
export const CANONICAL_OWNER = "099720109477";

/** The lookup's arguments for an architecture: the newest Ubuntu 24.04 (noble) server image on gp3. */
export function ubuntuAmiQuery(arch: "amd64" | "arm64"): aws.ec2.GetAmiArgs {
  return {
    owners: [CANONICAL_OWNER],
    mostRecent: true,
    filters: [
      { name: "name", values: [`ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-${arch}-server-*`] },
      { name: "virtualization-type", values: ["hvm"] },
      { name: "architecture", values: [arch === "amd64" ? "x86_64" : "arm64"] },
    ],
  };
}

/**
 * The image id per architecture. Hosts ignore later changes to it (a newer image never replaces a database host);
 * a new host gets the newest image of its day.
 */
export function ubuntuAmi(arch: "amd64" | "arm64", opts: pulumi.InvokeOptions): pulumi.Output<string> {
  return aws.ec2.getAmiOutput(ubuntuAmiQuery(arch), opts).id;
}
