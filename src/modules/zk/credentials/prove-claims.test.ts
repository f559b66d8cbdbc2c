// End to end over the committed development artifacts: issue a credential, build the
// witness input, prove with snarkjs, verify, and read the public signals back.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, mock, test } from 'node:test';
import * as snarkjs from 'snarkjs';
import { circuitArtifactPaths, CIRCUIT_ARTIFACTS_DIR } from './artifact-paths.ts';
import { BN254_SCALAR_FIELD_ORDER, generateHolderSecret, type CredentialAttributes } from './attributes.ts';
import { computeBinding } from './binding.ts';
import { buildWitnessInput, type CircuitInput, type ProofContext } from './build-witness-input.ts';
import { CLAIM_TYPES, type ClaimType } from './claim-types.ts';
import type { Credential } from './credential-format.ts';
import { generateIssuerKey, type IssuerKey } from './generate-issuer-key.ts';
import { parsePublicSignals, PUBLIC_SIGNAL_COUNT, PUBLIC_SIGNAL_NAMES } from './public-signals.ts';
import { signCredential } from './sign-credential.ts';

const TODAY = 20260315;
const NONCE = 'req_01jd5x7q9kz3m8n2p4r6t8v0wy';
const DOMAIN = 'Bank.Example';

const holderAttributes = (expiryDate: bigint): CredentialAttributes => ({
  birth_date: 20000615n, // 25 at TODAY
  citizenship: 756n,
  education_level: 5n,
  annual_income: 85_000n,
  expiry_date: expiryDate,
  holder_secret: generateHolderSecret(randomBytes),
});

/** For each claim type, a param the credential satisfies and one it does not. */
const PARAMS: Record<ClaimType, { holds: bigint; fails?: bigint }> = {
  age_over_18: { holds: 18n },
  age_over_21: { holds: 21n },
  citizenship: { holds: 756n, fails: 276n },
  education: { holds: 5n, fails: 6n },
  income_gte: { holds: 85_000n, fails: 85_001n },
};

let issuer: IssuerKey;
let valid: Credential;
let expired: Credential;
let minor: Credential; // 17 at TODAY: the failing case of both age claims
const verificationKeys = new Map<ClaimType, snarkjs.VerificationKey>();
const proveMs: number[] = [];

async function issue(privateKey: string, attributes: CredentialAttributes): Promise<Credential> {
  const signed = await signCredential(privateKey, attributes);
  assert.ok(signed.ok);
  return signed.value;
}

function input(credential: Credential, claimType: ClaimType, change: Partial<ProofContext> = {}): CircuitInput {
  const context = { currentDate: TODAY, param: PARAMS[claimType].holds, nonce: NONCE, verifierDomain: DOMAIN, ...change };
  const built = buildWitnessInput(credential, claimType, context);
  assert.ok(built.ok, built.ok ? '' : built.message);
  return built.value;
}

async function prove(claimType: ClaimType, circuitInput: CircuitInput) {
  const paths = circuitArtifactPaths(claimType);
  const started = performance.now();
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(circuitInput, paths.wasm, paths.zkey);
  proveMs.push(performance.now() - started);
  assert.equal(await snarkjs.groth16.verify(verificationKeys.get(claimType)!, publicSignals, proof), true);
  const parsed = parsePublicSignals(claimType, publicSignals);
  assert.ok(parsed.ok);
  return { proof, publicSignals, signals: parsed.value };
}

/** Witness only (no proof): the outputs are wires 1 and 2, right after the constant 1. */
async function outputs(claimType: ClaimType, circuitInput: Record<string, string>): Promise<[bigint, bigint]> {
  const witness = { type: 'mem' as const };
  await snarkjs.wtns.calculate(circuitInput, circuitArtifactPaths(claimType).wasm, witness);
  const wires = await snarkjs.wtns.exportJson(witness);
  return [wires[1]!, wires[2]!];
}

/** Witness generation must fail on a circuit assert inside `template` (e.g. EdDSAPoseidonVerifier). */
async function expectNoWitness(claimType: ClaimType, circuitInput: Record<string, string>, template: string, label: string) {
  // circom's witness calculator console.error()s every failed assert before throwing it.
  const quiet = mock.method(console, 'error', () => {});
  try {
    await assert.rejects(outputs(claimType, circuitInput), new RegExp(`Assert Failed[^]*Error in template ${template}_`), label);
  } finally {
    quiet.mock.restore();
  }
}

