/**
 * A throwaway PKI for tests of TLS against real servers (tests/helpers/testCertificates.ts): a CA, a server
 * certificate for one address or name, an unrelated CA, and more certificates from the first on demand.
 */
import { createServerCert, createTestCa } from "./testCertificates";

export interface TestPki {
  readonly dir: string;
  /** CA certificate, server certificate and key files. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Another CA's certificate: what a client trusting the wrong CA holds. */
  readonly otherCa: string;
  /** Another server certificate and key from the same CA, for `san`. */
  issue(san: string, name: string): { cert: string; key: string };
}

/** A CA, a server certificate for `san` (e.g. "IP:127.0.0.1") signed by it, and an unrelated CA. */
export function makeTestPki(san: string): TestPki {
  const ca = createTestCa("ca");
  const issue = (name: string, label: string) => {
    const c = createServerCert(ca, label, [name]);
    return { cert: c.certFile, key: c.keyFile };
  };
  return { dir: ca.dir, ca: ca.caFile, ...issue(san, "server"), otherCa: createTestCa("other-ca").caFile, issue };
}
