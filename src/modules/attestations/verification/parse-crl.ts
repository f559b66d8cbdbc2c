import type { Result } from './types.ts';

/** The parts of an X.509 CRL (RFC 5280 §5.1) that revocation checking needs. */
export type ParsedCrl = {
  /** DER of tbsCertList: the signed bytes. */
  tbs: Buffer;
  /** DER ECDSA-Sig-Value from the signature BIT STRING. */
  signature: Buffer;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** Serial numbers, lowercase hex without leading zeros. */
  revokedSerials: ReadonlySet<string>;
};

const TAG = { INTEGER: 0x02, BIT_STRING: 0x03, OID: 0x06, SEQUENCE: 0x30, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18 } as const;
// Intel signs its CRLs with ECDSA P-256 / SHA-256; anything else is not an Intel CRL.
const ECDSA_WITH_SHA256_OID = '2a8648ce3d040302';

type Tlv = { tag: number; start: number; contentStart: number; end: number };

/** Thrown only inside this file, to unwind the recursive reader; parseCrl turns it into a result. */
class DerError extends Error {}

function readTlv(der: Buffer, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new DerError(`truncated element at byte ${offset}`);
  const tag = der[offset]!;
  const lengthByte = der[offset + 1]!;
  let contentStart = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const lengthBytes = lengthByte & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 4) throw new DerError(`unsupported length encoding at byte ${offset}`);
    if (contentStart + lengthBytes > limit) throw new DerError(`truncated length at byte ${offset}`);
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += lengthBytes;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError(`element at byte ${offset} overruns its container`);
  return { tag, start: offset, contentStart, end };
}

function childrenOf(der: Buffer, parent: Tlv): Tlv[] {
  const children: Tlv[] = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const child = readTlv(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

function expectTag(element: Tlv | undefined, tag: number, what: string): Tlv {
  if (element === undefined || element.tag !== tag) {
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got ${element ? `0x${element.tag.toString(16)}` : 'nothing'}`);
  }
  return element;
}

function readTime(der: Buffer, element: Tlv, what: string): Date {
  const text = der.subarray(element.contentStart, element.end).toString('latin1');
  const match =
    element.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : element.tag === TAG.GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (!match) throw new DerError(`${what} is not a UTCTime/GeneralizedTime in Z form`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  // RFC 5280 §4.1.2.5.1: two-digit years 50..99 are 19xx, 00..49 are 20xx.
  const year = element.tag === TAG.UTC_TIME ? (y >= 50 ? 1900 + y : 2000 + y) : y;
  return new Date(Date.UTC(year, mo - 1, d, h, mi, s));
}

export const normalizeSerial = (hex: string): string => hex.toLowerCase().replace(/^0+(?=.)/, '');

/** Parses a DER CRL signed with ecdsa-with-SHA256; does not verify it (see prepare-collateral.ts). */
export function parseCrl(der: Buffer): Result<ParsedCrl, 'MALFORMED'> {
  try {
    const outer = expectTag(readTlv(der, 0, der.length), TAG.SEQUENCE, 'CertificateList');
    if (outer.end !== der.length) throw new DerError(`${der.length - outer.end} trailing bytes`);
    const [tbsTlv, algorithmTlv, signatureTlv] = childrenOf(der, outer);
    const tbs = expectTag(tbsTlv, TAG.SEQUENCE, 'tbsCertList');
    const algorithmOid = expectTag(childrenOf(der, expectTag(algorithmTlv, TAG.SEQUENCE, 'signatureAlgorithm'))[0], TAG.OID, 'algorithm');
    const oidHex = der.subarray(algorithmOid.contentStart, algorithmOid.end).toString('hex');
    if (oidHex !== ECDSA_WITH_SHA256_OID) throw new DerError(`signature algorithm OID ${oidHex} is not ecdsa-with-SHA256`);
    const bitString = expectTag(signatureTlv, TAG.BIT_STRING, 'signatureValue');
    if (der[bitString.contentStart] !== 0) throw new DerError('signature BIT STRING has unused bits');

    const fields = childrenOf(der, tbs);
    let index = fields[0]?.tag === TAG.INTEGER ? 1 : 0; // optional version
    index += 2; // signature AlgorithmIdentifier, issuer Name
    const thisUpdate = readTime(der, fields[index++] ?? expectTag(undefined, TAG.UTC_TIME, 'thisUpdate'), 'thisUpdate');
    let nextUpdate: Date | null = null;
    const maybeNext = fields[index];
    if (maybeNext && (maybeNext.tag === TAG.UTC_TIME || maybeNext.tag === TAG.GENERALIZED_TIME)) {
      nextUpdate = readTime(der, maybeNext, 'nextUpdate');
      index++;
    }
    const revokedSerials = new Set<string>();
    const maybeRevoked = fields[index];
    if (maybeRevoked && maybeRevoked.tag === TAG.SEQUENCE) {
      for (const entry of childrenOf(der, maybeRevoked)) {
        const serial = expectTag(childrenOf(der, expectTag(entry, TAG.SEQUENCE, 'revokedCertificate'))[0], TAG.INTEGER, 'userCertificate');
        revokedSerials.add(normalizeSerial(der.subarray(serial.contentStart, serial.end).toString('hex')));
      }
    }
    return {
      ok: true,
      value: {
        tbs: der.subarray(tbs.start, tbs.end),
        signature: der.subarray(bitString.contentStart + 1, bitString.end),
        thisUpdate,
        nextUpdate,
        revokedSerials,
      },
    };
  } catch (error) {
    if (error instanceof DerError) return { ok: false, code: 'MALFORMED', message: error.message };
    throw error;
  }
}
