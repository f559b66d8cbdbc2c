import { createHash } from 'node:crypto';
import { classifyContent } from './classify-content.ts';
import { decodeDer } from './decode-der.ts';
import { decryptEnvelopedData } from './decrypt-enveloped-data.ts';
import { EVIDENCE_LIMITS } from './limits.ts';
import { OID } from './oids.ts';
import { openSignedData } from './open-signed-data.ts';
import { readContentInfo, type ContentInfoParts } from './read-content-info.ts';
import { readTrust } from './read-trust.ts';
import { verifyEvidenceSigner } from './verify-evidence-signer.ts';
import { accept, describeError, reject, type EvidenceRejection, type EvidenceSigner, type EvidenceTrust, type Step, type VerifiedEvidence } from './types.ts';

export type SignedEvidenceInput = { der: Uint8Array; detachedContent?: Uint8Array };

/**
 * Verifies CMS evidence as a careful relying party: SignedData (embedded or detached content),
 * or EnvelopedData to the platform evidence key around it; every signer, its timestamps and
 * its certificate path to the partner's anchors; then the content (erasure-report/v1 is
 * schema-checked, anything else is an opaque document). Pure: no I/O beyond CPU. Never throws:
 * anything unexpected from the ASN.1 or crypto libraries is MALFORMED_CMS.
 */
export async function verifySignedEvidence(input: SignedEvidenceInput, trust: EvidenceTrust): Promise<VerifiedEvidence | EvidenceRejection> {
  try {
    return verify(input, trust);
  } catch (error) {
    return reject('MALFORMED_CMS', `the evidence could not be processed: ${describeError(error)}`);
  }
}

function verify(input: SignedEvidenceInput, trust: EvidenceTrust): VerifiedEvidence | EvidenceRejection {
  const der: unknown = input?.der;
  const detached: unknown = input?.detachedContent;
  if (!(der instanceof Uint8Array)) return reject('MALFORMED_CMS', 'the evidence is not binary data');
  if (der.byteLength > EVIDENCE_LIMITS.maxDerBytes) return reject('LIMIT_EXCEEDED', `the evidence is ${der.byteLength} bytes (at most ${EVIDENCE_LIMITS.maxDerBytes})`);
  if (detached !== undefined && !(detached instanceof Uint8Array)) return reject('MALFORMED_CMS', 'the detached content is not binary data');
  if (detached && detached.byteLength > EVIDENCE_LIMITS.maxDetachedContentBytes) {
    return reject('LIMIT_EXCEEDED', `the detached content is ${detached.byteLength} bytes (at most ${EVIDENCE_LIMITS.maxDetachedContentBytes})`);
  }
  const trustFacts = readTrust(trust);
  if (!trustFacts) return reject('CHAIN_UNTRUSTED', 'no valid time of validation (trust.now) was given');

  const outer = decodeContentInfo(der, 'the evidence');
  if (!outer.ok) return outer;
  let signed = outer.value;
  const encrypted = signed.contentType === OID.envelopedData;
  if (encrypted) {
    const plaintext = decryptEnvelopedData(signed.content, trust.decryption);
    if (!plaintext.ok) return plaintext;
    const inner = decodeContentInfo(plaintext.value, 'the decrypted evidence');
    if (!inner.ok) return inner;
    signed = inner.value;
  }
  if (signed.contentType === OID.authEnvelopedData) return reject('UNSUPPORTED_ALGORITHM', 'AuthEnvelopedData (AES-GCM) is not supported; use EnvelopedData with AES-CBC');
  if (signed.contentType !== OID.signedData) {
    return reject('MALFORMED_CMS', `${encrypted ? 'the decrypted evidence' : 'the evidence'} is CMS of content type ${signed.contentType}, expected SignedData${encrypted ? '' : ' or EnvelopedData'}`);
  }

  const opened = openSignedData(signed.content, 'the evidence');
  if (!opened.ok) return opened;
  const { eContentType, eContent, certificates, signerInfos } = opened.value;
  if (signerInfos.length === 0) return reject('NO_SIGNER', 'the SignedData has no signer');
  const content = chooseContent(eContent, detached);
  if (!content.ok) return content;

  const signers: EvidenceSigner[] = [];
  let validatedAt: Date | null = null;
  for (const signerInfo of signerInfos) {
    const verified = verifyEvidenceSigner({ signerInfo, certificates, eContentType, content: content.value, trust: trustFacts });
    if (!verified.ok) return verified;
    signers.push(verified.value.signer);
    validatedAt ??= verified.value.validatedAt;
  }

  const classified = classifyContent(content.value, eContentType);
  if (!classified.ok) return classified;
  return {
    ok: true,
    content: content.value,
    contentSha256: createHash('sha256').update(content.value).digest('hex'),
    mediaType: classified.value.mediaType,
    contentType: eContentType,
    document: classified.value.document,
    signers,
    timestamp: signers[0]!.timestamp,
    encrypted,
    validatedAt: validatedAt!.toISOString(),
  };
}

function decodeContentInfo(bytes: Uint8Array, what: string): Step<ContentInfoParts> {
  const decoded = decodeDer(bytes, what);
  return decoded.ok ? readContentInfo(decoded.value, what) : decoded;
}

/** The signed content: embedded, or the detached content given beside a detached signature. */
function chooseContent(embedded: Uint8Array | null, detached: Uint8Array | undefined): Step<Uint8Array> {
  if (embedded === null) {
    return detached ? accept(detached) : reject('CONTENT_MISSING', 'the signature is detached and no content was given with it');
  }
  if (detached && !Buffer.from(detached).equals(embedded)) {
    return reject('CONTENT_DIGEST_MISMATCH', 'content was given beside a signature that embeds different content');
  }
  return accept(embedded);
}
