import { SCALAR_FIELD_ORDER } from './bn254.ts';
import { parseCanonicalDecimal } from './parse-point.ts';
import { groth16Failure, markParsed, type Groth16Result, type ParsedPublicSignals } from './types.ts';

/**
 * Public signals as snarkjs writes them: decimal strings of elements of F_r. Only the canonical
 * form is accepted (no sign, whitespace, leading zeros or hex, and < r), so one statement has
 * exactly one encoding: `s` and `s + r` must not both verify.
 */
export function parsePublicSignals(json: unknown, expectedCount: number): Groth16Result<ParsedPublicSignals> {
  if (!Array.isArray(json)) return groth16Failure('MALFORMED_SIGNALS', 'public signals must be an array of strings');
  if (json.length !== expectedCount) {
    return groth16Failure('WRONG_SIGNAL_COUNT', `expected ${expectedCount} public signals, got ${json.length}`);
  }
  const values: bigint[] = [];
  for (const [index, signal] of json.entries()) {
    const value = parseCanonicalDecimal(signal, SCALAR_FIELD_ORDER);
    if (value === undefined) {
      return groth16Failure(
        'SIGNAL_NOT_CANONICAL',
        `public signal ${index} must be a canonical decimal string below the scalar field order`,
      );
    }
    values.push(value);
  }
  return { ok: true, value: markParsed(values) };
}
