import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EVIDENCE_LIMITS } from './limits.ts';
import { readCertificateElement, type CertificateFacts } from './read-certificate.ts';
import { accept, describeError, reject, type Step } from './types.ts';

export type OpenedSignedData = {
  eContentType: string;
  /** The encapsulated content, or null for a detached signature. */
  eContent: Uint8Array | null;
  /** X.509 certificates carried in the CMS (other certificate formats are ignored). */
  certificates: CertificateFacts[];
  signerInfos: pkijs.SignerInfo[];
};

/**
 * SignedData (RFC 5652 5.1) from the content of its ContentInfo, its certificates read and its
 * counts within EVIDENCE_LIMITS. The fields are taken apart here rather than by pkijs.SignedData,
 * which would parse every certificate a second time; pkijs reads the parts. CRLs carried in the
 * CMS are ignored (revocation uses the CRLs given with the anchors). Zero signers is not refused
 * here: the caller names that outcome.
 */
export function openSignedData(signedData: unknown, what: string): Step<OpenedSignedData> {
  const fields = signedData instanceof asn1js.Sequence ? signedData.valueBlock.value : [];
  const [version, digestAlgorithms, encapsulated, ...rest] = fields;
  const signerInfoSet = rest.pop();
  const optional = rest.map((field) => (field.idBlock.tagClass === 3 && field.idBlock.isConstructed ? field.idBlock.tagNumber : -1));
  const wellFormed = version instanceof asn1js.Integer && digestAlgorithms instanceof asn1js.Set && encapsulated instanceof asn1js.Sequence
    && signerInfoSet instanceof asn1js.Set && optional.every((tag, index) => tag >= 0 && tag <= 1 && (index === 0 || tag > optional[index - 1]!));
  if (!wellFormed) return reject('MALFORMED_CMS', `${what} is not CMS SignedData`);

  const certificateSet = optional[0] === 0 ? (rest[0] as asn1js.Constructed).valueBlock.value : [];
  if (certificateSet.length > EVIDENCE_LIMITS.maxCmsCertificates) {
    return reject('LIMIT_EXCEEDED', `${what} carries ${certificateSet.length} certificates (at most ${EVIDENCE_LIMITS.maxCmsCertificates})`);
  }
  const signerElements = signerInfoSet.valueBlock.value;
  if (signerElements.length > EVIDENCE_LIMITS.maxSigners) {
    return reject('LIMIT_EXCEEDED', `${what} has ${signerElements.length} signers (at most ${EVIDENCE_LIMITS.maxSigners})`);
  }
  let encapContentInfo: pkijs.EncapsulatedContentInfo;
  let signerInfos: pkijs.SignerInfo[];
  try {
    encapContentInfo = new pkijs.EncapsulatedContentInfo({ schema: encapsulated });
    signerInfos = signerElements.map((element) => new pkijs.SignerInfo({ schema: element }));
  } catch (error) {
    return reject('MALFORMED_CMS', `${what} is not CMS SignedData: ${describeError(error)}`);
  }
  const certificates: CertificateFacts[] = [];
  for (const [index, element] of certificateSet.entries()) {
    // CertificateChoices other than a plain X.509 certificate are context-tagged; none can sign.
    if (element.idBlock.tagClass !== 1) continue;
    const certificate = readCertificateElement(element);
    if (!certificate.ok) return reject(certificate.code, `${what}, certificate ${index + 1}: ${certificate.message}`);
    certificates.push(certificate.value);
  }
  const eContent: unknown = encapContentInfo.eContent;
  if (eContent !== undefined && !(eContent instanceof asn1js.OctetString)) return reject('MALFORMED_CMS', `${what}: the encapsulated content is not an OCTET STRING`);
  return accept({
    eContentType: encapContentInfo.eContentType,
    eContent: eContent ? new Uint8Array(eContent.getValue()) : null,
    certificates,
    signerInfos,
  });
}
