import { constants, createDecipheriv, createHash, createPublicKey, diffieHellman, privateDecrypt, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { nameKey } from './format-name.ts';
import { EVIDENCE_LIMITS } from './limits.ts';
import { OID } from './oids.ts';
import { integerHex, readCertificate, type CertificateFacts } from './read-certificate.ts';
import { describeAlgorithm, mgf1Hash } from './signature-schemes.ts';
import { accept, describeError, reject, type Step } from './types.ts';

export type EvidenceDecryptionKey = { privateKey: KeyObject; certificate: Uint8Array };

type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const CONTENT_CIPHERS: Record<string, string> = { [OID.aes128Cbc]: 'aes-128-cbc', [OID.aes192Cbc]: 'aes-192-cbc', [OID.aes256Cbc]: 'aes-256-cbc' };
const OAEP_HASHES: Record<string, HashName> = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };
const ECDH_KDF_HASHES: Record<string, HashName> = { [OID.ecdhSha1Kdf]: 'sha1', [OID.ecdhSha256Kdf]: 'sha256', [OID.ecdhSha384Kdf]: 'sha384', [OID.ecdhSha512Kdf]: 'sha512' };
const KEY_WRAPS: Record<string, { cipher: string; bits: number }> = {
  [OID.aes128Wrap]: { cipher: 'id-aes128-wrap', bits: 128 },
  [OID.aes192Wrap]: { cipher: 'id-aes192-wrap', bits: 192 },
  [OID.aes256Wrap]: { cipher: 'id-aes256-wrap', bits: 256 },
};
const CURVE_OIDS: Record<string, string> = { prime256v1: '1.2.840.10045.3.1.7', secp384r1: '1.3.132.0.34' };
const AES_KEY_WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

/**
 * The plaintext of an EnvelopedData (RFC 5652 6) addressed to the platform evidence
 * certificate. pkijs parses; Node's crypto does key management and decryption: RSAES-OAEP key
 * transport to an RSA key, or ephemeral-static ECDH (RFC 5753 dhSinglePass-stdDH-sha*kdf with
 * AES key wrap) to a P-256/P-384 key; content AES-CBC. (pkijs 4.0.0 derives a wrong ECDH key
 * when ukm is absent, as OpenSSL writes it.) RSA PKCS#1 v1.5 key transport is refused (a
 * padding oracle by design); AuthEnvelopedData is not supported. Every decryption failure is
 * the same DECRYPT_FAILED, whatever its cause.
 */
export function decryptEnvelopedData(content: unknown, key: EvidenceDecryptionKey | undefined): Step<Uint8Array> {
  if (!key) return reject('DECRYPT_FAILED', 'the evidence is encrypted but no platform evidence key is configured');
  let envelope: pkijs.EnvelopedData;
  try {
    envelope = new pkijs.EnvelopedData({ schema: content });
  } catch (error) {
    return reject('MALFORMED_CMS', `EnvelopedData does not parse: ${describeError(error)}`);
  }
  const contentAlgorithm = envelope.encryptedContentInfo.contentEncryptionAlgorithm;
  const contentCipher = CONTENT_CIPHERS[contentAlgorithm.algorithmId];
  if (!contentCipher) return reject('UNSUPPORTED_ALGORITHM', `content encryption ${describeAlgorithm(contentAlgorithm.algorithmId)} is not supported (AES-CBC)`);
  const iv = contentAlgorithm.algorithmParams;
  if (!(iv instanceof asn1js.OctetString) || iv.valueBlock.valueHexView.byteLength !== 16 || !envelope.encryptedContentInfo.encryptedContent) {
    return reject('MALFORMED_CMS', 'EnvelopedData has no 16-byte IV or no encrypted content');
  }
  const platform = readCertificate(key.certificate);
  if (!platform.ok) return reject('DECRYPT_FAILED', `the platform evidence certificate does not parse: ${platform.message}`);
  const recipient = findRecipient(envelope, platform.value);
  if (!recipient) return reject('DECRYPT_FAILED', 'the evidence is not encrypted to the platform evidence certificate');
  let contentKey: Step<Buffer>;
  try {
    contentKey = recipient.kind === 'transport' ? unwrapTransported(recipient.info, key.privateKey) : unwrapAgreed(recipient.info, recipient.encryptedKey, key.privateKey);
  } catch (error) {
    return reject('MALFORMED_CMS', `the key management parameters do not parse: ${describeError(error)}`);
  }
  if (!contentKey.ok) return contentKey;
  try {
    const decipher = createDecipheriv(contentCipher, contentKey.value, iv.valueBlock.valueHexView);
    const ciphertext = new Uint8Array(envelope.encryptedContentInfo.getEncryptedContent());
    const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    if (plaintext.byteLength > EVIDENCE_LIMITS.maxDerBytes) return reject('LIMIT_EXCEEDED', `the decrypted evidence is over ${EVIDENCE_LIMITS.maxDerBytes} bytes`);
    return accept(new Uint8Array(plaintext));
  } catch {
    return decryptFailed();
  }
}

