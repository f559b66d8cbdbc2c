import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeDer } from './decode-der.ts';
import { createFactsCache } from './facts-cache.ts';
import { formatName, nameKey } from './format-name.ts';
import { OID } from './oids.ts';
import { accept, describeError, reject, type Step } from './types.ts';

export type KeyUsageName =
  | 'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'dataEncipherment' | 'keyAgreement'
  | 'keyCertSign' | 'cRLSign' | 'encipherOnly' | 'decipherOnly';
const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
];

/**
 * Extensions whose semantics this module applies or which constrain nothing we rely on. Any
 * other extension marked critical makes the certificate unusable (RFC 5280 4.2): name
 * constraints, policy constraints, policy mappings and inhibitAnyPolicy are not implemented.
 */
const UNDERSTOOD_EXTENSIONS = new Set<string>([
  OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier,
  OID.subjectAltName, OID.issuerAltName, OID.certificatePolicies, OID.crlDistributionPoints, OID.authorityInfoAccess,
]);

/** What path validation and reporting need from one X.509 certificate, read once. */
export type CertificateFacts = {
  der: Uint8Array;
  tbs: Uint8Array;
  signatureAlgorithm: pkijs.AlgorithmIdentifier;
  signatureValue: Uint8Array;
  subject: string;
  issuer: string;
  subjectKey: string;
  issuerKey: string;
  /** Lowercase hex, no leading zeros. */
  serialNumber: string;
  sha256Fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  /** null when the extension is absent. */
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
  keyUsage: ReadonlySet<KeyUsageName> | null;
  extendedKeyUsage: { purposes: readonly string[]; critical: boolean } | null;
  subjectKeyIdentifier: string | null;
  authorityKeyIdentifier: string | null;
  unknownCriticalExtensions: readonly string[];
};

const cached = createFactsCache<CertificateFacts>(1024);

export function readCertificate(der: Uint8Array): Step<CertificateFacts> {
  return cached(der, () => {
    const decoded = decodeDer(der, 'certificate');
    return decoded.ok ? parseCertificate(decoded.value) : decoded;
  });
}

/** From an already decoded element (a CMS certificates entry); its original bytes are kept. */
export function readCertificateElement(element: asn1js.AsnType): Step<CertificateFacts> {
  return cached(element.valueBeforeDecodeView, () => parseCertificate(element));
}

function parseCertificate(element: asn1js.AsnType): Step<CertificateFacts> {
  let certificate: pkijs.Certificate;
  try {
    certificate = new pkijs.Certificate({ schema: element });
  } catch (error) {
    return reject('MALFORMED_CMS', `certificate does not parse: ${describeError(error)}`);
  }
  const der = new Uint8Array(element.valueBeforeDecodeView);
  const notBefore = certificate.notBefore.value;
  const notAfter = certificate.notAfter.value;
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) return reject('MALFORMED_CMS', 'certificate validity dates do not parse');
  if (!sameAlgorithm(certificate.signature, certificate.signatureAlgorithm)) return reject('MALFORMED_CMS', 'certificate signature algorithm differs inside and outside tbsCertificate');
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(certificate.subjectPublicKeyInfo.toSchema().toBER()), format: 'der', type: 'spki' });
  } catch (error) {
    return reject('MALFORMED_CMS', `certificate public key does not parse: ${describeError(error)}`);
  }
  const extensions = readExtensions(certificate.extensions ?? []);
  if (!extensions.ok) return extensions;
  return accept({
    der,
    tbs: certificate.tbsView,
    signatureAlgorithm: certificate.signatureAlgorithm,
    signatureValue: certificate.signatureValue.valueBlock.valueHexView,
    subject: formatName(certificate.subject),
    issuer: formatName(certificate.issuer),
    subjectKey: nameKey(certificate.subject),
    issuerKey: nameKey(certificate.issuer),
    serialNumber: integerHex(certificate.serialNumber),
    sha256Fingerprint: createHash('sha256').update(der).digest('hex'),
    notBefore,
    notAfter,
    publicKey,
    ...extensions.value,
  });
}

