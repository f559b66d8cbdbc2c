/**
 * Evidence certificate documents: the signed JSON certificate (RFC 8785 + JWS), the signed PDF
 * (PAdES, QR code, attachments) and their offline verification. Pure: no database, no HTTP.
 */
export { CERTIFICATE_TYPE, type CertificateJson, CertificateJsonSchema, parseCertificateJson, SANITIZATION_METHODS } from './certificate-json.ts';
export { type CertificateSigningKey, signCertificate } from './sign-certificate.ts';
export { type CertificateJwsCheck, type CertificateJwsFailureCode, type CertificateVerificationKey, verifyCertificateJws } from './verify-certificate-jws.ts';
export { type CertificateBundle, type CertificateBundleParse, type CertificateBundleVerification, parseCertificateBundle, verifyCertificateBundle } from './certificate-bundle.ts';
export { type CertificateReceiptCheck, checkCertificateReceipt } from './check-certificate-receipt.ts';
export type { AnchorCheckResult, CertificateCheckFailure, CertificateFindings, CertificateTrust, CheckResult, OptionalCheckResult } from './check-certificate.ts';
export { ANCHOR_TYPE, type CertificateAnchor, CertificateAnchorSchema, parseCertificateAnchor } from './certificate-anchor.ts';
export { createPdfSigningCertificate, type PdfSigningCertificateOptions } from './create-pdf-signing-certificate.ts';
export type { PdfSigner } from './create-cades-signature.ts';
export { ATTACHMENT, type CertificatePdfInput, type CertificatePdfSigner, type CertificateStatus, renderCertificatePdf } from './render-certificate-pdf.ts';
export { type CertificatePdfTrust, type CertificatePdfVerification, verifyCertificatePdf } from './verify-certificate-pdf.ts';
