import { wellFormedText } from './bytes.ts';
import { canonicalize } from './canonical-json.ts';
import { checkCertificateJws, type CertificateJwsKey, decodeBase64Url } from './certificate-jws.ts';
import { runWithWebCrypto } from './crypto-steps.ts';
import type { components } from './openapi.d.ts';
import { verifyReceipt } from './receipts.ts';

/** The signed certificate body (RFC 8785 canonical JSON under the JWS). */
export type EvidenceCertificate = components['schemas']['EvidenceCertificate'];
/** What GET /api/v1/certificates/keys answers; `keys` are the certificates keys. */
export type CertificateKeys = components['schemas']['CertificateKeys'];
/** A JWK Set of certificates keys (that answer, or one pinned elsewhere); keys other than Ed25519 are ignored. */
export type CertificateJwkSet = { keys: ReadonlyArray<{ kty: string; crv?: string; x?: string; kid: string }> };

export const CERTIFICATE_TYPE = 'veridity-evidence-certificate/v1';

/**
 * The offline checks of a certificate, in order: `certificate_signature` (the JWS verifies with a
 * pinned certificates key, the body shown beside it is the one signed), `checkpoint_signature`
 * (the receipt's checkpoint is signed by the pinned ledger key), `ledger_inclusion` (this
 * certificate's entry hashes up to that checkpoint's root), `anchor` (a public-chain anchor the
 * bundle carries names that very checkpoint; whether the transaction is on the chain is an online
 * check). Revocation is not among them: only the platform knows it.
 */
export const CERTIFICATE_CHECKS = ['certificate_signature', 'checkpoint_signature', 'ledger_inclusion', 'anchor'] as const;
export type CertificateCheck = (typeof CERTIFICATE_CHECKS)[number];
/** `not_checked`: an earlier check failed, so there is nothing trustworthy to check; `not_applicable`: nothing to check (no anchor). */
export type CertificateCheckResult = 'pass' | 'fail' | 'not_checked' | 'not_applicable';

export type CertificateVerification = {
  /** Every check passed (or does not apply). */
  valid: boolean;
  checks: Record<CertificateCheck, CertificateCheckResult>;
  /** The first check that failed, and why (the codes of `veridity verify-certificate`). */
  failure?: { check: CertificateCheck; code: string; message: string };
  /** Once its signature verified: the certificate and the key that signed it. */
  certificate?: EvidenceCertificate;
  keyId?: string;
  /** Once the receipt verified: where the ledger holds the certificate (root hash in hex). */
  ledger?: { index: number; treeSize: number; origin: string; rootHash: string };
};

