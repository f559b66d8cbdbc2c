import { createHash, verify, constants, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './oids.ts';
import { accept, reject, type Step } from './types.ts';

export type DigestName = 'sha256' | 'sha384' | 'sha512';

const DIGESTS: Record<string, DigestName> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };
const DIGEST_LABEL: Record<DigestName, string> = { sha256: 'SHA256', sha384: 'SHA384', sha512: 'SHA512' };
const ALGORITHM_NAMES: Record<string, string> = {
  [OID.sha1]: 'SHA-1',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '1.3.101.113': 'Ed448',
};

/** SHA-2 only: SHA-1 and older digests are refused wherever they appear. */
export function resolveDigest(algorithm: pkijs.AlgorithmIdentifier): Step<DigestName> {
  const digest = DIGESTS[algorithm.algorithmId];
  if (!digest) return reject('UNSUPPORTED_ALGORITHM', `digest algorithm ${describeAlgorithm(algorithm.algorithmId)} is not supported (SHA-256, SHA-384, SHA-512)`);
  return accept(digest);
}

export function digest(name: DigestName, data: Uint8Array): Buffer {
  return createHash(name).update(data).digest();
}

/** How one signature is checked: its family, hash (null for Ed25519) and PSS salt length. */
export type SignatureScheme =
  | { family: 'ecdsa' | 'rsa-pkcs1'; hash: DigestName; name: string }
  | { family: 'rsa-pss'; hash: DigestName; saltLength: number; name: string }
  | { family: 'ed25519'; hash: null; name: string };

const FIXED_SCHEMES: Record<string, { family: 'ecdsa' | 'rsa-pkcs1'; hash: DigestName }> = {
  [OID.sha256WithRsa]: { family: 'rsa-pkcs1', hash: 'sha256' },
  [OID.sha384WithRsa]: { family: 'rsa-pkcs1', hash: 'sha384' },
  [OID.sha512WithRsa]: { family: 'rsa-pkcs1', hash: 'sha512' },
  [OID.ecdsaWithSha256]: { family: 'ecdsa', hash: 'sha256' },
  [OID.ecdsaWithSha384]: { family: 'ecdsa', hash: 'sha384' },
  [OID.ecdsaWithSha512]: { family: 'ecdsa', hash: 'sha512' },
};

/**
 * The scheme named by a signature AlgorithmIdentifier. In a CMS SignerInfo the bare key
 * algorithms rsaEncryption and id-ecPublicKey also appear; their hash is then the SignerInfo's
 * digest algorithm (`cmsDigest`).
 */
export function resolveSignatureScheme(algorithm: pkijs.AlgorithmIdentifier, cmsDigest?: DigestName): Step<SignatureScheme> {
  const id = algorithm.algorithmId;
  const fixed = FIXED_SCHEMES[id];
  if (fixed) return accept({ ...fixed, name: schemeName(fixed.family, fixed.hash) });
  if (id === OID.ed25519) return accept({ family: 'ed25519', hash: null, name: 'Ed25519' });
  if ((id === OID.rsaEncryption || id === OID.ecPublicKey) && cmsDigest) {
    const family = id === OID.rsaEncryption ? 'rsa-pkcs1' : 'ecdsa';
    return accept({ family, hash: cmsDigest, name: schemeName(family, cmsDigest) });
  }
  if (id === OID.rsassaPss) return resolvePssParameters(algorithm.algorithmParams);
  return reject('UNSUPPORTED_ALGORITHM', `signature algorithm ${describeAlgorithm(id)} is not supported`);
}

