/** Public surface of the TEE verification core (pure: no database, HTTP or queue). */
export { verifyParsedQuote, verifyQuote } from './verify-quote.ts';
export type { VerifyQuoteInput, VerifyQuoteOptions, VerifyQuoteResult } from './verify-quote.ts';
export { extractQuoteFmspc } from './extract-quote-fmspc.ts';
export type { QuotePlatformKey } from './extract-quote-fmspc.ts';
export { parseQuote } from './parse-quote.ts';
export type { ParsedQuote } from './parse-quote.ts';
export { prepareCollateral } from './prepare-collateral.ts';
export { parseTcbInfoJson } from './parse-collateral-json.ts';
export type { PreparedCollateral, PrepareCollateralFailureCode, ValidityWindow } from './prepare-collateral.ts';
export { createPreparedCollateralCache } from './collateral-cache.ts';
export type { CollateralKey, CollateralSource, PreparedCollateralCache, PreparedCollateralCacheStats } from './collateral-cache.ts';
export { DEFAULT_ACCEPTED_TCB_STATUSES, evaluateTcbPolicy } from './evaluate-tcb-policy.ts';
export type { TcbPolicyResult } from './evaluate-tcb-policy.ts';
export { parseEventLog } from './parse-event-log.ts';
export type { DstackEvent, EventLogResult } from './parse-event-log.ts';
export { DSTACK_RUNTIME_EVENT_TYPE, replayEventLog, runtimeEventDigest } from './replay-event-log.ts';
export type { EventLogReplay, RtmrStatus } from './replay-event-log.ts';
export { decodeDstackAttestation } from './decode-dstack-attestation.ts';
export type { DecodeAttestationFailureCode, DstackAttestation, EventLogEntry } from './decode-dstack-attestation.ts';
export { extractAppInfo } from './extract-app-info.ts';
export type { AppInfo } from './extract-app-info.ts';
export { verifyOsImage } from './verify-os-image.ts';
export type { OsImageFailureCode, ReferenceMeasurements } from './verify-os-image.ts';
export { verifyCertificateKey } from './verify-certificate-key.ts';
export type { CertificateKeyFailureCode, CertificateKeyInput, CertificateKeyOptions } from './verify-certificate-key.ts';
export { verifyTeeControlledKey } from './verify-tee-controlled-key.ts';
export { CHECK_NAMES, DEFAULT_VERIFICATION_FLAGS, verifyAttestation } from './verify-attestation.ts';
export type {
  AcmeInfo,
  AttestationFailure,
  AttestationFailureCode,
  AttestationVerification,
  CheckName,
  CheckOutcome,
  DstackEvidence,
  EvidenceKind,
  VerificationFlags,
  VerifyAttestationOptions,
} from './verify-attestation.ts';
export { QUOTE_FAILURE_CODES, TCB_STATUSES } from './types.ts';
export type {
  PckCa,
  QuoteBody,
  QuoteFailure,
  QuoteFailureCode,
  QuoteHeader,
  SgxMeasurements,
  TcbStatus,
  TdxMeasurements,
  VerifiedQuote,
} from './types.ts';
