// A child process of the proof pool: proves `count` age_over_18 claims of one credential, each
// bound to a fresh partner-chosen nonce, and sends each proof to the parent as it is made.
import { randomBytes } from 'node:crypto';
import { attributes, issueCredential, prove, releaseProver } from '#test/support/holder.ts';
import { deriveIssuerPublicKey } from '#modules/zk/credentials/generate-issuer-key.ts';
import { BENCH_DOMAIN, type PooledProof } from './proof-pool.ts';

const [issuerPrivateKey, countArgument] = process.argv.slice(2);
const count = Number(countArgument);
const issuer = { privateKey: issuerPrivateKey!, publicKey: await deriveIssuerPublicKey(issuerPrivateKey!) };
const credential = await issueCredential(issuer, attributes());

for (let i = 0; i < count; i++) {
  const nonce = randomBytes(24).toString('base64url');
  const { proof, publicSignals } = await prove(credential, 'age_over_18', { nonce, verifierDomain: BENCH_DOMAIN, param: 18n });
  const pooled: PooledProof = { nonce, proof, publicSignals };
  await new Promise<void>((resolve, reject) => process.send!(pooled, (error: Error | null) => (error ? reject(error) : resolve())));
}
await releaseProver();
process.disconnect();
