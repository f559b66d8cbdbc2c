import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convergeWithTdxModule, matchTdxModule } from './match-tdx-module.ts';
import { parseTcbInfoJson } from './parse-collateral-json.ts';
import { readVectorJson, tdReportFieldsAtOffsets } from './test-vectors.ts';
import type { TdxMeasurements } from './types.ts';

// TCB info of FMSPC 90C06F000000: TDX_01 levels isvsvn 6 UpToDate, 4 and 2 OutOfDate (INTEL-SA-01036/01099), TDX_03 isvsvn 3.
const tcbInfoText = String(readVectorJson('tdx_quote_outdated_collateral.json').tcb_info);
const tcbInfoJson = JSON.parse(tcbInfoText) as { tdxModuleIdentities: Array<{ id: string; tcbLevels: Array<{ tcb: { isvsvn: number }; advisoryIDs?: string[] }> }> };
const parsed = parseTcbInfoJson(tcbInfoText);
assert.ok(parsed.ok);
const tcbInfo = parsed.value;
const td = tdReportFieldsAtOffsets(Buffer.from(readVectorJson<{ quote: string }>('dstack-quote-report.json').quote, 'hex')) as TdxMeasurements;
const withSvn = (minor: number, major: number): TdxMeasurements => ({
  ...td,
  tee_tcb_svn: Buffer.from([minor, major, ...Buffer.from(td.tee_tcb_svn, 'hex').subarray(2)]).toString('hex'),
});

test('the dstack capture runs TDX module 1.x at an UpToDate SVN', () => {
  assert.equal(td.tee_tcb_svn.slice(0, 4), '0b01');
  assert.deepEqual(matchTdxModule(td, tcbInfo), { ok: true, value: { identity: 'TDX_01', status: 'UpToDate', advisoryIds: [] } });
});

test('an older module SVN takes the matching lower level with its advisories', () => {
  const level = tcbInfoJson.tdxModuleIdentities.find((identity) => identity.id === 'TDX_01')!.tcbLevels.find((l) => l.tcb.isvsvn === 4)!;
  assert.deepEqual(matchTdxModule(withSvn(5, 1), tcbInfo), {
    ok: true,
    value: { identity: 'TDX_01', status: 'OutOfDate', advisoryIds: level.advisoryIDs },
  });
});

test('a module below every level, or of an unlisted major version, matches nothing', () => {
  const below = matchTdxModule(withSvn(1, 1), tcbInfo);
  assert.deepEqual(below, { ok: false, code: 'TCB_UNKNOWN', message: 'TDX module TDX_01 SVN 1 is below every TCB level (lowest 2)' });
  const unlisted = matchTdxModule(withSvn(1, 2), tcbInfo);
  assert.equal(unlisted.ok ? 'ok' : unlisted.code, 'TCB_UNKNOWN');
});

test('a module not signed by Intel (MRSIGNER_SEAM) or with other SEAM attributes is rejected', () => {
  const signer = matchTdxModule({ ...td, mr_signer_seam: `01${td.mr_signer_seam.slice(2)}` }, tcbInfo);
  assert.equal(signer.ok ? 'ok' : signer.code, 'ENCLAVE_IDENTITY_MISMATCH');
  const attributes = matchTdxModule({ ...td, seam_attributes: '0100000000000000' }, tcbInfo);
  assert.equal(attributes.ok ? 'ok' : attributes.code, 'ENCLAVE_IDENTITY_MISMATCH');
  // TDX 1.0 (major version 0) is checked against tcb_info.tdxModule, which has no TCB levels.
  assert.deepEqual(matchTdxModule(withSvn(3, 0), tcbInfo), { ok: true, value: { identity: 'tdxModule', status: null, advisoryIds: [] } });
});

test('an out-of-date module makes the platform status out of date, keeping configuration needs', () => {
  assert.equal(convergeWithTdxModule('UpToDate', 'OutOfDate'), 'OutOfDate');
  assert.equal(convergeWithTdxModule('SWHardeningNeeded', 'OutOfDate'), 'OutOfDate');
  assert.equal(convergeWithTdxModule('ConfigurationNeeded', 'OutOfDate'), 'OutOfDateConfigurationNeeded');
  assert.equal(convergeWithTdxModule('ConfigurationAndSWHardeningNeeded', 'OutOfDate'), 'OutOfDateConfigurationNeeded');
  assert.equal(convergeWithTdxModule('SWHardeningNeeded', 'UpToDate'), 'SWHardeningNeeded');
  assert.equal(convergeWithTdxModule('UpToDate', null), 'UpToDate');
  assert.equal(convergeWithTdxModule('UpToDate', 'Revoked'), 'Revoked');
});
