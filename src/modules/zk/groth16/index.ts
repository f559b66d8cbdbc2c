// Groth16 (BN254, snarkjs JSON) verification: pure parsers, in-thread mcl primitives and a
// worker-thread pool that batches concurrent calls. Production code wants the pool.
export { FIELD_MODULUS, SCALAR_FIELD_ORDER, type G1Affine, type G2Affine } from './bn254.ts';
export { initMcl } from './mcl-bn254.ts';
export { parseProof } from './parse-proof.ts';
export { parsePublicSignals } from './parse-public-signals.ts';
export { parseStatement } from './parse-statement.ts';
export { parseVerificationKey } from './parse-verification-key.ts';
export { prepareVerificationKey, type PreparedVerificationKey } from './prepare-verification-key.ts';
export {
  GROTH16_ERROR_CODES,
  type Groth16ErrorCode,
  type Groth16Failure,
  type Groth16Result,
  type ParsedProof,
  type ParsedPublicSignals,
  type ParsedStatement,
  type ParsedVerificationKey,
  type VerifyResult,
} from './types.ts';
export {
  createGroth16VerifierPool,
  type Groth16VerifierPool,
  type Groth16VerifierPoolOptions,
  type Groth16VerifierPoolStats,
} from './verifier-pool.ts';
export { verifyBatch } from './verify-batch.ts';
export { verifyPrepared } from './verify-prepared.ts';
