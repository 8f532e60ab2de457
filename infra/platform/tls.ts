/**
 * The stack's certificate authority, declared once and only when a step needs it (a stack with no TLS server
 * registers no CA).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformPlan } from "../plan/plan";
import { CertificateAuthority, certificateAuthority } from "../tls/ca";

export function lazyCertificateAuthority(
  name: string,
  parent: pulumi.ComponentResource,
  plan: PlatformPlan,
): () => CertificateAuthority {
  let ca: CertificateAuthority | undefined;
  return () =>
    (ca ??= certificateAuthority(
      name,
      {
        environment: plan.environment,
        rotation: plan.tls.caRotation,
        caValidityDays: plan.tls.caValidityDays,
        certValidityDays: plan.tls.certValidityDays,
      },
      { parent },
    ));
}
