/**
 * Byte helpers for the browser (no Buffer): strict base64 as the tlog formats require (every
 * accepted spelling is the canonical one, so two texts never decode to the same bytes; see
 * src/modules/ledger/tlog/text-encoding.ts), and SHA-256 from WebCrypto.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** RFC 4648 base64, padded, with zero padding bits; undefined when not canonical. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return encodeBase64(bytes) === text ? bytes : undefined;
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

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concatBytes(...parts)));
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
