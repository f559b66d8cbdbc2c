import { createHash, createHmac, createPublicKey, verify } from 'node:crypto';
import type { CryptoStep, StepAnswer, Steps } from '#client/crypto-steps.ts';

/**
 * Runs a verification the client SDK writes as crypto steps (sdk/client/src/crypto-steps.ts)
 * synchronously with node:crypto: the server and the SDK share the code that parses and
 * decides, and the server keeps synchronous calls.
 */
export function runWithNodeCrypto<T>(steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) next = steps.next(answer(next.value));
  return next.value;
}

function answer(step: CryptoStep): StepAnswer {
  switch (step.op) {
    case 'sha256':
      return createHash('sha256').update(step.data).digest();
    case 'hmac-sha256':
      return createHmac('sha256', step.key).update(step.data).digest();
    case 'ed25519-verify':
      try {
        const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(step.publicKey).toString('base64url') }, format: 'jwk' });
        return verify(null, step.data, publicKey, step.signature);
      } catch {
        return false;
      }
  }
}