type Recipient =
  | { kind: 'transport'; info: pkijs.KeyTransRecipientInfo }
  | { kind: 'agreement'; info: pkijs.KeyAgreeRecipientInfo; encryptedKey: Uint8Array };

function findRecipient(envelope: pkijs.EnvelopedData, certificate: CertificateFacts): Recipient | null {
  for (const { value } of envelope.recipientInfos) {
    if (value instanceof pkijs.KeyTransRecipientInfo && matchesCertificate(value.rid, certificate)) return { kind: 'transport', info: value };
    if (value instanceof pkijs.KeyAgreeRecipientInfo) {
      const ours = value.recipientEncryptedKeys.encryptedKeys.find((encryptedKey) => matchesCertificate(encryptedKey.rid.value, certificate));
      if (ours) return { kind: 'agreement', info: value, encryptedKey: ours.encryptedKey.valueBlock.valueHexView };
    }
  }
  return null;
}

function matchesCertificate(rid: unknown, certificate: CertificateFacts): boolean {
  if (rid instanceof pkijs.IssuerAndSerialNumber) return nameKey(rid.issuer) === certificate.issuerKey && integerHex(rid.serialNumber) === certificate.serialNumber;
  const keyId = rid instanceof pkijs.RecipientKeyIdentifier ? rid.subjectKeyIdentifier : rid;
  if (!(keyId instanceof asn1js.OctetString) || certificate.subjectKeyIdentifier === null) return false;
  return Buffer.from(keyId.valueBlock.valueHexView).toString('hex') === certificate.subjectKeyIdentifier;
}

function unwrapTransported(info: pkijs.KeyTransRecipientInfo, privateKey: KeyObject): Step<Buffer> {
  const algorithm = info.keyEncryptionAlgorithm;
  if (algorithm.algorithmId === OID.rsaEncryption) {
    return reject('UNSUPPORTED_ALGORITHM', 'RSA PKCS#1 v1.5 key transport is refused; encrypt with RSAES-OAEP (openssl cms -encrypt -keyopt rsa_padding_mode:oaep)');
  }
  if (algorithm.algorithmId !== OID.rsaesOaep || privateKey.asymmetricKeyType !== 'rsa') {
    return reject('UNSUPPORTED_ALGORITHM', `key transport ${describeAlgorithm(algorithm.algorithmId)} to a ${privateKey.asymmetricKeyType} key is not supported`);
  }
  const oaep = new pkijs.RSAESOAEPParams({ schema: algorithm.algorithmParams ?? new asn1js.Sequence() });
  const hash = OAEP_HASHES[oaep.hashAlgorithm.algorithmId];
  if (!hash || mgf1Hash(oaep.maskGenAlgorithm) !== oaep.hashAlgorithm.algorithmId) {
    return reject('UNSUPPORTED_ALGORITHM', 'RSAES-OAEP is supported with SHA-1 or SHA-2 and MGF1 over the same hash');
  }
  try {
    return accept(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, info.encryptedKey.valueBlock.valueHexView));
  } catch {
    return decryptFailed();
  }
}

