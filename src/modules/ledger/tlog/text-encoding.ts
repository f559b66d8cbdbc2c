/**
 * Strict decoders for the text formats (signed notes, checkpoints, tlog proofs). Node's own base64
 * decoder skips invalid characters and ignores padding bits, which would let distinct texts decode
 * to the same bytes; in signed or hashed text every accepted spelling must be the canonical one.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** RFC 4648 section 4 base64, padded, with zero padding bits; undefined when not canonical. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** ASCII decimal without leading zeros (except "0"), within the safe integer range. */
export function parseDecimal(text: string): number | undefined {
  if (!/^(?:0|[1-9][0-9]*)$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text from a string or UTF-8 bytes; undefined for invalid UTF-8 or lone surrogates. */
export function wellFormedText(input: string | Uint8Array): string | undefined {
  if (typeof input === 'string') return input.isWellFormed() ? input : undefined;
  try {
    return UTF8.decode(input);
  } catch {
    return undefined;
  }
}
