/** Public surface of the signed-evidence verification core (pure: no database, HTTP or queue). */
export { verifySignedEvidence } from './verify-signed-evidence.ts';
export type { SignedEvidenceInput } from './verify-signed-evidence.ts';
export { inspectTrustAnchor } from './inspect-trust-anchor.ts';
export type { TrustAnchorInspection, TrustAnchorRefusal } from './inspect-trust-anchor.ts';
export { validateErasureReport } from './validate-erasure-report.ts';
export type { ErasureReportValidation } from './validate-erasure-report.ts';
export { ERASURE_REPORT_SCHEMA_ID, erasureReportSchema } from './erasure-report.ts';
export type { ErasureReport } from './erasure-report.ts';
export { CLOCK_SKEW_MS, EVIDENCE_LIMITS } from './limits.ts';
export { EVIDENCE_REJECTION_CODES } from './types.ts';
export type { EvidenceRejection, EvidenceRejectionCode, EvidenceSigner, EvidenceTimestamp, EvidenceTrust, VerifiedEvidence } from './types.ts';