function unwrapAgreed(info: pkijs.KeyAgreeRecipientInfo, encryptedKey: Uint8Array, privateKey: KeyObject): Step<Buffer> {
  const algorithm = info.keyEncryptionAlgorithm;
  const kdfHash = ECDH_KDF_HASHES[algorithm.algorithmId];
  const wrapId = algorithm.algorithmParams instanceof asn1js.Sequence ? new pkijs.AlgorithmIdentifier({ schema: algorithm.algorithmParams }).algorithmId : '';
  const wrap = KEY_WRAPS[wrapId];
  const curve = privateKey.asymmetricKeyType === 'ec' ? privateKey.asymmetricKeyDetails?.namedCurve ?? '' : '';
  const curveOid = CURVE_OIDS[curve];
  if (!kdfHash || !wrap || !curveOid) {
    return reject('UNSUPPORTED_ALGORITHM', `key agreement ${describeAlgorithm(algorithm.algorithmId)} with key wrap ${wrapId || '(none)'} to a ${curve || privateKey.asymmetricKeyType} key is not supported`);
  }
  const originator = info.originator.value;
  if (!(originator instanceof pkijs.OriginatorPublicKey)) return reject('UNSUPPORTED_ALGORITHM', 'key agreement with a static originator certificate is not supported (ephemeral-static only)');
  try {
    const ephemeralKey = createPublicKey({ key: ecSubjectPublicKeyInfo(curveOid, originator.publicKey.valueBlock.valueHexView), format: 'der', type: 'spki' });
    const sharedSecret = diffieHellman({ privateKey, publicKey: ephemeralKey });
    const ukm = info.ukm?.valueBlock.valueHexView ?? null;
    // RFC 5753 has the wrap algorithm's parameters absent; early implementations wrote NULL.
    for (const parameters of [null, new asn1js.Null()]) {
      const sharedInfo = eccCmsSharedInfo(wrapId, parameters, ukm, wrap.bits);
      const keyEncryptionKey = x963Kdf(kdfHash, sharedSecret, sharedInfo, wrap.bits / 8);
      const unwrapped = aesKeyUnwrap(wrap.cipher, keyEncryptionKey, encryptedKey);
      if (unwrapped) return accept(unwrapped);
    }
  } catch {
    // An invalid ephemeral point: indistinguishable from any other failure, on purpose.
  }
  return decryptFailed();
}

function ecSubjectPublicKeyInfo(curveOid: string, point: Uint8Array): Buffer {
  const spki = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.ecPublicKey }), new asn1js.ObjectIdentifier({ value: curveOid })] }),
      new asn1js.BitString({ valueHex: point }),
    ],
  });
  return Buffer.from(spki.toBER());
}

/** ECC-CMS-SharedInfo (RFC 5753 7.2): keyInfo, entityUInfo [0] when ukm is present, suppPubInfo [2] = key bits. */
function eccCmsSharedInfo(wrapId: string, parameters: asn1js.Null | null, ukm: Uint8Array | null, keyBits: number): Buffer {
  const keyInfo = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: wrapId }), ...(parameters ? [parameters] : [])] });
  const explicit = (tagNumber: number, bytes: Uint8Array) =>
    new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber }, value: [new asn1js.OctetString({ valueHex: bytes })] });
  const suppPubInfo = Buffer.alloc(4);
  suppPubInfo.writeUInt32BE(keyBits);
  return Buffer.from(new asn1js.Sequence({ value: [keyInfo, ...(ukm ? [explicit(0, ukm)] : []), explicit(2, suppPubInfo)] }).toBER());
}

/** ANSI X9.63 KDF: Hash(Z || counter || SharedInfo), counter from 1, truncated to `length` bytes. */
function x963Kdf(hash: HashName, sharedSecret: Buffer, sharedInfo: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 1, produced = 0; produced < length; counter++) {
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(counter);
    const block = createHash(hash).update(sharedSecret).update(counterBytes).update(sharedInfo).digest();
    blocks.push(block);
    produced += block.byteLength;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** RFC 3394 unwrap; null when the integrity check fails. */
function aesKeyUnwrap(cipher: string, keyEncryptionKey: Buffer, wrapped: Uint8Array): Buffer | null {
  try {
    const decipher = createDecipheriv(cipher, keyEncryptionKey, AES_KEY_WRAP_IV);
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch {
    return null;
  }
}

function decryptFailed(): Step<never> {
  return reject('DECRYPT_FAILED', 'the evidence does not decrypt with the platform evidence key');
}
