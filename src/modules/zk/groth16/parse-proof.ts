import { isBn254CurveName, isJsonObject, parseG1, parseG2 } from './parse-point.ts';
import { groth16Failure, markParsed, type Groth16Result, type ParsedProof } from './types.ts';

const proofPoint = (label: string) => ({ label, shapeCode: 'MALFORMED_PROOF' }) as const;

/**
 * Parses a snarkjs proof `{pi_a, pi_b, pi_c, protocol, curve}`. `protocol` and `curve` may be
 * absent (some provers omit them) but, when present, must name Groth16 on BN254.
 */
export function parseProof(json: unknown): Groth16Result<ParsedProof> {
  if (!isJsonObject(json)) return groth16Failure('MALFORMED_PROOF', 'proof must be a JSON object');
  if (json.protocol !== undefined && json.protocol !== 'groth16') {
    return groth16Failure('MALFORMED_PROOF', 'proof protocol must be "groth16"');
  }
  if (json.curve !== undefined && !isBn254CurveName(json.curve)) {
    return groth16Failure('MALFORMED_PROOF', 'proof curve must be bn128 (BN254)');
  }
  const a = parseG1(json.pi_a, proofPoint('pi_a'));
  if (!a.ok) return a;
  const b = parseG2(json.pi_b, proofPoint('pi_b'));
  if (!b.ok) return b;
  const c = parseG1(json.pi_c, proofPoint('pi_c'));
  if (!c.ok) return c;
  return { ok: true, value: markParsed({ a: a.value, b: b.value, c: c.value }) };
}
