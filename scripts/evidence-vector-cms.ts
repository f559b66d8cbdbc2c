/**
 * ASN.1 plumbing for scripts/make-evidence-vectors.sh, for the two things the openssl 3.0 CLI
 * cannot do. It never computes a digest or a signature: openssl does every cryptographic step and
 * this script only moves bytes between DER structures (pkijs).
 *
 *   signature-value <signed.der> <out.bin>
 *       the signature value of the first SignerInfo (what an RFC 3161 signature timestamp covers)
 *   add-timestamp <signed.der> <token.der> <out.der>
 *       adds the timestamp token (openssl ts -reply -token_out) to the first SignerInfo as the
 *       unsigned attribute id-aa-signatureTimeStampToken (RFC 3161 appendix A)
 *   signed-attributes <content-sha512.bin> <signing-time ISO> <out.der>
 *       the DER SET of signed attributes (content-type id-data, signing-time, message-digest) an
 *       Ed25519 signer signs (RFC 8419: the digest is SHA-512), for openssl pkeyutl -sign -rawin
 *   assemble-signed-data <content> <signed-attributes.der> <signature.bin> <signer.pem> <out.der> [chain.pem...]
 *       SignedData with embedded content, one Ed25519 SignerInfo and the certificates
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha512: '2.16.840.1.101.3.4.2.3',
  ed25519: '1.3.101.112',
} as const;

function readSignedData(file: string): { contentInfo: pkijs.ContentInfo; signedData: pkijs.SignedData } {
  const contentInfo = pkijs.ContentInfo.fromBER(readFileSync(file));
  if (contentInfo.contentType !== OID.signedData) throw new Error(`${file}: not CMS SignedData`);
  return { contentInfo, signedData: new pkijs.SignedData({ schema: contentInfo.content }) };
}

function writeSignedData(file: string, signedData: pkijs.SignedData): void {
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  writeFileSync(file, new Uint8Array(contentInfo.toSchema().toBER()));
}

function firstSignerInfo(signedData: pkijs.SignedData): pkijs.SignerInfo {
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo) throw new Error('no SignerInfo');
  return signerInfo;
}

function readPemCertificates(file: string): pkijs.Certificate[] {
  const blocks = readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => pkijs.Certificate.fromBER(Buffer.from(block.replace(/-----[^-]+-----|\s/g, ''), 'base64')));
}

function signedAttributes(contentSha512: Uint8Array, signingTime: Date): pkijs.Attribute[] {
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: signingTime })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: contentSha512 })] }),
  ];
  // DER orders a SET OF by the encodings of its elements.
  const encoded = (attribute: pkijs.Attribute) => Buffer.from(attribute.toSchema().toBER());
  return attributes.sort((a, b) => Buffer.compare(encoded(a), encoded(b)));
}

function encodeSignedAttributeSet(attributes: pkijs.Attribute[]): Uint8Array {
  return new Uint8Array(new asn1js.Set({ value: attributes.map((attribute) => attribute.toSchema()) }).toBER());
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'signature-value': {
    const [signedFile, outFile] = args as [string, string];
    const { signedData } = readSignedData(signedFile);
    writeFileSync(outFile, firstSignerInfo(signedData).signature.valueBlock.valueHexView);
    break;
  }
  case 'add-timestamp': {
    const [signedFile, tokenFile, outFile] = args as [string, string, string];
    const { signedData } = readSignedData(signedFile);
    const token = asn1js.fromBER(readFileSync(tokenFile));
    if (token.offset === -1) throw new Error(`${tokenFile}: not DER`);
    firstSignerInfo(signedData).unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [token.result] })],
    });
    writeSignedData(outFile, signedData);
    break;
  }
  case 'signed-attributes': {
    const [digestFile, signingTime, outFile] = args as [string, string, string];
    writeFileSync(outFile, encodeSignedAttributeSet(signedAttributes(readFileSync(digestFile), new Date(signingTime))));
    break;
  }
  case 'assemble-signed-data': {
    const [contentFile, attributesFile, signatureFile, signerFile, outFile, ...chainFiles] = args as [string, string, string, string, string, ...string[]];
    const signedAttributesDer = readFileSync(attributesFile);
    const parsedAttributes = asn1js.fromBER(signedAttributesDer);
    if (parsedAttributes.offset === -1 || !(parsedAttributes.result instanceof asn1js.Set)) throw new Error(`${attributesFile}: not a DER SET`);
    const attributes = parsedAttributes.result.valueBlock.value.map((element) => new pkijs.Attribute({ schema: element }));
    const [signer] = readPemCertificates(signerFile);
    if (!signer) throw new Error(`${signerFile}: no certificate`);
    const signerInfo = new pkijs.SignerInfo({
      version: 1,
      sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.issuer, serialNumber: signer.serialNumber }),
      digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha512 }),
      signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
      signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.ed25519 }),
      signature: new asn1js.OctetString({ valueHex: readFileSync(signatureFile) }),
    });
    const signedData = new pkijs.SignedData({
      version: 1,
      digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha512 })],
      encapContentInfo: new pkijs.EncapsulatedContentInfo({
        eContentType: OID.data,
        eContent: new asn1js.OctetString({ valueHex: readFileSync(contentFile) }),
      }),
      certificates: [signer, ...chainFiles.flatMap(readPemCertificates)],
      signerInfos: [signerInfo],
    });
    writeSignedData(outFile, signedData);
    // The signed bytes must be exactly the SET openssl signed (only the tag differs in the CMS).
    const written = readSignedData(outFile);
    const reencoded = new Uint8Array(firstSignerInfo(written.signedData).signedAttrs!.encodedValue);
    if (Buffer.compare(Buffer.from(reencoded), signedAttributesDer) !== 0) throw new Error('signed attributes changed while assembling');
    break;
  }
  default:
    console.error('usage: node scripts/evidence-vector-cms.ts signature-value|add-timestamp|signed-attributes|assemble-signed-data ...');
    process.exit(2);
}
