import { randomBytes } from 'node:crypto';
import { encodeBase32 } from '#platform/ids.ts';

/**
 * A certificate's public id: 128 bits from the CSPRNG, drawn on their own (no internal id, time or
 * counter goes in, so none comes out), written as 26 lowercase Crockford base32 characters like
 * the suffix of our ids: no padding, and none of the letters people misread on paper (i l o u).
 */
export function newPublicId(): string {
  return encodeBase32(randomBytes(16));
}

export const PUBLIC_ID_PATTERN = /^[0-7][0-9a-hjkmnp-tv-z]{25}$/;
