import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createHash } from 'node:crypto';
import { decodeDer } from './decode-der.ts';
import { CLOCK_SKEW_MS } from './limits.ts';
import { OID } from './oids.ts';
import { openSignedData } from './open-signed-data.ts';
import { readContentInfo } from './read-content-info.ts';
import type { CertificateFacts } from './read-certificate.ts';
import type { CrlFacts } from './read-crl.ts';
import { digest, resolveDigest } from './signature-schemes.ts';
import { validateCertificatePath } from './validate-certificate-path.ts';
import { verifySignerInfo, singleValue } from './verify-signer-info.ts';
import { accept, describeError, reject, type Step } from './types.ts';

export type TimestampTrust = { tsaAnchors: readonly CertificateFacts[]; crls: readonly CrlFacts[]; now: Date };

export type VerifiedTimestamp = { time: Date; tsa: CertificateFacts };

/**
 * An RFC 3161 signature timestamp token (the value of id-aa-signatureTimeStampToken) over
 * `signature`: a SignedData of TSTInfo with one signer whose token signature verifies, whose
 * signing-certificate attribute (ESS, v1 or v2, required by RFC 3161) names the TSA certificate,
 * whose certificate has the critical extendedKeyUsage timeStamping and chains to a TSA anchor,
 * valid both at genTime and now; the message imprint is the hash of `signature`; genTime is not
 * in the future. Every failure is TIMESTAMP_INVALID, its message saying which check failed.
 */
export function verifyTimestampToken(token: unknown, signature: Uint8Array, trust: TimestampTrust): Step<VerifiedTimestamp> {
  let result: Step<VerifiedTimestamp>;
  try {
    result = checkToken(token, signature, trust);
  } catch (error) {
    result = reject('TIMESTAMP_INVALID', `the token does not parse: ${describeError(error)}`);
  }
  return result.ok ? result : reject('TIMESTAMP_INVALID', `signature timestamp: ${result.message}`);
}

function checkToken(token: unknown, signature: Uint8Array, trust: TimestampTrust): Step<VerifiedTimestamp> {
  const contentInfo = readContentInfo(token, 'the token');
  if (!contentInfo.ok) return contentInfo;
  if (contentInfo.value.contentType !== OID.signedData) return reject('TIMESTAMP_INVALID', `the token is of content type ${contentInfo.value.contentType}, not SignedData`);
  const opened = openSignedData(contentInfo.value.content, 'the token');
  if (!opened.ok) return opened;
  const { eContentType, eContent, certificates, signerInfos } = opened.value;
  if (eContentType !== OID.tstInfo || !eContent) return reject('TIMESTAMP_INVALID', 'the token does not encapsulate a TSTInfo');
  if (signerInfos.length !== 1) return reject('TIMESTAMP_INVALID', `the token has ${signerInfos.length} signers, not one`);
  const tstInfo = readTstInfo(eContent);
  if (!tstInfo.ok) return tstInfo;

  const imprintDigest = resolveDigest(tstInfo.value.messageImprint.hashAlgorithm);
  if (!imprintDigest.ok) return imprintDigest;
  if (!digest(imprintDigest.value, signature).equals(tstInfo.value.messageImprint.hashedMessage.valueBlock.valueHexView)) {
    return reject('TIMESTAMP_INVALID', 'its message imprint is not the hash of this signature value');
  }
  const genTime = tstInfo.value.genTime;
  if (genTime.getTime() > trust.now.getTime() + CLOCK_SKEW_MS) return reject('TIMESTAMP_INVALID', `its time ${genTime.toISOString()} is in the future`);

  const signer = verifySignerInfo({ signerInfo: signerInfos[0]!, certificates, eContentType, content: eContent });
  if (!signer.ok) return signer;
  const tsa = signer.value.certificate;
  const essCertificate = checkSigningCertificateAttribute(signer.value.signedAttributes, tsa);
  if (!essCertificate.ok) return essCertificate;
  const usage = tsa.extendedKeyUsage;
  if (!usage || !usage.critical || !usage.purposes.includes(OID.timeStamping)) {
    return reject('TIMESTAMP_INVALID', `${tsa.subject} lacks the critical extendedKeyUsage timeStamping`);
  }
  if (tsa.keyUsage && !tsa.keyUsage.has('digitalSignature') && !tsa.keyUsage.has('nonRepudiation')) {
    return reject('TIMESTAMP_INVALID', `${tsa.subject}'s keyUsage allows no signatures`);
  }
  const path = validateCertificatePath({
    leaf: tsa,
    intermediates: certificates,
    anchors: trust.tsaAnchors,
    crls: trust.crls,
    validAt: [{ time: genTime, label: 'the timestamp time' }, { time: trust.now, label: 'now' }],
  });
  if (!path.ok) return reject(path.code, path.code === 'CHAIN_UNTRUSTED' ? `the TSA is not trusted: ${path.message}` : path.message);
  return accept({ time: genTime, tsa });
}

