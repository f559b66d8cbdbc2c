/**
 * Test-only access to the real TEE test vectors in ./fixtures (origin and sha256 of each file:
 * fixtures/PROVENANCE.md).
 * Intel-spec byte offsets are used to read fields straight from the quote bytes, so tests can
 * compare the verifier's output with values obtained without dcap-qvl's parser.
 */
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('./fixtures/', import.meta.url);

export const readVector = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
export const readVectorText = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
export const readVectorJson = <T = Record<string, unknown>>(name: string): T => JSON.parse(readVectorText(name)) as T;

/** Inside every collateral window of the tdx/sgx samples (2025-06-19T10:56Z .. 2025-07-19T10:00Z). */
export const SAMPLE_VERIFY_AT = new Date('2025-07-01T00:00:00Z');
/** Inside every window of tdx_quote_outdated_collateral.json (2026-02-18T10:58Z .. 2026-03-20T10:41Z). */
export const OUTDATED_COLLATERAL_VERIFY_AT = new Date('2026-03-01T00:00:00Z');

const QUOTE_HEADER_BYTES = 48;

/** Intel TDX DCAP quote v4, TD report 1.0 field offsets relative to the report body. */
const TD_REPORT_FIELDS = {
  tee_tcb_svn: [0, 16],
  mr_seam: [16, 48],
  mr_signer_seam: [64, 48],
  seam_attributes: [112, 8],
  td_attributes: [120, 8],
  xfam: [128, 8],
  mr_td: [136, 48],
  mr_config_id: [184, 48],
  mr_owner: [232, 48],
  mr_owner_config: [280, 48],
  rt_mr0: [328, 48],
  rt_mr1: [376, 48],
  rt_mr2: [424, 48],
  rt_mr3: [472, 48],
  report_data: [520, 64],
} as const;

/** TD report fields of a v4 TDX quote, read at Intel's offsets. */
export function tdReportFieldsAtOffsets(quote: Buffer): Record<keyof typeof TD_REPORT_FIELDS, string> {
  return Object.fromEntries(
    Object.entries(TD_REPORT_FIELDS).map(([name, [offset, length]]) => [
      name,
      quote.subarray(QUOTE_HEADER_BYTES + offset, QUOTE_HEADER_BYTES + offset + length).toString('hex'),
    ]),
  ) as Record<keyof typeof TD_REPORT_FIELDS, string>;
}

/** SGX enclave report fields of a v3 quote, read at Intel's offsets. */
export function sgxReportFieldsAtOffsets(quote: Buffer): { mr_enclave: string; mr_signer: string; isv_prod_id: number; isv_svn: number; report_data: string } {
  const body = quote.subarray(QUOTE_HEADER_BYTES);
  return {
    mr_enclave: body.subarray(64, 96).toString('hex'),
    mr_signer: body.subarray(128, 160).toString('hex'),
    isv_prod_id: body.readUInt16LE(256),
    isv_svn: body.readUInt16LE(258),
    report_data: body.subarray(320, 384).toString('hex'),
  };
}

export const TD_REPORT_DATA_OFFSET = QUOTE_HEADER_BYTES + TD_REPORT_FIELDS.report_data[0];
export const TD_MR_TD_OFFSET = QUOTE_HEADER_BYTES + TD_REPORT_FIELDS.mr_td[0];
