/**
 * Verifications here are written once, as generators that yield the cryptographic operations
 * they need (a hash, an HMAC, an Ed25519 check) and receive the answers. A runner answers them:
 * `runWithWebCrypto` (async; Node 20+ and browsers) in this package, a synchronous node:crypto
 * runner on the server (src/platform/crypto/run-crypto-steps.ts). So the parsing and the rules
 * that decide are the same code on both sides; only the primitives differ.
 */

export type CryptoStep =
  | { op: 'sha256'; data: Uint8Array }
  | { op: 'hmac-sha256'; key: Uint8Array; data: Uint8Array }
  /** Answered false for a key that cannot be used (not a point on the curve), like a bad signature. */
  | { op: 'ed25519-verify'; publicKey: Uint8Array; signature: Uint8Array; data: Uint8Array };

/** The answer to each step: bytes for a digest or MAC, a boolean for a signature check. */
export type StepAnswer = Uint8Array | boolean;
export type Steps<T> = Generator<CryptoStep, T, StepAnswer>;

export function* sha256(data: Uint8Array): Steps<Uint8Array> {
  return (yield { op: 'sha256', data }) as Uint8Array;
}

export function* hmacSha256(key: Uint8Array, data: Uint8Array): Steps<Uint8Array> {
  return (yield { op: 'hmac-sha256', key, data }) as Uint8Array;
}

export function* ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Steps<boolean> {
  return (yield { op: 'ed25519-verify', publicKey, signature, data }) as boolean;
}

export async function runWithWebCrypto<T>(steps: Steps<T>): Promise<T> {
  let next = steps.next();
  while (!next.done) next = steps.next(await answerWithWebCrypto(next.value));
  return next.value;
}

// WebCrypto takes ArrayBuffer-backed views only: copy, as a caller's bytes may sit on a SharedArrayBuffer.
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

async function answerWithWebCrypto(step: CryptoStep): Promise<StepAnswer> {
  const { subtle } = globalThis.crypto;
  switch (step.op) {
    case 'sha256':
      return new Uint8Array(await subtle.digest('SHA-256', own(step.data)));
    case 'hmac-sha256': {
      const key = await subtle.importKey('raw', own(step.key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      return new Uint8Array(await subtle.sign('HMAC', key, own(step.data)));
    }
    case 'ed25519-verify':
      try {
        const key = await subtle.importKey('raw', own(step.publicKey), { name: 'Ed25519' }, false, ['verify']);
        return await subtle.verify({ name: 'Ed25519' }, key, own(step.signature), own(step.data));
      } catch {
        return false;
      }
  }
}
