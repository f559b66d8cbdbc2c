import { X509Certificate } from 'node:crypto';

/**
 * An X.509 certificate whose public key also decodes. Node parses the key lazily and throws on
 * first use, so a corrupted key would otherwise surface deep inside signature checks.
 */
export function parseCertificate(encoded: Uint8Array | string): X509Certificate {
  const certificate = new X509Certificate(encoded);
  void certificate.publicKey;
  return certificate;
}
