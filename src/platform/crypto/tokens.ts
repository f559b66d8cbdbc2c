import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A high-entropy bearer secret: `<prefix>_<base64url of 32 random bytes>`. */
export function generateToken(prefix: string, bytes = 32): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/**
 * SHA-256 is the right hash for 256-bit random tokens: brute force is infeasible, so a slow
 * password hash would only cost latency on every request.
 */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
