/**
 * The names in a member's TLS certificate. Clients reach a member at the address it reports (report_host, the
 * address in the cluster's metadata that Routers and the monitor dial), so that address is the certificate's one
 * subject alternative name: an IP address on EC2 (the private IP) and for a static host given by IP, a DNS name for a
 * static host given by name. Pure.
 */
import { isIP } from "node:net";
import type * as pulumi from "@pulumi/pulumi";
import type { ServerNames } from "../tls/ca";

/**
 * `staticAddress` is a static host's configured address (known at plan time); without one the host is an EC2
 * instance whose private IP is `address`.
 */
export function memberCertificateNames(
  nodeName: string,
  staticAddress: string | undefined,
  address: pulumi.Output<string>,
): ServerNames {
  if (staticAddress === undefined) return { commonName: nodeName, ipAddresses: [address] };
  return isIP(staticAddress)
    ? { commonName: nodeName, ipAddresses: [staticAddress] }
    : { commonName: nodeName, dnsNames: [staticAddress] };
}

/** The member's TLS files as PEM text. */
export interface MemberTlsFiles<T = string> {
  readonly caPem: T;
  readonly certPem: T;
  readonly keyPem: T;
}

/**
 * The configure step's secrets (its stdin): the cluster admin's password and the member's TLS files, under the names
 * infra/toolkit/host/install-tls.sh reads them by.
 */
export function configureSecrets<T>(clusterAdminPassword: T, tls: MemberTlsFiles<T>) {
  return { clusterAdminPassword, tlsCaPem: tls.caPem, tlsCertPem: tls.certPem, tlsKeyPem: tls.keyPem };
}