function resolvePssParameters(parameters: unknown): Step<SignatureScheme> {
  if (!(parameters instanceof asn1js.Sequence)) return reject('UNSUPPORTED_ALGORITHM', 'RSA-PSS without parameters (SHA-1 defaults) is not supported');
  let pss: pkijs.RSASSAPSSParams;
  try {
    pss = new pkijs.RSASSAPSSParams({ schema: parameters });
  } catch {
    return reject('MALFORMED_CMS', 'RSA-PSS parameters do not parse');
  }
  const hash = DIGESTS[pss.hashAlgorithm.algorithmId];
  if (!hash) return reject('UNSUPPORTED_ALGORITHM', `RSA-PSS with hash ${describeAlgorithm(pss.hashAlgorithm.algorithmId)} is not supported`);
  if (mgf1Hash(pss.maskGenAlgorithm) !== pss.hashAlgorithm.algorithmId) {
    return reject('UNSUPPORTED_ALGORITHM', 'RSA-PSS is supported only with MGF1 over the same hash as the signature');
  }
  if (pss.trailerField !== 1 || !Number.isSafeInteger(pss.saltLength) || pss.saltLength < 0 || pss.saltLength > 1024) {
    return reject('UNSUPPORTED_ALGORITHM', 'RSA-PSS with an unusual trailer field or salt length is not supported');
  }
  return accept({ family: 'rsa-pss', hash, saltLength: pss.saltLength, name: schemeName('rsa-pss', hash) });
}

/** The hash OID of an MGF1 mask generation AlgorithmIdentifier (SHA-1 when absent); null for another MGF. */
export function mgf1Hash(maskGenAlgorithm: pkijs.AlgorithmIdentifier): string | null {
  if (maskGenAlgorithm.algorithmId !== OID.mgf1) return null;
  const parameters = maskGenAlgorithm.algorithmParams;
  return parameters instanceof asn1js.Sequence ? new pkijs.AlgorithmIdentifier({ schema: parameters }).algorithmId : OID.sha1;
}

function schemeName(family: 'ecdsa' | 'rsa-pkcs1' | 'rsa-pss', hash: DigestName): string {
  const prefix = { ecdsa: 'ECDSA', 'rsa-pkcs1': 'RSA-PKCS1', 'rsa-pss': 'RSA-PSS' }[family];
  return `${prefix}-${DIGEST_LABEL[hash]}`;
}

export const SUPPORTED_CURVES: ReadonlySet<string> = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
export const MIN_RSA_BITS = 2048;
/** Above this a single RSA check costs tens of milliseconds; no CA or signer needs more. */
export const MAX_RSA_BITS = 8192;

/**
 * Whether `key` may be used with `scheme` at all (family and strength), before any signature
 * is looked at: RSA of 2048 to 8192 bits, EC on P-256, P-384 or P-521, Ed25519.
 */
export function checkKeyForScheme(key: KeyObject, scheme: SignatureScheme): Step<null> {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (scheme.family === 'ecdsa') {
    if (type !== 'ec') return reject('UNSUPPORTED_ALGORITHM', `${scheme.name} signature with a ${type ?? 'unknown'} key`);
    if (!details.namedCurve || !SUPPORTED_CURVES.has(details.namedCurve)) return reject('UNSUPPORTED_ALGORITHM', `EC curve ${details.namedCurve ?? 'with explicit parameters'} is not supported`);
  } else if (scheme.family === 'ed25519') {
    if (type !== 'ed25519') return reject('UNSUPPORTED_ALGORITHM', `Ed25519 signature with a ${type ?? 'unknown'} key`);
  } else {
    if (type !== 'rsa' && !(type === 'rsa-pss' && scheme.family === 'rsa-pss')) return reject('UNSUPPORTED_ALGORITHM', `${scheme.name} signature with a ${type ?? 'unknown'} key`);
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) return reject('UNSUPPORTED_ALGORITHM', `RSA key of ${bits} bits (${MIN_RSA_BITS} to ${MAX_RSA_BITS} supported)`);
  }
  return accept(null);
}

/** Checks one signature; a malformed signature value is simply not valid. */
export function verifySignature(scheme: SignatureScheme, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (scheme.family === 'rsa-pss') {
      return verify(scheme.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }, signature);
    }
    if (scheme.family === 'rsa-pkcs1') return verify(scheme.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return verify(scheme.hash, data, key, signature);
  } catch {
    return false;
  }
}

export function describeAlgorithm(id: string): string {
  const name = ALGORITHM_NAMES[id];
  return name ? `${name} (${id})` : id;
}
