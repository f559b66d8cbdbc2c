import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './cms-identifiers.ts';
import { isP256PrivateKey } from './create-pdf-signing-certificate.ts';

export type PdfSigner = {
  /** ECDSA P-256. */
  privateKey: KeyObject;
  /** The signer's certificate first, then any issuers, DER. */
  certificateChainDer: readonly Uint8Array[];
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** X.690 11.6: DER sorts a SET OF by the encodings, compared as octet strings padded with zeros. */
function derSetOrder(attributes: pkijs.Attribute[]): pkijs.Attribute[] {
  const encoded = attributes.map((item) => ({ item, der: Buffer.from(item.toSchema().toBER()) }));
  return encoded
    .sort((a, b) => {
      const length = Math.max(a.der.length, b.der.length);
      return Buffer.compare(Buffer.concat([a.der, Buffer.alloc(length - a.der.length)]), Buffer.concat([b.der, Buffer.alloc(length - b.der.length)]));
    })
    .map(({ item }) => item);
}

/**
 * A CMS SignedData over `content`, as PAdES baseline B-B (ETSI EN 319 142-1) wants it:
 * SHA-256, ECDSA P-256, signed attributes content-type, message-digest and ESS
 * signing-certificate-v2 (no signing-time: PAdES puts the claimed time in the signature
 * dictionary's /M), the certificate chain embedded. Detached (what a PDF signature is), or with
 * the content encapsulated (`encapsulate`: an evidence agent's signed document). Returns the DER ContentInfo.
 */
export function createCadesSignature(content: Uint8Array, signer: PdfSigner, options: { encapsulate?: boolean } = {}): Uint8Array {
  if (!isP256PrivateKey(signer.privateKey)) throw new TypeError('the PDF signing key must be an ECDSA P-256 private key');
  const [leafDer] = signer.certificateChainDer;
  if (!leafDer) throw new TypeError('the PDF signing certificate chain is empty');
  const certificates = signer.certificateChainDer.map((der) => pkijs.Certificate.fromBER(new Uint8Array(der)));
  const leaf = certificates[0]!;
  const keySpki = createPublicKey(signer.privateKey).export({ format: 'der', type: 'spki' });
  if (!keySpki.equals(Buffer.from(leaf.subjectPublicKeyInfo.toSchema().toBER()))) throw new TypeError('the PDF signing certificate is not for the PDF signing key');

  // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; ESSCertIDv2 with the
  // default hash (SHA-256, so omitted in DER) and no issuerSerial, as the CAdES baseline advises.
  const signingCertificateV2 = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: sha256(leafDer) })] })] })] });
  const attributes = derSetOrder([
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: sha256(content) })),
    attribute(OID.signingCertificateV2, signingCertificateV2),
  ]);
  // The signature covers the DER of the attributes as a SET (RFC 5652 5.4), not their [0] form.
  const signedAttributesSet = new asn1js.Set({ value: attributes.map((item) => item.toSchema()) }).toBER();
  const signature = sign('sha256', Buffer.from(signedAttributesSet), { key: signer.privateKey, dsaEncoding: 'der' });

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: leaf.issuer, serialNumber: leaf.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 }),
    signature: new asn1js.OctetString({ valueHex: signature }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID.data,
      ...(options.encapsulate ? { eContent: new asn1js.OctetString({ valueHex: content }) } : {}),
    }),
    certificates,
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER());
}
