import { createPublicKey, type KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { checkKeyForScheme, MIN_RSA_BITS, resolveSignatureScheme, verifySignature } from '../verification/signature-schemes.ts';

export type CsrRefusal = 'MALFORMED_CSR' | 'BAD_SIGNATURE' | 'WEAK_KEY' | 'UNSUPPORTED_KEY';

export type CsrReading =
  | { ok: true; spki: Uint8Array; keyAlgorithm: string }
  | { ok: false; reason: CsrRefusal; message: string };

const PEM = /^-----BEGIN (NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\s]+)-----END (NEW )?CERTIFICATE REQUEST-----\s*$/;
const MAX_CSR_BYTES = 16 * 1024;
/** The agent keys taken: EC on P-256 or P-384, Ed25519, RSA of at least 2048 bits. */
const AGENT_CURVES: Record<string, string> = { prime256v1: 'EC P-256', secp384r1: 'EC P-384' };

const refuse = (reason: CsrRefusal, message: string): CsrReading => ({ ok: false, reason, message });

/** PEM (`CERTIFICATE REQUEST`) or DER bytes -> DER; undefined when neither. */
function csrDer(bytes: Buffer): Buffer | undefined {
  const text = bytes.toString('latin1').trim();
  if (!text.startsWith('-----BEGIN')) return bytes;
  const match = PEM.exec(text);
  return match ? Buffer.from(match[2]!.replace(/\s+/g, ''), 'base64') : undefined;
}

function describeKey(key: KeyObject): { ok: true; name: string } | { ok: false; reason: CsrRefusal; message: string } {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ed25519') return { ok: true, name: 'Ed25519' };
  if (key.asymmetricKeyType === 'ec') {
    const name = AGENT_CURVES[details.namedCurve ?? ''];
    return name ? { ok: true, name } : { ok: false, reason: 'UNSUPPORTED_KEY', message: `EC curve ${details.namedCurve ?? 'with explicit parameters'} is not taken (P-256, P-384)` };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    return bits >= MIN_RSA_BITS ? { ok: true, name: `RSA ${bits}` } : { ok: false, reason: 'WEAK_KEY', message: `an RSA key of ${bits} bits is too weak (at least ${MIN_RSA_BITS})` };
  }
  return { ok: false, reason: 'UNSUPPORTED_KEY', message: `a ${key.asymmetricKeyType ?? 'unknown'} key is not taken (EC P-256/P-384, Ed25519, RSA >= ${MIN_RSA_BITS})` };
}

/**
 * A PKCS#10 certification request (PEM or DER) as enrollment takes it: it parses, its key is
 * one agents may have, and its own signature verifies with that key (proof the requester holds
 * the private key). The subject and attributes are ignored: the agent CA names the agent. Never throws.
 */
export function readCsr(bytes: Buffer): CsrReading {
  if (bytes.length === 0 || bytes.length > MAX_CSR_BYTES) return refuse('MALFORMED_CSR', `a CSR of ${bytes.length} bytes (1 to ${MAX_CSR_BYTES} taken)`);
  const der = csrDer(bytes);
  if (!der) return refuse('MALFORMED_CSR', 'PEM without a complete CERTIFICATE REQUEST block');
  let csr: pkijs.CertificationRequest;
  let key: KeyObject;
  let spki: Uint8Array;
  try {
    csr = pkijs.CertificationRequest.fromBER(new Uint8Array(der));
    spki = new Uint8Array(csr.subjectPublicKeyInfo.toSchema().toBER(false));
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    return refuse('MALFORMED_CSR', `not a PKCS#10 certification request: ${(error instanceof Error ? error.message : String(error)).slice(0, 200)}`);
  }
  const described = describeKey(key);
  if (!described.ok) return described;
  const scheme = resolveSignatureScheme(csr.signatureAlgorithm);
  if (!scheme.ok) return refuse('BAD_SIGNATURE', `the CSR's signature: ${scheme.message}`);
  const usable = checkKeyForScheme(key, scheme.value);
  if (!usable.ok) return refuse('BAD_SIGNATURE', `the CSR's signature: ${usable.message}`);
  if (!verifySignature(scheme.value, key, csr.tbsView, csr.signatureValue.valueBlock.valueHexView)) {
    return refuse('BAD_SIGNATURE', "the CSR's signature does not verify with its own public key");
  }
  return { ok: true, spki, keyAlgorithm: described.name };
}
