export type PdfSignatureFailureCode = 'NO_SIGNATURE' | 'BYTE_RANGE_INVALID' | 'UNSUPPORTED_SIGNATURE' | 'MALFORMED_SIGNATURE';

export type LocatedPdfSignature =
  | { ok: true; byteRange: readonly [number, number, number, number]; subFilter: string; signedBytes: Uint8Array; cms: Uint8Array }
  | { ok: false; code: PdfSignatureFailureCode; message: string };

/** The SubFilters whose /Contents is a detached CMS SignedData over the ByteRange. */
const DETACHED_CMS_SUBFILTERS = new Set(['ETSI.CAdES.detached', 'adbe.pkcs7.detached']);
const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]/y;

const fail = (code: PdfSignatureFailureCode, message: string): LocatedPdfSignature => ({ ok: false, code, message });

/** Length of the DER element at the start of `bytes` (definite length only), or undefined. */
function derLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x30) return undefined;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || bytes.length < 2 + count) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i]!;
  return 2 + count + length;
}

/**
 * The last signature of a PDF: its ByteRange must be [0 b c d] with c + d the file length (nothing
 * appended after signing), and the gap b..c exactly the hex string that is the /Contents of the
 * same dictionary. Returns the bytes the signature covers and the DER CMS (padding removed).
 * Works on raw bytes, as signature dictionaries are never compressed.
 */
export function locatePdfSignature(pdf: Uint8Array): LocatedPdfSignature {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const at = text.lastIndexOf('/ByteRange');
  if (at < 0) return fail('NO_SIGNATURE', 'the PDF has no signature (no /ByteRange)');
  BYTE_RANGE.lastIndex = at;
  const match = BYTE_RANGE.exec(text);
  if (!match) return fail('BYTE_RANGE_INVALID', 'the /ByteRange is not four non-negative integers');
  const [start, gapStart, gapEnd, tailLength] = match.slice(1).map(Number) as [number, number, number, number];
  if (start !== 0 || gapStart <= 0 || gapEnd <= gapStart) return fail('BYTE_RANGE_INVALID', `the /ByteRange [${match.slice(1).join(' ')}] does not start the file and leave one gap`);
  if (gapEnd + tailLength !== pdf.length) {
    return fail('BYTE_RANGE_INVALID', `the signature covers the file up to byte ${gapEnd + tailLength}, but it has ${pdf.length} bytes: it was changed or extended after signing`);
  }
  const gap = text.slice(gapStart, gapEnd);
  const hex = gap.slice(1, -1);
  const isHexString = gap.startsWith('<') && gap.endsWith('>') && hex.length % 2 === 0 && !/[^0-9A-Fa-f]/.test(hex);
  if (!isHexString || !/\/Contents\s*$/.test(text.slice(Math.max(0, gapStart - 64), gapStart))) {
    return fail('BYTE_RANGE_INVALID', 'the bytes the signature leaves out are not the hex string of its /Contents');
  }
  // The /ByteRange and the /Contents it points at must belong to the same object.
  const between = text.slice(Math.min(at, gapStart), Math.max(at, gapEnd));
  if (/\bendobj\b|\bobj\b/.test(between)) return fail('BYTE_RANGE_INVALID', 'the /ByteRange and the /Contents it leaves out are in different objects');
  const objectStart = text.lastIndexOf(' obj', Math.min(at, gapStart));
  const objectEnd = text.indexOf('endobj', Math.max(at, gapEnd));
  const subFilter = /\/SubFilter\s*\/([^\s/<>[\]()]+)/.exec(text.slice(Math.max(0, objectStart), objectEnd < 0 ? undefined : objectEnd))?.[1];
  if (!subFilter || !DETACHED_CMS_SUBFILTERS.has(subFilter)) {
    return fail('UNSUPPORTED_SIGNATURE', `the signature's /SubFilter is ${subFilter ?? 'missing'}; expected ETSI.CAdES.detached (or adbe.pkcs7.detached)`);
  }

  const contents = Buffer.from(hex, 'hex');
  const length = derLength(contents);
  if (length === undefined || length > contents.length || contents.subarray(length).some((byte) => byte !== 0)) {
    return fail('MALFORMED_SIGNATURE', 'the signature /Contents is not one DER structure followed by zero padding');
  }
  const signedBytes = Buffer.concat([pdf.subarray(0, gapStart), pdf.subarray(gapEnd)]);
  return { ok: true, byteRange: [start, gapStart, gapEnd, tailLength], subFilter, signedBytes, cms: contents.subarray(0, length) };
}