/** A bundle is small; anything far larger is refused before parsing. */
const MAX_BUNDLE_BYTES = 256 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A certificate's signed parts, as read from its JSON form; nothing is checked yet. */
export type CertificateParts = {
  jws: string;
  /** The body shown beside the JWS, canonicalized: it must be the signed payload. */
  shownCertificate: string | undefined;
  receipt: string | null;
  /** The public-chain anchor shown beside it, as parsed JSON; undefined when none. */
  anchor?: unknown;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The certificates keys of a JWK Set (GET /api/v1/certificates/keys): Ed25519 keys by kid. */
export function certificateKeysFromJwks(jwks: CertificateJwkSet): CertificateJwsKey[] {
  return jwks.keys.flatMap((jwk) => {
    const publicKey = jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string' ? decodeBase64Url(jwk.x) : undefined;
    return publicKey?.length === 32 ? [{ id: jwk.kid, publicKey }] : [];
  });
}

/**
 * Reads a certificate given as JSON text: the {certificate, jws, receipt, anchor} bundle of GET
 * .../certificate.json, or the bare compact JWS (no receipt then). Never throws.
 */
export function parseCertificateBundle(input: string | Uint8Array): ({ ok: true } & CertificateParts) | { ok: false; message: string } {
  if (input.length > MAX_BUNDLE_BYTES) return { ok: false, message: `larger than ${MAX_BUNDLE_BYTES} bytes: not a certificate` };
  const text = wellFormedText(input)?.trim();
  if (text === undefined) return { ok: false, message: 'not UTF-8 text' };
  if (COMPACT_JWS.test(text)) return { ok: true, jws: text, shownCertificate: undefined, receipt: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${(error as Error).message}` };
  }
  if (!isRecord(value)) return { ok: false, message: 'not a JSON object' };
  if (value.type === CERTIFICATE_TYPE) return { ok: false, message: 'a certificate body without its signature: give the JWS, or the { certificate, jws, receipt } JSON' };
  const { certificate, jws, receipt, anchor } = value;
  if (typeof jws !== 'string') return { ok: false, message: 'the JSON has no "jws" string' };
  if (receipt !== undefined && receipt !== null && typeof receipt !== 'string') return { ok: false, message: '"receipt" must be the receipt text or null' };
  let shownCertificate: string | undefined;
  try {
    shownCertificate = certificate === undefined ? undefined : canonicalize(certificate);
  } catch (error) {
    return { ok: false, message: `"certificate" is not canonical JSON material: ${(error as Error).message}` };
  }
  return { ok: true, jws, shownCertificate, receipt: receipt ?? null, anchor };
}

/** The fields the checks rely on; the platform's own verifier checks the whole schema. */
function isCertificateBody(value: unknown): value is EvidenceCertificate {
  return isRecord(value) && value.type === CERTIFICATE_TYPE && typeof value.public_id === 'string' && isRecord(value.ledger) && value.ledger.kind === 'certificate' && typeof value.ledger.public_id === 'string';
}

/** The anchor's offline part: it names the checkpoint the verified receipt is under (tree size and root). */
function checkAnchor(anchor: unknown, ledger: CertificateVerification['ledger']): { result: CertificateCheckResult; code?: string; message?: string } {
  if (anchor === undefined || anchor === null) return { result: 'not_applicable' };
  const checkpoint = isRecord(anchor) && isRecord(anchor.checkpoint) ? anchor.checkpoint : undefined;
  if (typeof checkpoint?.tree_size !== 'number' || typeof checkpoint.root_hash !== 'string') return { result: 'fail', code: 'ANCHOR_MALFORMED', message: 'the anchor names no checkpoint (tree_size, root_hash)' };
  if (!ledger) return { result: 'not_checked' };
  if (checkpoint.tree_size !== ledger.treeSize || checkpoint.root_hash !== `0x${ledger.rootHash}`) {
    return {
      result: 'fail',
      code: 'ANCHOR_CHECKPOINT_MISMATCH',
      message: `the anchor is of the checkpoint of tree size ${checkpoint.tree_size} (root ${checkpoint.root_hash}), not the one the receipt is under (tree size ${ledger.treeSize}, root 0x${ledger.rootHash})`,
    };
  }
  return { result: 'pass' };
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/**
 * Checks a certificate offline, with WebCrypto, as `veridity verify-certificate` checks its JSON:
 * the bundle of GET /api/v1/certificates/{id}/certificate.json (or the bare JWS, which carries no
 * receipt) against the certificates keys and the ledger key pinned once (GET
 * /api/v1/certificates/keys, GET /api/v1/ledger/key; give several during a rotation). Never throws.
 * Whether the certificate was revoked since is for the platform to say (GET
 * /api/v1/public/certificates/{public_id}).
 */
export async function verifyCertificate(
  document: string | Uint8Array,
  trust: { certificateKeys: readonly CertificateJwsKey[] | CertificateJwkSet; ledgerKeys: string | readonly string[] },
): Promise<CertificateVerification> {
  const checks: Record<CertificateCheck, CertificateCheckResult> = { certificate_signature: 'fail', checkpoint_signature: 'not_checked', ledger_inclusion: 'not_checked', anchor: 'not_checked' };
  const failed = (check: CertificateCheck, code: string, message: string, found: Partial<CertificateVerification> = {}): CertificateVerification => {
    checks[check] = 'fail';
    return { valid: false, checks, failure: { check, code, message }, ...found };
  };
  const parsed = parseCertificateBundle(document);
  if (!parsed.ok) return failed('certificate_signature', 'MALFORMED_BUNDLE', parsed.message);
  const { jws, shownCertificate, receipt, anchor } = parsed;

  const keys = Array.isArray(trust.certificateKeys) ? trust.certificateKeys : certificateKeysFromJwks(trust.certificateKeys as CertificateJwkSet);
  const signature = await runWithWebCrypto(checkCertificateJws(jws, keys));
  if (!signature.ok) return failed('certificate_signature', signature.code, signature.message);
  if (!isCertificateBody(signature.payload)) return failed('certificate_signature', 'MALFORMED', `the signed payload is not a ${CERTIFICATE_TYPE} body`);
  if (shownCertificate !== undefined && shownCertificate !== signature.payloadText) return failed('certificate_signature', 'CERTIFICATE_MISMATCH', 'the certificate shown beside the JWS is not the one it signs');
  checks.certificate_signature = 'pass';
  const found: Partial<CertificateVerification> = { certificate: signature.payload, keyId: signature.keyId };

  if (receipt === null) return failed('checkpoint_signature', 'RECEIPT_MISSING', 'no ledger receipt comes with the certificate (GET .../certificate.json has it once a checkpoint covers the entry)', found);
  let checkpointSigned = false;
  const { ledger } = signature.payload;
  const proven = await verifyReceipt(receipt, trust.ledgerKeys, { publicId: ledger.public_id, onPassed: (passed) => (checkpointSigned ||= passed.step === 'signature') });
  if (!proven.ok) {
    // A key named for another log vouches for nothing here: the checkpoint's signature is what fails.
    if (!checkpointSigned || proven.code === 'ORIGIN_MISMATCH') return failed('checkpoint_signature', proven.code, proven.message, found);
    checks.checkpoint_signature = 'pass';
    return failed('ledger_inclusion', proven.code, proven.message, found);
  }
  checks.checkpoint_signature = 'pass';
  if (proven.entry.kind !== ledger.kind) return failed('ledger_inclusion', 'ENTRY_MISMATCH', `the receipt proves a ${JSON.stringify(proven.entry.kind)} entry, not this certificate's`, found);
  checks.ledger_inclusion = 'pass';
  found.ledger = { index: proven.index, treeSize: proven.treeSize, origin: proven.origin, rootHash: hex(proven.rootHash) };

  const anchored = checkAnchor(anchor, found.ledger);
  checks.anchor = anchored.result;
  if (anchored.code) return failed('anchor', anchored.code, anchored.message!, found);
  return { valid: true, checks, ...found };
}