function readTstInfo(eContent: Uint8Array): Step<pkijs.TSTInfo> {
  const decoded = decodeDer(eContent, 'TSTInfo');
  if (!decoded.ok) return decoded;
  try {
    const tstInfo = new pkijs.TSTInfo({ schema: decoded.value });
    if (tstInfo.version !== 1) return reject('TIMESTAMP_INVALID', `TSTInfo version ${tstInfo.version}`);
    if (!(tstInfo.genTime instanceof Date) || Number.isNaN(tstInfo.genTime.getTime())) return reject('TIMESTAMP_INVALID', 'TSTInfo genTime does not parse');
    return accept(tstInfo);
  } catch (error) {
    return reject('TIMESTAMP_INVALID', `TSTInfo does not parse: ${describeError(error)}`);
  }
}

/**
 * ESS signing-certificate(-v2) (RFC 2634 / RFC 5035): the first ESSCertID's hash must be the
 * TSA certificate's, so the token cannot be re-attributed to another certificate of the same key.
 */
function checkSigningCertificateAttribute(attributes: readonly pkijs.Attribute[], tsa: CertificateFacts): Step<null> {
  const v2 = singleValue(attributes, OID.signingCertificateV2);
  const v1 = v2 === undefined ? singleValue(attributes, OID.signingCertificate) : undefined;
  const firstId = firstCertId(v2 ?? v1);
  if (!firstId) return reject('TIMESTAMP_INVALID', 'the token has no readable ESS signing-certificate attribute');
  let expected: Buffer;
  if (v2 !== undefined) {
    const [first] = firstId.valueBlock.value;
    let hashName: Step<'sha256' | 'sha384' | 'sha512'> = accept('sha256');
    if (first instanceof asn1js.Sequence) hashName = resolveDigest(new pkijs.AlgorithmIdentifier({ schema: first }));
    if (!hashName.ok) return hashName;
    expected = digest(hashName.value, tsa.der);
  } else {
    // ESSCertID v1 is defined with SHA-1 only; used here as an identifier, not as a signature.
    expected = createHash('sha1').update(tsa.der).digest();
  }
  const certHash = firstId.valueBlock.value.find((element) => element instanceof asn1js.OctetString) as asn1js.OctetString | undefined;
  if (!certHash || !expected.equals(certHash.valueBlock.valueHexView)) return reject('TIMESTAMP_INVALID', `the ESS signing-certificate attribute does not name ${tsa.subject}`);
  return accept(null);
}

function firstCertId(attributeValue: unknown): asn1js.Sequence | null {
  if (!(attributeValue instanceof asn1js.Sequence)) return null;
  const certs = attributeValue.valueBlock.value[0];
  if (!(certs instanceof asn1js.Sequence)) return null;
  const first = certs.valueBlock.value[0];
  return first instanceof asn1js.Sequence ? first : null;
}
