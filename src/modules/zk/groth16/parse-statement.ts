import { parseProof } from './parse-proof.ts';
import { parsePublicSignals } from './parse-public-signals.ts';
import type { Groth16Result, ParsedStatement } from './types.ts';

/** A snarkjs proof and its public signals, for a key with `nPublic` public inputs. */
export function parseStatement(proof: unknown, publicSignals: unknown, nPublic: number): Groth16Result<ParsedStatement> {
  const parsedProof = parseProof(proof);
  if (!parsedProof.ok) return parsedProof;
  const parsedSignals = parsePublicSignals(publicSignals, nPublic);
  if (!parsedSignals.ok) return parsedSignals;
  return { ok: true, value: { proof: parsedProof.value, publicSignals: parsedSignals.value } };
}
