import { X509Certificate } from 'node:crypto';
import { EVIDENCE_LIMITS } from './limits.ts';
import { readCertificate, type CertificateFacts } from './read-certificate.ts';
import { readCrl } from './read-crl.ts';
import { MAX_RSA_BITS, MIN_RSA_BITS, SUPPORTED_CURVES } from './signature-schemes.ts';
import { describeError } from './types.ts';

export type TrustAnchorRefusal =
  | 'UNPARSABLE'
  | 'NOT_A_CA'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'WEAK_KEY'
  | 'UNSUPPORTED_KEY'
  | 'UNSUPPORTED_CRITICAL_EXTENSION'
  | 'LIMIT_EXCEEDED';

export type TrustAnchorInspection =
  | {
    ok: true; kind: 'certificate';
    subject: string; issuer: string; serialNumber: string; sha256Fingerprint: string;
    notBefore: string; notAfter: string; der: Uint8Array; selfSigned: boolean;
  }
  | { ok: true; kind: 'crl'; issuer: string; thisUpdate: string; nextUpdate: string | null; der: Uint8Array }
  | { ok: false; reason: TrustAnchorRefusal; message: string; subject?: string };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END ([A-Z0-9 ]+)-----/g;

/**
 * Checks what a partner uploads as trust material: one DER certificate or CRL, or PEM holding
 * any number of CERTIFICATE and X509 CRL blocks (one result per block, in order). A certificate
 * is accepted as an anchor only if it is a CA (basicConstraints cA, keyCertSign when keyUsage is
 * present), valid at `now`, with an RSA key of 2048 to 8192 bits, an EC key on P-256/P-384/
 * P-521 or an Ed25519 key, and no critical extension the verifier does not process. CRLs are
 * accepted when they parse; their signatures are checked against their issuer at verification.
 * Never throws.
 */
export function inspectTrustAnchor(bytes: Uint8Array, now: Date): TrustAnchorInspection[] {
  try {
    return inspect(bytes, now);
  } catch (error) {
    return [refuse('UNPARSABLE', `the input could not be processed: ${describeError(error)}`)];
  }
}

function inspect(bytes: Uint8Array, now: Date): TrustAnchorInspection[] {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) return [refuse('UNPARSABLE', 'empty input')];
  if (bytes.byteLength > EVIDENCE_LIMITS.maxDerBytes) return [refuse('LIMIT_EXCEEDED', `over ${EVIDENCE_LIMITS.maxDerBytes} bytes`)];
  const text = Buffer.from(bytes).toString('latin1');
  if (!text.includes('-----BEGIN ')) return [inspectDer(bytes, now)];
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) return [refuse('UNPARSABLE', 'PEM without a complete BEGIN/END block')];
  if (blocks.length > EVIDENCE_LIMITS.maxBundleItems) return [refuse('LIMIT_EXCEEDED', `${blocks.length} PEM blocks (at most ${EVIDENCE_LIMITS.maxBundleItems})`)];
  return blocks.map(([, label, body, endLabel]) => {
    if (label !== endLabel) return refuse('UNPARSABLE', `PEM block BEGIN ${label} ends with END ${endLabel}`);
    if (label !== 'CERTIFICATE' && label !== 'X509 CRL') return refuse('UNPARSABLE', `a PEM ${label} block is neither a CERTIFICATE nor an X509 CRL`);
    const base64 = body!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return refuse('UNPARSABLE', `PEM ${label} block is not base64`);
    const der = new Uint8Array(Buffer.from(base64, 'base64'));
    return label === 'CERTIFICATE' ? inspectCertificate(der, now) : inspectCrl(der);
  });
}

function inspectDer(der: Uint8Array, now: Date): TrustAnchorInspection {
  const certificate = inspectCertificate(der, now);
  if (certificate.ok || certificate.reason !== 'UNPARSABLE') return certificate;
  const crl = inspectCrl(der);
  return crl.ok ? crl : refuse('UNPARSABLE', 'neither a DER certificate nor a DER CRL, nor PEM');
}

function inspectCertificate(der: Uint8Array, now: Date): TrustAnchorInspection {
  const read = readCertificate(der);
  if (!read.ok) return refuse('UNPARSABLE', `certificate: ${read.message}`);
  const certificate = read.value;
  const { subject } = certificate;
  if (!certificate.basicConstraints?.ca) return refuse('NOT_A_CA', `${subject} is not a CA certificate (basicConstraints cA is not set)`, subject);
  if (certificate.keyUsage && !certificate.keyUsage.has('keyCertSign')) return refuse('NOT_A_CA', `${subject} may not sign certificates (keyUsage lacks keyCertSign)`, subject);
  const key = describeKeyProblem(certificate);
  if (key) return refuse(key.reason, `${subject}: ${key.message}`, subject);
  if (now > certificate.notAfter) return refuse('EXPIRED', `${subject} expired ${certificate.notAfter.toISOString()}`, subject);
  if (now < certificate.notBefore) return refuse('NOT_YET_VALID', `${subject} is valid only from ${certificate.notBefore.toISOString()}`, subject);
  if (certificate.unknownCriticalExtensions.length > 0) {
    return refuse('UNSUPPORTED_CRITICAL_EXTENSION', `${subject} has critical extension(s) ${certificate.unknownCriticalExtensions.join(', ')} that evidence verification does not process`, subject);
  }
  return {
    ok: true,
    kind: 'certificate',
    subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    sha256Fingerprint: certificate.sha256Fingerprint,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    der,
    selfSigned: isSelfSigned(certificate),
  };
}

function describeKeyProblem(certificate: CertificateFacts): { reason: 'WEAK_KEY' | 'UNSUPPORTED_KEY'; message: string } | null {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) return { reason: 'WEAK_KEY', message: `RSA key of ${bits} bits (at least ${MIN_RSA_BITS})` };
      return bits > MAX_RSA_BITS ? { reason: 'UNSUPPORTED_KEY', message: `RSA key of ${bits} bits (at most ${MAX_RSA_BITS})` } : null;
    }
    case 'ec':
      return details.namedCurve && SUPPORTED_CURVES.has(details.namedCurve) ? null : { reason: 'UNSUPPORTED_KEY', message: `EC curve ${details.namedCurve ?? '(explicit parameters)'} (P-256, P-384 or P-521)` };
    case 'ed25519':
      return null;
    default:
      return { reason: 'UNSUPPORTED_KEY', message: `${key.asymmetricKeyType ?? 'unknown'} key (RSA, EC or Ed25519)` };
  }
}

/** Self-issued and signed by its own key (informational: an anchor is trusted as given). */
function isSelfSigned(certificate: CertificateFacts): boolean {
  if (certificate.subjectKey !== certificate.issuerKey) return false;
  try {
    return new X509Certificate(certificate.der).verify(certificate.publicKey);
  } catch {
    return false;
  }
}

function inspectCrl(der: Uint8Array): TrustAnchorInspection {
  const read = readCrl(der);
  if (!read.ok) return refuse('UNPARSABLE', `CRL: ${read.message}`);
  return {
    ok: true,
    kind: 'crl',
    issuer: read.value.issuer,
    thisUpdate: read.value.thisUpdate.toISOString(),
    nextUpdate: read.value.nextUpdate?.toISOString() ?? null,
    der,
  };
}

function refuse(reason: TrustAnchorRefusal, message: string, subject?: string): TrustAnchorInspection {
  return subject === undefined ? { ok: false, reason, message } : { ok: false, reason, message, subject };
}