before(async () => {
  issuer = await generateIssuerKey();
  valid = await issue(issuer.privateKey, holderAttributes(20300101n));
  expired = await issue(issuer.privateKey, holderAttributes(20260314n));
  minor = await issue(issuer.privateKey, { ...holderAttributes(20300101n), birth_date: 20080316n });
  for (const claimType of CLAIM_TYPES) {
    const json = await readFile(circuitArtifactPaths(claimType).verificationKey, 'utf8');
    verificationKeys.set(claimType, JSON.parse(json) as snarkjs.VerificationKey);
  }
});

after(async (context) => {
  if (proveMs.length > 0) {
    const sorted = [...proveMs].sort((a, b) => a - b);
    context.diagnostic?.(
      `fullProve: ${proveMs.length} proofs, median ${sorted[sorted.length >> 1]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`,
    );
  }
  // snarkjs keeps a worker-thread pool on this global; the test process would not exit.
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
});

test('committed artifacts match manifest.json', async () => {
  const manifest = JSON.parse(await readFile(`${CIRCUIT_ARTIFACTS_DIR}manifest.json`, 'utf8')) as {
    public_signals: string[];
    circuits: Record<string, { files: Record<string, string> }>;
  };
  assert.deepEqual(manifest.public_signals, PUBLIC_SIGNAL_NAMES);
  assert.deepEqual(Object.keys(manifest.circuits), [...CLAIM_TYPES]);
  for (const [claimType, { files }] of Object.entries(manifest.circuits)) {
    assert.equal(Object.keys(files).length, 3);
    for (const [file, sha256] of Object.entries(files)) {
      const actual = createHash('sha256').update(await readFile(`${CIRCUIT_ARTIFACTS_DIR}${file}`)).digest('hex');
      assert.equal(actual, sha256, `${claimType}: ${file}`);
    }
  }
  for (const claimType of CLAIM_TYPES) assert.equal(verificationKeys.get(claimType)!.nPublic, PUBLIC_SIGNAL_COUNT);
});

for (const claimType of CLAIM_TYPES) {
  describe(claimType, () => {
    test('a valid credential proves the claim; public signals are [result, not_expired, issuer_ax, issuer_ay, current_date, param, binding]', async () => {
      const { proof, publicSignals, signals } = await prove(claimType, input(valid, claimType));
      // All seven values differ, so matching them one by one also pins the order.
      assert.deepEqual(signals, {
        result: 1n,
        notExpired: 1n,
        issuerAx: BigInt(issuer.publicKey.ax),
        issuerAy: BigInt(issuer.publicKey.ay),
        currentDate: BigInt(TODAY),
        param: PARAMS[claimType].holds,
        binding: computeBinding(NONCE, DOMAIN),
      });

      // Every public signal is bound by the proof (no malleable public input), and a
      // signal shifted by the field order is not a different valid statement.
      const vk = verificationKeys.get(claimType)!;
      for (let index = 0; index < PUBLIC_SIGNAL_COUNT; index++) {
        const tampered = [...publicSignals];
        tampered[index] = (BigInt(tampered[index]!) + 1n).toString();
        assert.equal(await snarkjs.groth16.verify(vk, tampered, proof), false, `tampered ${PUBLIC_SIGNAL_NAMES[index]}`);
      }
      const otherRequest = computeBinding('another-nonce', DOMAIN).toString();
      assert.equal(await snarkjs.groth16.verify(vk, [...publicSignals.slice(0, 6), otherRequest], proof), false);
      const wrapped = [...publicSignals.slice(0, 6), (BigInt(publicSignals[6]!) + BN254_SCALAR_FIELD_ORDER).toString()];
      assert.equal(parsePublicSignals(claimType, wrapped).ok, false);
    });

    test('a predicate that does not hold gives a valid proof with result 0', async () => {
      const { fails } = PARAMS[claimType];
      const failing = fails === undefined ? input(minor, claimType) : input(valid, claimType, { param: fails });
      const { signals } = await prove(claimType, failing);
      assert.equal(signals.result, 0n);
      assert.equal(signals.notExpired, 1n);
      assert.equal(signals.param, fails ?? PARAMS[claimType].holds);
    });

    test('an expired credential gives not_expired 0 (and the predicate is still evaluated)', async () => {
      const { signals } = await prove(claimType, input(expired, claimType));
      assert.equal(signals.notExpired, 0n);
      assert.equal(signals.result, 1n);
    });

    test('no witness exists without a valid issuer signature', async () => {
      const forgedIssuer = await generateIssuerKey();
      const otherSignature = (await issue(forgedIssuer.privateKey, holderAttributes(20300101n))).signature;
      const claimedByOther = { ...valid, issuer: forgedIssuer.publicKey };
      const inflated = { ...valid, attributes: { ...valid.attributes, annual_income: '10000000', birth_date: '19500101' } };
      // S + l is the same scalar mod the subgroup order l; the circuit demands S < l.
      const subgroupOrder = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;
      const cases: Array<[string, Credential]> = [
        ['signature by another key', { ...valid, signature: otherSignature }],
        ['issuer key swapped for another', claimedByOther],
        ['attributes changed after signing', inflated],
        ['S + subgroup order', { ...valid, signature: { ...valid.signature, S: String(BigInt(valid.signature.S) + subgroupOrder) } }],
      ];
      for (const [label, credential] of cases) {
        await expectNoWitness(claimType, input(credential, claimType), '(ForceEqualIfEnabled|EdDSAPoseidonVerifier)', label);
      }
    });
  });
}

