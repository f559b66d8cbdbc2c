import { createHash, type KeyObject } from 'node:crypto';
import { newCertificateSerial } from '#platform/crypto/certificate-serial.ts';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * The X.509 objects of a partner's agent CA (pure: no database): the CA's self-signed certificate,
 * the certificates it issues to enrolled agents, and its CRLs. The CA key is ECDSA P-256; every
 * object is signed with ECDSA-SHA256 through WebCrypto.
 */
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: globalThis.crypto });

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  crlNumber: '2.5.29.20',
} as const;

/** keyUsage bits, most significant first: digitalSignature, nonRepudiation | keyCertSign, cRLSign. */
const KEY_USAGE_AGENT = { bits: 0b1100_0000, unused: 6 };
const KEY_USAGE_CA = { bits: 0b0000_0110, unused: 1 };

export const AGENT_CA_VALIDITY_YEARS = 20;
export const AGENT_CERTIFICATE_VALIDITY_YEARS = 1;
/** A CRL is good for this long; the CRL route re-signs it when less than a day is left. */
export const CRL_VALIDITY_MS = 7 * 24 * 3600 * 1000;

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
const x509Time = (date: Date) => new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value: date });

const addYears = (date: Date, years: number) => {
  const later = new Date(date);
  later.setUTCFullYear(later.getUTCFullYear() + years);
  return later;
};

function distinguishedName(commonName: string, organization: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({ type: OID.organization, value: new asn1js.Utf8String({ value: organization }) }),
      new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: commonName }) }),
    ],
  });
}

/** A positive 16-byte serial; returned with its hex the way the evidence verifier reads serials (no leading zeros). */
function newSerial(): { integer: asn1js.Integer; hex: string } {
  const serial = newCertificateSerial();
  return { integer: new asn1js.Integer({ valueHex: serial }), hex: serial.toString('hex') };
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
const keyIdentifier = (info: pkijs.PublicKeyInfo) => createHash('sha1').update(info.subjectPublicKey.valueBlock.valueHexView).digest();

const extension = (extnID: string, value: asn1js.AsnType | { toSchema(): asn1js.AsnType }, critical = false) =>
  new pkijs.Extension({ extnID, critical, extnValue: ('toSchema' in value ? value.toSchema() : value).toBER(false) });

const keyUsage = ({ bits, unused }: { bits: number; unused: number }) => new asn1js.BitString({ valueHex: new Uint8Array([bits]), unusedBits: unused });

const authorityKeyId = (id: Buffer) => new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: id }) });

async function webCryptoKey(privateKey: KeyObject): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('pkcs8', privateKey.export({ format: 'der', type: 'pkcs8' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
}

export type AgentCaIdentity = { clientId: string; organization: string };

/** The agent CA's self-signed certificate: CA, pathLen 0, keyCertSign + cRLSign, 20 years. */
export async function makeAgentCaCertificate(key: { privateKey: KeyObject; publicKey: KeyObject }, identity: AgentCaIdentity, now: Date): Promise<Buffer> {
  const name = distinguishedName(`Veridity agent CA ${identity.clientId}`, identity.organization);
  const info = pkijs.PublicKeyInfo.fromBER(new Uint8Array(key.publicKey.export({ format: 'der', type: 'spki' })));
  const certificate = new pkijs.Certificate({
    version: 2,
    serialNumber: newSerial().integer,
    issuer: name,
    subject: name,
    notBefore: x509Time(now),
    notAfter: x509Time(addYears(now, AGENT_CA_VALIDITY_YEARS)),
    subjectPublicKeyInfo: info,
    extensions: [
      extension(OID.basicConstraints, new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 }), true),
      extension(OID.keyUsage, keyUsage(KEY_USAGE_CA), true),
      extension(OID.subjectKeyIdentifier, new asn1js.OctetString({ valueHex: keyIdentifier(info) })),
    ],
  });
  await certificate.sign(await webCryptoKey(key.privateKey), 'SHA-256', engine);
  return Buffer.from(certificate.toSchema(true).toBER(false));
}

export type AgentCa = { certificate: Buffer; privateKey: KeyObject };

/** An agent's certificate for its own public key (SPKI DER): CN the agent id, digitalSignature + nonRepudiation, one year. */
export async function makeAgentCertificate(ca: AgentCa, subject: { agentId: string; spki: Uint8Array }, now: Date): Promise<{ der: Buffer; serialHex: string; notAfter: Date }> {
  const issuer = pkijs.Certificate.fromBER(new Uint8Array(ca.certificate));
  const info = pkijs.PublicKeyInfo.fromBER(new Uint8Array(subject.spki));
  const serial = newSerial();
  const notAfter = addYears(now, AGENT_CERTIFICATE_VALIDITY_YEARS);
  const organization = issuer.subject.typesAndValues.find((item) => item.type === OID.organization)?.value.valueBlock.value ?? 'Veridity';
  const certificate = new pkijs.Certificate({
    version: 2,
    serialNumber: serial.integer,
    issuer: issuer.subject,
    subject: distinguishedName(subject.agentId, String(organization)),
    notBefore: x509Time(now),
    notAfter: x509Time(notAfter),
    subjectPublicKeyInfo: info,
    extensions: [
      extension(OID.basicConstraints, new pkijs.BasicConstraints({ cA: false }), true),
      extension(OID.keyUsage, keyUsage(KEY_USAGE_AGENT), true),
      extension(OID.subjectKeyIdentifier, new asn1js.OctetString({ valueHex: keyIdentifier(info) })),
      extension(OID.authorityKeyIdentifier, authorityKeyId(keyIdentifier(issuer.subjectPublicKeyInfo))),
    ],
  });
  await certificate.sign(await webCryptoKey(ca.privateKey), 'SHA-256', engine);
  return { der: Buffer.from(certificate.toSchema(true).toBER(false)), serialHex: serial.hex, notAfter };
}

/** The CA's CRL number `number`, listing these serials (hex) with their revocation times; nextUpdate a week on. */
export async function makeAgentCrl(ca: AgentCa, revoked: ReadonlyArray<{ serialHex: string; revokedAt: Date }>, number: number, now: Date): Promise<{ der: Buffer; nextUpdate: Date }> {
  const issuer = pkijs.Certificate.fromBER(new Uint8Array(ca.certificate));
  const nextUpdate = new Date(now.getTime() + CRL_VALIDITY_MS);
  const crl = new pkijs.CertificateRevocationList({
    version: 1,
    issuer: issuer.subject,
    thisUpdate: x509Time(now),
    nextUpdate: x509Time(nextUpdate),
    crlExtensions: new pkijs.Extensions({
      extensions: [extension(OID.authorityKeyIdentifier, authorityKeyId(keyIdentifier(issuer.subjectPublicKeyInfo))), extension(OID.crlNumber, new asn1js.Integer({ value: number }))],
    }),
  });
  if (revoked.length > 0) {
    crl.revokedCertificates = revoked.map((entry) => new pkijs.RevokedCertificate({
      userCertificate: new asn1js.Integer({ valueHex: Buffer.from(entry.serialHex.padStart(entry.serialHex.length + (entry.serialHex.length % 2), '0'), 'hex') }),
      revocationDate: x509Time(entry.revokedAt),
    }));
  }
  await crl.sign(await webCryptoKey(ca.privateKey), 'SHA-256', engine);
  return { der: Buffer.from(crl.toSchema(true).toBER(false)), nextUpdate };
}

