import type { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { describeInvalidWindows } from './check-validity-windows.ts';
import { parseCertificate } from './parse-certificate.ts';
import { certificateWindow, commonName } from './prepare-collateral.ts';
import { errorMessage } from './types.ts';
import type { Result } from './types.ts';

export type CertificateKeyInput = {
  /** The domain's active certificate chain, PEM, leaf first (dstack gateway acme-info active_cert). */
  certificateChainPem: string;
  /** The TEE-held key, hex of its SubjectPublicKeyInfo DER (acme-info hist_keys[0]). */
  teePublicKeySpkiHex: string;
};

export type CertificateKeyOptions = {
  verifyAt: Date;
  /** PEM trust anchors; defaults to Node's bundled Mozilla roots. */
  trustedRootsPem?: readonly string[];
};

export type CertificateKeyFailureCode = 'CERTIFICATE_CHAIN_INVALID' | 'CERTIFICATE_KEY_MISMATCH' | 'ACME_INFO_MALFORMED';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const parsedRoots = new WeakMap<readonly string[], X509Certificate[]>();

/**
 * certificateKey check: the domain's TLS certificate chains to a trusted root, every certificate
 * is valid at verifyAt, and the leaf certifies the key the TEE holds, so TLS to the domain
 * terminates inside the TEE.
 */
export function verifyCertificateKey(
  input: CertificateKeyInput,
  options: CertificateKeyOptions,
): Result<{ subject: string; not_after: string }, CertificateKeyFailureCode> {
  const chain: X509Certificate[] = [];
  for (const [index, pem] of (input.certificateChainPem.match(PEM_CERTIFICATE) ?? []).entries()) {
    try {
      chain.push(parseCertificate(pem));
    } catch (error) {
      return fail('ACME_INFO_MALFORMED', `active certificate #${index} does not parse: ${errorMessage(error)}`);
    }
  }
  const leaf = chain[0];
  if (!leaf) return fail('ACME_INFO_MALFORMED', 'active certificate chain holds no PEM certificate');
  if (!/^([0-9a-fA-F]{2})+$/.test(input.teePublicKeySpkiHex)) return fail('ACME_INFO_MALFORMED', 'TEE public key is not hex');

  for (let index = 0; index + 1 < chain.length; index++) {
    const [subject, issuer] = [chain[index]!, chain[index + 1]!];
    if (!subject.checkIssued(issuer) || !subject.verify(issuer.publicKey)) {
      return fail('CERTIFICATE_CHAIN_INVALID', `certificate #${index} (${commonName(subject.subject)}) is not issued by #${index + 1}`);
    }
  }
  const top = chain[chain.length - 1]!;
  const roots = trustedRoots(options.trustedRootsPem ?? rootCertificates);
  const anchored = roots.some(
    (root) => root.fingerprint256 === top.fingerprint256 || (top.checkIssued(root) && top.verify(root.publicKey)),
  );
  if (!anchored) return fail('CERTIFICATE_CHAIN_INVALID', `chain ends at ${commonName(top.issuer)}, which is not a trusted root`);
  const invalid = describeInvalidWindows(
    chain.map((certificate, index) => certificateWindow(`certificate #${index} (${commonName(certificate.subject)})`, certificate)),
    options.verifyAt,
  );
  if (invalid !== null) return fail('CERTIFICATE_CHAIN_INVALID', `active certificate chain is not valid ${invalid}`);

  const leafKey = leaf.publicKey.export({ type: 'spki', format: 'der' });
  if (!leafKey.equals(Buffer.from(input.teePublicKeySpkiHex, 'hex'))) {
    return fail('CERTIFICATE_KEY_MISMATCH', `the certificate for ${commonName(leaf.subject)} certifies a key other than the TEE's`);
  }
  return { ok: true, value: { subject: commonName(leaf.subject), not_after: leaf.validToDate.toISOString() } };
}

function trustedRoots(pems: readonly string[]): X509Certificate[] {
  let roots = parsedRoots.get(pems);
  if (!roots) {
    roots = pems.map((pem) => parseCertificate(pem));
    parsedRoots.set(pems, roots);
  }
  return roots;
}

const fail = (code: CertificateKeyFailureCode, message: string): { ok: false; code: CertificateKeyFailureCode; message: string } => ({
  ok: false,
  code,
  message,
});
