import type { QuoteFailureCode } from './types.ts';

/**
 * dcap-qvl (0.3.9) reports every failure as a thrown Error with a fixed English message.
 * Each rule matches the start of one message family; the first match wins. The test for this
 * file reads every `throw new Error(...)` in the installed library and requires each to map to
 * a code other than VERIFIER_ERROR, so a library upgrade that rewords a message fails loudly.
 */
const RULES: ReadonlyArray<readonly [RegExp, QuoteFailureCode]> = [
  [/^Failed to decode quote|^Not enough data|^Unsupported body type|^Invalid tee type|^Invalid TEE type|^Unsupported auth data version/, 'QUOTE_MALFORMED'],
  [/^Failed to extract PCK certificates from quote|^Certificate chain is too short in quote/, 'QUOTE_MALFORMED'],
  [/^Intel extension (not found|ambiguity)|^OID |^(Fmspc|CpuSvn|PceSvn) length mismatch/, 'QUOTE_MALFORMED'],
  [/^Unsupported DCAP|^Unsupported quote version|^SGX TEE quote must have version|^TDX TEE quote must have version|^Unsupported cert type/, 'QUOTE_UNSUPPORTED'],
  [/^Failed to decode TcbInfo|^Failed to decode QeIdentity|^Certificate chain is too short for|^Failed to extract PCK certificates from collateral/, 'COLLATERAL_MALFORMED'],
  [/^No SGX components in the TCB info|^No TDX components in the TCB info|^No TCB levels found in QE Identity/, 'COLLATERAL_MALFORMED'],
  [/^TCBInfo issue date is in the future|^TCBInfo expired|^QE Identity issue date is in the future|^QE Identity expired/, 'COLLATERAL_EXPIRED'],
  [/^Certificate is expired or not yet valid/, 'COLLATERAL_EXPIRED'],
  [/^Certificate is revoked/, 'CERTIFICATE_REVOKED'],
  [/^Signature is invalid for|^ISV enclave report signature is invalid|^QE report hash mismatch/, 'SIGNATURE_INVALID'],
  [/^Failed to verify certificate chain|^CaUsedAsEndEntity|^Key length is invalid|^Signature verification failed/, 'SIGNATURE_INVALID'],
  [/^Fmspc mismatch|^TDX quote with non-TDX TCB info|^SGX quote with non-SGX TCB info|^Unsupported QE Identity id\/version/, 'COLLATERAL_MISMATCH'],
  [/^QE MRSIGNER mismatch|^QE ISVPRODID mismatch|^QE MISCSELECT mismatch|^QE ATTRIBUTES mismatch/, 'ENCLAVE_IDENTITY_MISMATCH'],
  [/^No matching TCB level found|^QE ISVSVN |^Failed to get TD10 report/, 'TCB_UNKNOWN'],
  [/^TCB status is invalid: Revoked/, 'TCB_REVOKED'],
  [/^TCB status is invalid/, 'TCB_UNKNOWN'],
  [/^Debug mode is enabled|^Reserved bits in TD attributes are set|^SEPT_VE_DISABLE is not enabled|^Invalid mr service td/, 'TEE_ATTRIBUTES_REJECTED'],
];

export function mapDcapQvlError(message: string): QuoteFailureCode {
  return RULES.find(([pattern]) => pattern.test(message))?.[1] ?? 'VERIFIER_ERROR';
}
