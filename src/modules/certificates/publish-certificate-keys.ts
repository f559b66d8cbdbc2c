import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { CertificateVerificationKey } from './document/index.ts';
import { CERTIFICATE_KEY_PURPOSE } from './issue-certificate.ts';
import type { PdfSigner } from './pdf-signer.ts';
import type { CertificateKeys } from './schema.ts';

/** Every certificates key, active (created if none yet) and retired: a certificate stays checkable long after it was signed. */
async function certificateKeys(deps: { platformKeys: PlatformKeys }) {
  await deps.platformKeys.activeKey(CERTIFICATE_KEY_PURPOSE);
  return deps.platformKeys.publishedKeys(CERTIFICATE_KEY_PURPOSE, new Date(0));
}

export async function certificateVerificationKeys(deps: { platformKeys: PlatformKeys }): Promise<CertificateVerificationKey[]> {
  return (await certificateKeys(deps)).map((key) => ({ id: key.id, publicKey: key.publicKey }));
}

/** GET /api/v1/certificates/keys: the keys that verify certificate JWSs (JWK) and the certificates of the keys that sign the PDFs. */
export async function publishCertificateKeys(deps: { platformKeys: PlatformKeys; pdfSigner: PdfSigner }): Promise<CertificateKeys> {
  const keys = await certificateKeys(deps);
  const signers = await deps.pdfSigner.published();
  return {
    keys: keys.map((key) => ({ ...key.publicJwk, kid: key.id, alg: 'EdDSA' as const, use: 'sig' as const })),
    pdf_signing_certificates: signers.map((signer) => {
      const base64 = Buffer.from(signer.certificateDer).toString('base64');
      return {
        kid: signer.keyId,
        alg: 'ES256' as const,
        x5c: [base64],
        pem: `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`,
        sha256_fingerprint: signer.sha256Fingerprint,
      };
    }),
  };
}