type ExtensionFacts = Pick<CertificateFacts,
  'basicConstraints' | 'keyUsage' | 'extendedKeyUsage' | 'subjectKeyIdentifier' | 'authorityKeyIdentifier' | 'unknownCriticalExtensions'>;

function readExtensions(extensions: readonly pkijs.Extension[]): Step<ExtensionFacts> {
  const facts: ExtensionFacts = {
    basicConstraints: null, keyUsage: null, extendedKeyUsage: null,
    subjectKeyIdentifier: null, authorityKeyIdentifier: null, unknownCriticalExtensions: [],
  };
  const seen = new Set<string>();
  const unknownCritical: string[] = [];
  for (const extension of extensions) {
    if (seen.has(extension.extnID)) return reject('MALFORMED_CMS', `certificate repeats extension ${extension.extnID}`);
    seen.add(extension.extnID);
    if (!UNDERSTOOD_EXTENSIONS.has(extension.extnID)) {
      if (extension.critical) unknownCritical.push(extension.extnID);
      continue;
    }
    const value = decodeDer(extension.extnValue.valueBlock.valueHexView, `extension ${extension.extnID}`);
    if (!value.ok) return value;
    try {
      readExtension(extension, value.value, facts);
    } catch (error) {
      return reject('MALFORMED_CMS', `certificate extension ${extension.extnID} does not parse: ${describeError(error)}`);
    }
  }
  return accept({ ...facts, unknownCriticalExtensions: unknownCritical });
}

function readExtension(extension: pkijs.Extension, value: asn1js.AsnType, facts: ExtensionFacts): void {
  switch (extension.extnID) {
    case OID.basicConstraints: {
      const constraints = new pkijs.BasicConstraints({ schema: value });
      const pathLength = constraints.pathLenConstraint;
      const length = pathLength === undefined ? null : typeof pathLength === 'number' ? pathLength : Number(pathLength.toBigInt());
      if (length !== null && (length < 0 || !Number.isFinite(length))) throw new Error('negative path length');
      facts.basicConstraints = { ca: constraints.cA, pathLength: length };
      break;
    }
    case OID.keyUsage: {
      if (!(value instanceof asn1js.BitString)) throw new Error('keyUsage is not a BIT STRING');
      const bytes = value.valueBlock.valueHexView;
      facts.keyUsage = new Set(KEY_USAGE_BITS.filter((_, bit) => ((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1));
      break;
    }
    case OID.extKeyUsage:
      facts.extendedKeyUsage = { purposes: new pkijs.ExtKeyUsage({ schema: value }).keyPurposes, critical: extension.critical };
      break;
    case OID.subjectKeyIdentifier:
      if (!(value instanceof asn1js.OctetString)) throw new Error('subjectKeyIdentifier is not an OCTET STRING');
      facts.subjectKeyIdentifier = Buffer.from(value.valueBlock.valueHexView).toString('hex');
      break;
    case OID.authorityKeyIdentifier: {
      const keyIdentifier = new pkijs.AuthorityKeyIdentifier({ schema: value }).keyIdentifier;
      facts.authorityKeyIdentifier = keyIdentifier ? Buffer.from(keyIdentifier.valueBlock.valueHexView).toString('hex') : null;
      break;
    }
    default:
      // Understood but nothing to read (names, policies, distribution points, AIA).
      break;
  }
}

/** An INTEGER's content octets as lowercase hex without leading zeros ("0" for zero). */
export function integerHex(integer: asn1js.Integer): string {
  return Buffer.from(integer.valueBlock.valueHexView).toString('hex').replace(/^0+/, '') || '0';
}

export function sameAlgorithm(a: pkijs.AlgorithmIdentifier, b: pkijs.AlgorithmIdentifier): boolean {
  return Buffer.from(a.toSchema().toBER()).equals(Buffer.from(b.toSchema().toBER()));
}
