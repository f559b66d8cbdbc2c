import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { nameKey } from './format-name.ts';
import { OID } from './oids.ts';
import { integerHex, type CertificateFacts } from './read-certificate.ts';
import { checkKeyForScheme, digest, resolveDigest, resolveSignatureScheme, verifySignature, type SignatureScheme } from './signature-schemes.ts';
import { accept, reject, type Step } from './types.ts';

export type SignerInfoInput = {
  signerInfo: pkijs.SignerInfo;
  /** The certificates carried in the CMS. */
  certificates: readonly CertificateFacts[];
  eContentType: string;
  content: Uint8Array;
};

export type CheckedSignerInfo = {
  certificate: CertificateFacts;
  scheme: SignatureScheme;
  signingTime: Date | null;
  signedAttributes: readonly pkijs.Attribute[];
};

/**
 * The cryptographic part of one SignerInfo (RFC 5652 5.4-5.6): its certificate is found by the
 * signer identifier, the signature verifies with that certificate's key over the DER of the
 * signed attributes (or over the content when there are none), the content-type attribute
 * names the encapsulated content type, and the message-digest attribute matches the content.
 * Certificate trust is checked elsewhere. Used for evidence signers and for TSA tokens alike.
 */
export function verifySignerInfo({ signerInfo, certificates, eContentType, content }: SignerInfoInput): Step<CheckedSignerInfo> {
  const certificate = findSignerCertificate(signerInfo.sid, certificates);
  if (!certificate) return reject('SIGNER_CERTIFICATE_MISSING', `the certificate of signer ${describeSignerId(signerInfo.sid)} is not in the CMS`);
  const digestName = resolveDigest(signerInfo.digestAlgorithm);
  if (!digestName.ok) return digestName;
  const scheme = resolveSignatureScheme(signerInfo.signatureAlgorithm, digestName.value);
  if (!scheme.ok) return scheme;
  const key = checkKeyForScheme(certificate.publicKey, scheme.value);
  if (!key.ok) return reject(key.code, `signer ${certificate.subject}: ${key.message}`);
  const signature = signerInfo.signature.valueBlock.valueHexView;

  const attributes = signerInfo.signedAttrs?.attributes ?? null;
  if (!attributes) {
    if (eContentType !== OID.data) return reject('MALFORMED_CMS', `signer ${certificate.subject}: content of type ${eContentType} signed without signed attributes`);
    if (!verifySignature(scheme.value, certificate.publicKey, content, signature)) return reject('SIGNATURE_INVALID', `the signature of ${certificate.subject} does not verify`);
    return accept({ certificate, scheme: scheme.value, signingTime: null, signedAttributes: [] });
  }

  const signedBytes = new Uint8Array(signerInfo.signedAttrs!.encodedValue);
  if (!verifySignature(scheme.value, certificate.publicKey, signedBytes, signature)) return reject('SIGNATURE_INVALID', `the signature of ${certificate.subject} does not verify`);
  const contentType = singleValue(attributes, OID.contentType);
  const messageDigest = singleValue(attributes, OID.messageDigest);
  if (!(contentType instanceof asn1js.ObjectIdentifier)) return reject('MALFORMED_CMS', `signer ${certificate.subject}: the content-type attribute is missing or malformed`);
  if (!(messageDigest instanceof asn1js.OctetString)) return reject('MALFORMED_CMS', `signer ${certificate.subject}: the message-digest attribute is missing or malformed`);
  if (contentType.valueBlock.toString() !== eContentType) {
    return reject('SIGNATURE_INVALID', `signer ${certificate.subject} signed content of type ${contentType.valueBlock.toString()}, the CMS carries ${eContentType}`);
  }
  if (!digest(digestName.value, content).equals(messageDigest.valueBlock.valueHexView)) {
    return reject('CONTENT_DIGEST_MISMATCH', `the content does not match the message digest ${certificate.subject} signed`);
  }
  const signingTime = readSigningTime(attributes);
  if (!signingTime.ok) return reject(signingTime.code, `signer ${certificate.subject}: ${signingTime.message}`);
  return accept({ certificate, scheme: scheme.value, signingTime: signingTime.value, signedAttributes: attributes });
}

function findSignerCertificate(sid: unknown, certificates: readonly CertificateFacts[]): CertificateFacts | undefined {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    const issuer = nameKey(sid.issuer);
    const serial = integerHex(sid.serialNumber);
    return certificates.find((certificate) => certificate.issuerKey === issuer && certificate.serialNumber === serial);
  }
  const keyId = subjectKeyIdentifier(sid);
  return keyId === null ? undefined : certificates.find((certificate) => certificate.subjectKeyIdentifier === keyId);
}

/** [0] SubjectKeyIdentifier, implicitly tagged (primitive) or, as some encoders do, wrapped. */
function subjectKeyIdentifier(sid: unknown): string | null {
  if (!(sid instanceof asn1js.BaseBlock)) return null;
  const block = sid as asn1js.BaseBlock & { valueBlock: { value?: unknown[]; valueHexView?: Uint8Array } };
  const inner = block.idBlock.isConstructed ? block.valueBlock.value?.[0] : block;
  const bytes = (inner as { valueBlock?: { valueHexView?: Uint8Array } } | undefined)?.valueBlock?.valueHexView;
  return bytes && bytes.byteLength > 0 ? Buffer.from(bytes).toString('hex') : null;
}

function describeSignerId(sid: unknown): string {
  if (sid instanceof pkijs.IssuerAndSerialNumber) return `serial ${integerHex(sid.serialNumber)}`;
  return `key identifier ${subjectKeyIdentifier(sid) ?? '(unreadable)'}`;
}

/** The value of an attribute that must occur once with one value; undefined otherwise. */
export function singleValue(attributes: readonly pkijs.Attribute[], type: string): unknown {
  const matching = attributes.filter((attribute) => attribute.type === type);
  if (matching.length !== 1 || matching[0]!.values.length !== 1) return undefined;
  return matching[0]!.values[0];
}

function readSigningTime(attributes: readonly pkijs.Attribute[]): Step<Date | null> {
  if (!attributes.some((attribute) => attribute.type === OID.signingTime)) return accept(null);
  const value = singleValue(attributes, OID.signingTime);
  if (!(value instanceof asn1js.UTCTime) && !(value instanceof asn1js.GeneralizedTime)) return reject('SIGNING_TIME_INVALID', 'the signing-time attribute is repeated or not a time');
  const time = value.toDate();
  if (Number.isNaN(time.getTime())) return reject('SIGNING_TIME_INVALID', 'the signing-time attribute does not parse');
  return accept(time);
}
