// @vitest-environment node
// (No DOM needed; under happy-dom, node:fs could not read the fixtures by file: URL.)
import { describe, expect, test } from 'vitest';
import { prepareCollateral } from '../../../../src/modules/attestations/verification/index.ts';
import { readVectorText } from '../../../../src/modules/attestations/verification/test-vectors.ts';
import { collateralFreshness, inspectCollateral, OsImageFormSchema } from './attestation-inputs.ts';

/** Real Intel collateral (fixtures/PROVENANCE.md): TDX for FMSPC B0C06F000000, SGX for 00A067110000. */
const tdxText = readVectorText('tdx_quote_collateral.json');
const sgxText = readVectorText('sgx_quote_collateral.json');
const withItem = (text: string, name: string, value: unknown) => JSON.stringify({ ...JSON.parse(text), [name]: value });

describe('a collateral file, read in the browser', () => {
  test('real TDX and SGX collateral: what it is for, as the server reads it, and TCB info dates', () => {
    for (const text of [tdxText, sgxText]) {
      const inspected = inspectCollateral(text);
      const server = prepareCollateral(text);
      if (!inspected.ok || !server.ok) throw new Error('real collateral must be accepted');
      expect({ tee: inspected.summary.tee, fmspc: inspected.summary.fmspc }).toEqual({ tee: server.value.tee, fmspc: server.value.fmspc });
      expect(inspected.summary.tcbInfoIssueDate).toBe(server.value.tcbInfo.issueDate.toISOString());
      expect(inspected.summary.tcbInfoNextUpdate).toBe(server.value.tcbInfo.nextUpdate.toISOString());
      expect(inspected.summary.qeIdentityNextUpdate).toBe(server.value.qeIdentity.nextUpdate.toISOString());
    }
    const tdx = inspectCollateral(tdxText);
    expect(tdx.ok && tdx.summary).toMatchObject({ tee: 'tdx', fmspc: 'b0c06f000000', tcbInfoVersion: 3, tcbInfoIssueDate: '2025-06-19T10:16:03.000Z', tcbInfoNextUpdate: '2025-07-19T10:16:03.000Z' });
  });

  test('replacing a platform\'s collateral: a file for another FMSPC is refused, in any case', () => {
    expect(inspectCollateral(tdxText, 'B0C06F000000').ok).toBe(true);
    expect(inspectCollateral(tdxText, '90c06f000000')).toEqual({ ok: false, message: 'This collateral is for FMSPC b0c06f000000, not 90c06f000000.' });
  });

  test('says what is wrong with a file that is not collateral', () => {
    const message = (text: string) => {
      const inspected = inspectCollateral(text);
      return inspected.ok ? 'accepted' : inspected.message;
    };
    expect(message('{"quote": ')).toMatch(/^The file is not JSON/);
    expect(message('[1, 2]')).toBe('The file is not a JSON object of collateral items.');
    const { pck_crl: _crl, root_ca_crl: _root, ...partial } = JSON.parse(tdxText) as Record<string, unknown>;
    expect(message(JSON.stringify(partial))).toBe('The collateral lacks pck_crl, root_ca_crl.');
    expect(message(withItem(tdxText, 'tcb_info_issuer_chain', 'not a certificate'))).toBe('tcb_info_issuer_chain should hold PEM certificates.');
    expect(message(withItem(tdxText, 'tcb_info', '{"tcbInfo": {}, "signature": "00"}'))).toMatch(/PCS response body/);
    expect(message(withItem(tdxText, 'tcb_info', JSON.stringify({ ...JSON.parse(JSON.parse(tdxText).tcb_info), fmspc: 'B0C06F' })))).toBe('tcb_info.fmspc is not 6 bytes of hex.');
    expect(message(withItem(tdxText, 'tcb_info', JSON.stringify({ ...JSON.parse(JSON.parse(tdxText).tcb_info), nextUpdate: 'soon' })))).toBe('tcb_info.issueDate / nextUpdate are not dates.');
    // TDX TCB info with SGX's QE identity: items of two platforms mixed.
    expect(message(withItem(tdxText, 'qe_identity', JSON.parse(sgxText).qe_identity))).toBe('qe_identity.id is "QE"; TDX collateral has TD_QE.');
  });
});

describe('stored collateral\'s freshness', () => {
  const window = { valid_from: '2025-06-19T10:56:00Z', valid_until: '2025-07-19T10:00:00Z' };
  test('expired at its end, expiring within a week of it, valid before, not yet valid before its start', () => {
    expect(collateralFreshness(window, new Date('2025-06-19T10:00:00Z'))).toBe('not_yet_valid');
    expect(collateralFreshness(window, new Date('2025-07-01T00:00:00Z'))).toBe('valid');
    expect(collateralFreshness(window, new Date('2025-07-12T10:00:01Z'))).toBe('expiring');
    expect(collateralFreshness(window, new Date('2025-07-19T10:00:00Z'))).toBe('expired');
    expect(collateralFreshness(window, new Date('2026-12-01T00:00:00Z'))).toBe('expired');
  });
});

describe('the allow-an-OS-image form', () => {
  const register = `0x${'AB'.repeat(48)}`;
  const form = { os_image_hash: '', label: '  ', mr_td: register, rt_mr0: register, rt_mr1: register, rt_mr2: register };
  test('a hash with 0x or upper case is sent canonical: lower case, no prefix; an empty name is no name', () => {
    const parsed = OsImageFormSchema.parse({ ...form, os_image_hash: ` 0x${'C0FFEE'.repeat(10)}ABCD ` });
    expect(parsed.os_image_hash).toBe(`${'c0ffee'.repeat(10)}abcd`);
    expect(parsed.mr_td).toBe('ab'.repeat(48));
    expect(parsed.label).toBeUndefined();
  });
  test('a hash or measurement of the wrong length or not hex is refused with what it should be', () => {
    const errors = (values: typeof form) => OsImageFormSchema.safeParse(values).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(errors({ ...form, os_image_hash: 'ab'.repeat(31) })).toEqual(['os_image_hash: An OS image hash is 32 bytes of hex (64 characters)']);
    expect(errors({ ...form, os_image_hash: 'zz'.repeat(32), rt_mr1: 'ab'.repeat(32) })).toEqual([
      'os_image_hash: An OS image hash is 32 bytes of hex (64 characters)',
      'rt_mr1: RTMR1 is 48 bytes of hex (96 characters)',
    ]);
  });
});
