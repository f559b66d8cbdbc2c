/**
 * The form a nonce is stored under for its single-use guard, so that spellings of the same
 * value cannot be replayed as "new" nonces: hex (a string of hex digits only, with or without
 * `0x`) is lower-cased without leading zeros; base64/base64url (padded or not) is re-encoded as
 * unpadded base64url of its bytes (which also folds the non-canonical trailing bits base64
 * decoders ignore); anything else is kept as its Unicode NFC form. Hex digits are also base64
 * characters: such a string is read as hex, whose spellings differ by case.
 */
export function canonicalNonce(nonce: string): string {
  const hex = /^(?:0[xX])?([0-9a-fA-F]+)$/.exec(nonce);
  if (hex) return `0x${hex[1]!.toLowerCase().replace(/^0+(?=.)/, '')}`;
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(nonce)) {
    return `b64:${Buffer.from(nonce.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('base64url')}`;
  }
  return `str:${nonce.normalize('NFC')}`;
}
