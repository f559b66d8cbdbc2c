import { isBn254CurveName, isJsonObject, parseG1, parseG1OrInfinity, parseG2 } from './parse-point.ts';
import { groth16Failure, markParsed, type G1AffineOrInfinity, type Groth16Result, type ParsedVerificationKey } from './types.ts';

const keyPoint = (label: string) => ({ label, shapeCode: 'MALFORMED_KEY' }) as const;

/** Parses a snarkjs verification_key.json (vk_alphabeta_12 is ignored: the verifier computes it). */
export function parseVerificationKey(json: unknown): Groth16Result<ParsedVerificationKey> {
  if (!isJsonObject(json)) return groth16Failure('MALFORMED_KEY', 'verification key must be a JSON object');
  if (json.protocol !== 'groth16') return groth16Failure('MALFORMED_KEY', 'verification key protocol must be "groth16"');
  if (!isBn254CurveName(json.curve)) return groth16Failure('MALFORMED_KEY', 'verification key curve must be bn128 (BN254)');
  const { nPublic, IC } = json;
  if (typeof nPublic !== 'number' || !Number.isSafeInteger(nPublic) || nPublic < 0) {
    return groth16Failure('MALFORMED_KEY', 'nPublic must be a non-negative integer');
  }
  if (!Array.isArray(IC) || IC.length !== nPublic + 1) {
    return groth16Failure('MALFORMED_KEY', 'IC must hold nPublic + 1 points');
  }

  const alpha = parseG1(json.vk_alpha_1, keyPoint('vk_alpha_1'));
  if (!alpha.ok) return alpha;
  const beta = parseG2(json.vk_beta_2, keyPoint('vk_beta_2'));
  if (!beta.ok) return beta;
  const gamma = parseG2(json.vk_gamma_2, keyPoint('vk_gamma_2'));
  if (!gamma.ok) return gamma;
  const delta = parseG2(json.vk_delta_2, keyPoint('vk_delta_2'));
  if (!delta.ok) return delta;

  const ic: G1AffineOrInfinity[] = [];
  for (const [index, point] of IC.entries()) {
    const parsed = parseG1OrInfinity(point, keyPoint(`IC[${index}]`));
    if (!parsed.ok) return parsed;
    ic.push(parsed.value);
  }

  return {
    ok: true,
    value: markParsed({ nPublic, alpha: alpha.value, beta: beta.value, gamma: gamma.value, delta: delta.value, ic }),
  };
}