describe('predicate edges (witness only)', () => {
  test('age: turns 18 on the birthday, not the day before; Feb 29 births turn 18 on Mar 1', async () => {
    const leapling = await issue(issuer.privateKey, { ...holderAttributes(20300101n), birth_date: 20080229n });
    const birthday = await issue(issuer.privateKey, { ...holderAttributes(20300101n), birth_date: 20080315n });
    const ageOn = async (credential: Credential, currentDate: number) => (await outputs('age_over_18', input(credential, 'age_over_18', { currentDate })))[0];
    assert.equal(await ageOn(birthday, 20260314), 0n);
    assert.equal(await ageOn(birthday, 20260315), 1n);
    assert.equal(await ageOn(leapling, 20260228), 0n);
    assert.equal(await ageOn(leapling, 20260301), 1n);
    assert.equal(await ageOn(leapling, 20250301), 0n); // 17
  });

  test('not_expired holds through the expiry date itself', async () => {
    const expiresToday = await issue(issuer.privateKey, holderAttributes(BigInt(TODAY)));
    assert.equal((await outputs('citizenship', input(expiresToday, 'citizenship')))[1], 1n);
    assert.equal((await outputs('citizenship', input(expiresToday, 'citizenship', { currentDate: 20260316 })))[1], 0n);
  });

  test('education and income thresholds are inclusive; citizenship is equality', async () => {
    assert.deepEqual(await outputs('education', input(valid, 'education', { param: 0n })), [1n, 1n]);
    assert.deepEqual(await outputs('income_gte', input(valid, 'income_gte', { param: 0n })), [1n, 1n]);
    assert.deepEqual(await outputs('citizenship', input(valid, 'citizenship', { param: 757n })), [0n, 1n]);
  });

  test('range checks: out-of-range public inputs have no witness instead of wrapping around the field', async () => {
    const r = BN254_SCALAR_FIELD_ORDER;
    const cases: Array<[ClaimType, Partial<CircuitInput>]> = [
      // p - 1 would pass "param <= level" if the comparator wrapped.
      ['education', { param: String(r - 1n) }],
      ['income_gte', { param: String(2n ** 64n) }],
      ['age_over_18', { param: String(256n) }],
      ['age_over_18', { param: String(r - 1n) }],
      ['citizenship', { current_date: String(2n ** 27n) }],
      ['age_over_18', { current_date: String(r - 1n) }],
    ];
    for (const [claimType, change] of cases) {
      await expectNoWitness(claimType, { ...input(valid, claimType), ...change }, 'Num2Bits', `${claimType} ${JSON.stringify(change)}`);
    }
  });
});
