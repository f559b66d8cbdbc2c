/** Bounds on untrusted evidence; anything beyond is LIMIT_EXCEEDED (nesting: MALFORMED_CMS). */
export const EVIDENCE_LIMITS = {
  /** The CMS (DER) as submitted, and the plaintext of an EnvelopedData. */
  maxDerBytes: 1024 * 1024,
  /** Detached content given beside the signature. */
  maxDetachedContentBytes: 8 * 1024 * 1024,
  /** ASN.1 nesting depth accepted from any DER we decode. */
  maxAsn1Depth: 64,
  /** ASN.1 elements in one decoded structure (a 50-certificate CMS has about 5,000). */
  maxAsn1Elements: 20_000,
  /** Certificates carried in one CMS (signer's and timestamp token's alike). */
  maxCmsCertificates: 50,
  /** Certificates in one path, leaf and trust anchor included. */
  maxChainLength: 10,
  /** Signature checks spent building the paths of one signer (bounds the search among look-alikes). */
  maxPathSignatureChecks: 200,
  maxSigners: 16,
  /** Signature timestamp tokens on one SignerInfo. */
  maxTimestampsPerSigner: 4,
  /** Certificates and CRLs in one PEM bundle given to inspectTrustAnchor. */
  maxBundleItems: 100,
} as const;

/** Clock skew tolerated when comparing a claimed time with `now`. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
