/** Shared vocabulary of the TEE verification core. */

export type Result<T, Code extends string> = { ok: true; value: T } | { ok: false; code: Code; message: string };

export const TCB_STATUSES = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
] as const;
export type TcbStatus = (typeof TCB_STATUSES)[number];

export const isTcbStatus = (value: unknown): value is TcbStatus =>
  typeof value === 'string' && (TCB_STATUSES as readonly string[]).includes(value);

/**
 * Why a DCAP quote did not verify. Closed list; `message` always says which item failed and why.
 * - QUOTE_MALFORMED: the bytes are not a quote (encoding, truncation, inconsistent lengths).
 * - QUOTE_UNSUPPORTED: a well-formed quote we do not verify (SGX v4/v5, non-ECDSA-P256 key, PCK
 *   certificate not embedded and not supplied in the collateral).
 * - COLLATERAL_MISSING: no collateral, or a required collateral field is absent.
 * - COLLATERAL_MALFORMED: a collateral field does not parse (JSON, hex, PEM, DER, schema).
 * - COLLATERAL_MISMATCH: the collateral is for another platform or TEE (FMSPC, TCB info id,
 *   QE identity id, PCK CRL issued by another CA).
 * - COLLATERAL_EXPIRED: a collateral item or certificate is outside its validity window at verifyAt.
 * - SIGNATURE_INVALID: a signature or certificate chain does not verify (quote, QE report, QE
 *   report binding, TCB info, QE identity, CRLs, PCK chain).
 * - CERTIFICATE_REVOKED: a certificate in a chain is listed in a (signature-checked) CRL.
 * - ENCLAVE_IDENTITY_MISMATCH: the quoting enclave or TDX module is not the one Intel publishes.
 * - TCB_UNKNOWN: the platform or QE matches no TCB level of the collateral.
 * - TCB_REVOKED: the matching TCB level is Revoked.
 * - TEE_ATTRIBUTES_REJECTED: debug mode, reserved attribute bits, SEPT_VE_DISABLE off, MR_SERVICETD set.
 * - VERIFIER_ERROR: dcap-qvl failed in a way this module does not recognise (fails closed).
 */
export const QUOTE_FAILURE_CODES = [
  'QUOTE_MALFORMED',
  'QUOTE_UNSUPPORTED',
  'COLLATERAL_MISSING',
  'COLLATERAL_MALFORMED',
  'COLLATERAL_MISMATCH',
  'COLLATERAL_EXPIRED',
  'SIGNATURE_INVALID',
  'CERTIFICATE_REVOKED',
  'ENCLAVE_IDENTITY_MISMATCH',
  'TCB_UNKNOWN',
  'TCB_REVOKED',
  'TEE_ATTRIBUTES_REJECTED',
  'VERIFIER_ERROR',
] as const;
export type QuoteFailureCode = (typeof QUOTE_FAILURE_CODES)[number];

export type QuoteFailure = { ok: false; code: QuoteFailureCode; message: string };
export const quoteFailure = (code: QuoteFailureCode, message: string): QuoteFailure => ({ ok: false, code, message });

/** TD report fields, lowercase hex. TD 1.5 reports add tee_tcb_svn2 and mr_service_td. */
export type TdxMeasurements = {
  tee_tcb_svn: string;
  mr_seam: string;
  mr_signer_seam: string;
  seam_attributes: string;
  td_attributes: string;
  xfam: string;
  mr_td: string;
  mr_config_id: string;
  mr_owner: string;
  mr_owner_config: string;
  rt_mr0: string;
  rt_mr1: string;
  rt_mr2: string;
  rt_mr3: string;
  report_data: string;
  tee_tcb_svn2?: string;
  mr_service_td?: string;
};

/** SGX enclave report fields, lowercase hex (numbers for the two SVN/ID integers). */
export type SgxMeasurements = {
  cpu_svn: string;
  misc_select: number;
  attributes: string;
  mr_enclave: string;
  mr_signer: string;
  isv_prod_id: number;
  isv_svn: number;
  report_data: string;
};

export type QuoteBody =
  | { tee: 'tdx'; report_type: 'td10' | 'td15'; measurements: TdxMeasurements }
  | { tee: 'sgx'; report_type: 'sgx'; measurements: SgxMeasurements };

export type QuoteHeader = {
  version: number;
  attestation_key_type: number;
  tee_type: number;
  qe_svn: number;
  pce_svn: number;
  qe_vendor_id: string;
};

export type PckCa = 'processor' | 'platform';

/** What verifyQuote returns on success. */
export type VerifiedQuote = QuoteBody & {
  quote_verified: true;
  tcb_status: TcbStatus;
  advisory_ids: string[];
  fmspc: string;
  pck_ca: PckCa;
  /** Platform Provisioning ID from the PCK certificate (dstack's device_id is its SHA-256). */
  ppid: string;
  header: QuoteHeader;
  /** SHA-256 of the normalised collateral used: which Intel collateral vouched for this result. */
  collateral_digest: string;
  /** Intel's TCB recovery counter of the TCB info used (null if absent). */
  tcb_evaluation_data_number: number | null;
};

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
