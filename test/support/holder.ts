import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as snarkjs from 'snarkjs';
import { circuitArtifactPaths } from '#modules/zk/credentials/artifact-paths.ts';
import { generateHolderSecret, toYyyymmdd, type CredentialAttributes } from '#modules/zk/credentials/attributes.ts';
import { buildWitnessInput } from '#modules/zk/credentials/build-witness-input.ts';
import type { ClaimType } from '#modules/zk/credentials/claim-types.ts';
import type { Credential } from '#modules/zk/credentials/credential-format.ts';
import { generateIssuerKey, type IssuerKey } from '#modules/zk/credentials/generate-issuer-key.ts';
import { signCredential } from '#modules/zk/credentials/sign-credential.ts';
import { initMcl } from '#modules/zk/groth16/mcl-bn254.ts';
import { rerandomise } from '#modules/zk/groth16/fixtures/tamper.ts';

/** A holder's device, for tests: real credentials signed by a real issuer key, real snarkjs proofs. */
export type HolderProof = { proof: snarkjs.Groth16Proof; publicSignals: string[] };

export { generateIssuerKey, type IssuerKey };

export function attributes(overrides: Partial<CredentialAttributes> = {}): CredentialAttributes {
  return {
    birth_date: 19900515n,
    citizenship: 756n,
    education_level: 5n,
    annual_income: 85_000n,
    expiry_date: 20991231n,
    holder_secret: generateHolderSecret(randomBytes),
    ...overrides,
  };
}

export async function issueCredential(issuer: IssuerKey, values: CredentialAttributes): Promise<Credential> {
  const signed = await signCredential(issuer.privateKey, values);
  if (!signed.ok) throw new Error(signed.message);
  return signed.value;
}

export async function prove(
  credential: Credential,
  claimType: ClaimType,
  context: { nonce: string; verifierDomain: string; param: bigint; currentDate?: number },
): Promise<HolderProof> {
  const input = buildWitnessInput(credential, claimType, { currentDate: context.currentDate ?? toYyyymmdd(new Date()), param: context.param, nonce: context.nonce, verifierDomain: context.verifierDomain });
  if (!input.ok) throw new Error(input.message);
  const paths = circuitArtifactPaths(claimType);
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input.value, paths.wasm, paths.zkey);
  return { proof, publicSignals };
}

/** The same statement, a different valid proof (Groth16 malleability). */
export async function rerandomised(claimType: ClaimType, holderProof: HolderProof): Promise<snarkjs.Groth16Proof> {
  await initMcl();
  const vkey = JSON.parse(await readFile(circuitArtifactPaths(claimType).verificationKey, 'utf8')) as snarkjs.VerificationKey;
  return rerandomise({ proof: holderProof.proof, public_signals: holderProof.publicSignals }, vkey);
}

/** snarkjs keeps worker threads alive; end them so the test process can exit. */
export async function releaseProver(): Promise<void> {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
}
