/**
 * The stack's own certificate authority (@pulumi/tls) and the server certificates it signs. Keys and certificates
 * live only in the stack's state (keys as secrets); nothing is written to disk by the program.
 *
 * Rotation: `tls.caRotation` is part of every key's name, so raising it creates a new CA key and certificate and a
 * new key and certificate for every server; the old ones are deleted after. A server certificate
 * is renewed by the first deploy within RENEWAL_DAYS of its expiry (LocallySignedCert's earlyRenewalHours).
 */
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** A deploy this close to a certificate's expiry replaces it. */
export const RENEWAL_DAYS = 30;

export interface CaSettings {
  readonly environment: string;
  /** gamedb:tls.caRotation */
  readonly rotation: number;
  readonly caValidityDays: number;
  readonly certValidityDays: number;
}

export interface CertificateAuthority {
  readonly settings: CaSettings;
  /** PEM; not secret (every client trusts it). */
  readonly certPem: pulumi.Output<string>;
  /** PEM; secret. */
  readonly keyPem: pulumi.Output<string>;
}

export interface ServerCertificate {
  /** PEM; not secret. */
  readonly certPem: pulumi.Output<string>;
  /** PEM; secret. */
  readonly keyPem: pulumi.Output<string>;
}

/** The names a server answers to, as its certificate's subject alternative names. */
export interface ServerNames {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The CA's subject: its generation shows in every certificate it signed. Pure. */
export function caSubject(s: CaSettings) {
  return { commonName: `gamedb ${s.environment} CA ${s.rotation}`, organization: "gamedb" };
}

const hours = (days: number) => days * 24;

/** ECDSA P-256: small keys, fast handshakes; MySQL 8.4, OpenSSL 3 (Router, Redis 7) and Node all accept it. */
const KEY = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;

/** `<name>-ca-key-<rotation>` and `<name>-ca`. */
export function certificateAuthority(
  name: string,
  settings: CaSettings,
  opts: pulumi.CustomResourceOptions,
): CertificateAuthority {
  const key = new tls.PrivateKey(`${name}-ca-key-${settings.rotation}`, KEY, opts);
  const cert = new tls.SelfSignedCert(
    `${name}-ca`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: caSubject(settings),
      isCaCertificate: true,
      validityPeriodHours: hours(settings.caValidityDays),
      earlyRenewalHours: hours(RENEWAL_DAYS),
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    },
    opts,
  );
  return { settings, certPem: cert.certPem, keyPem: key.privateKeyPem };
}

/** A key and a certificate for a server, signed by `ca`: `<name>-key-<rotation>`, `<name>-csr`, `<name>-cert`. */
export function serverCertificate(
  name: string,
  ca: CertificateAuthority,
  names: ServerNames,
  opts: pulumi.CustomResourceOptions,
): ServerCertificate {
  // The rotation in the key's name: a rotation (a leaked key) gives every server a new key, not only a new signature.
  const key = new tls.PrivateKey(`${name}-key-${ca.settings.rotation}`, KEY, opts);
  const request = new tls.CertRequest(
    `${name}-csr`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: names.commonName, organization: "gamedb" },
      dnsNames: [...(names.dnsNames ?? [])],
      ipAddresses: names.ipAddresses,
    },
    opts,
  );
  const cert = new tls.LocallySignedCert(
    `${name}-cert`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: ca.keyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: hours(ca.settings.certValidityDays),
      earlyRenewalHours: hours(RENEWAL_DAYS),
      allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
    },
    opts,
  );
  return { certPem: cert.certPem, keyPem: key.privateKeyPem };
}
