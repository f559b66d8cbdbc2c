/** The CMS content types a submission may carry (RFC 5652 §3): signed evidence, or signed evidence encrypted to the platform. */
export const CMS_CONTENT_TYPES = {
  signedData: '2a864886f70d010702', // 1.2.840.113549.1.7.2
  envelopedData: '2a864886f70d010703', // 1.2.840.113549.1.7.3
} as const;

export type CmsContentType = keyof typeof CMS_CONTENT_TYPES;

export type ContentInfoHeader =
  | { ok: true; contentType: CmsContentType }
  | { ok: false; code: 'MALFORMED_CMS' | 'UNSUPPORTED_CONTENT_TYPE'; message: string };

const SEQUENCE = 0x30;
const OBJECT_IDENTIFIER = 0x06;
const EXPLICIT_0 = 0xa0;
const INDEFINITE = -1;

/** A BER length at `offset`: its value (INDEFINITE for 0x80) and where the contents start; undefined when it runs past the end or is absurd. */
function readLength(bytes: Uint8Array, offset: number): { length: number; start: number } | undefined {
  const first = bytes[offset];
  if (first === undefined) return undefined;
  if (first < 0x80) return { length: first, start: offset + 1 };
  if (first === 0x80) return { length: INDEFINITE, start: offset + 1 };
  const size = first & 0x7f;
  if (size > 4 || offset + 1 + size > bytes.length) return undefined;
  let length = 0;
  for (let i = 1; i <= size; i++) length = length * 256 + bytes[offset + i]!;
  return { length, start: offset + 1 + size };
}

/**
 * The outer frame of a CMS ContentInfo, read without parsing anything nested (constant time,
 * no recursion): a SEQUENCE spanning exactly the bytes given (definite length, or indefinite
 * ending in 00 00), whose first element is a content-type OID this platform takes, followed by
 * the `[0] EXPLICIT` content. What is inside is the verifier's business; this refuses at the door
 * what is not CMS at all (a PDF, a PEM text, a cut-off upload).
 */
export function readContentInfoHeader(bytes: Uint8Array): ContentInfoHeader {
  const malformed = (message: string) => ({ ok: false as const, code: 'MALFORMED_CMS' as const, message });
  if (bytes.length === 0) return malformed('empty: a CMS ContentInfo in DER (or BER) is expected');
  if (bytes[0] !== SEQUENCE) return malformed(`not DER: a CMS ContentInfo starts with a SEQUENCE (0x30), this starts with 0x${bytes[0]!.toString(16).padStart(2, '0')}`);
  const outer = readLength(bytes, 1);
  if (!outer) return malformed('not DER: the length of the outer SEQUENCE is malformed or cut off');
  if (outer.length === INDEFINITE) {
    if (bytes.length < outer.start + 2 || bytes[bytes.length - 1] !== 0 || bytes[bytes.length - 2] !== 0) {
      return malformed('truncated: an indefinite-length SEQUENCE must end with 00 00');
    }
  } else if (outer.start + outer.length > bytes.length) {
    return malformed(`truncated: the outer SEQUENCE announces ${outer.length} bytes, ${bytes.length - outer.start} follow`);
  } else if (outer.start + outer.length < bytes.length) {
    return malformed(`${bytes.length - outer.start - outer.length} bytes follow the outer SEQUENCE`);
  }
  if (bytes[outer.start] !== OBJECT_IDENTIFIER) return malformed('not a CMS ContentInfo: its first element is not a content-type OID');
  const oid = readLength(bytes, outer.start + 1);
  if (!oid || oid.length === INDEFINITE || oid.start + oid.length > bytes.length) return malformed('not a CMS ContentInfo: the content-type OID is malformed');
  const oidHex = Buffer.from(bytes.subarray(oid.start, oid.start + oid.length)).toString('hex');
  const contentType = (Object.keys(CMS_CONTENT_TYPES) as CmsContentType[]).find((name) => CMS_CONTENT_TYPES[name] === oidHex);
  if (!contentType) {
    return { ok: false, code: 'UNSUPPORTED_CONTENT_TYPE', message: 'the CMS content type is neither SignedData nor EnvelopedData' };
  }
  if (bytes[oid.start + oid.length] !== EXPLICIT_0) return malformed(`not a CMS ContentInfo: no [0] content after the ${contentType} OID`);
  return { ok: true, contentType };
}
