import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verify as dcapQvlVerify } from '@phala/dcap-qvl';
import { extractQuoteFmspc } from './extract-quote-fmspc.ts';
import { prepareCollateral } from './prepare-collateral.ts';
import {
  OUTDATED_COLLATERAL_VERIFY_AT,
  readVector,
  readVectorJson,
  readVectorText,
  SAMPLE_VERIFY_AT,
  sgxReportFieldsAtOffsets,
  TD_MR_TD_OFFSET,
  TD_REPORT_DATA_OFFSET,
  tdReportFieldsAtOffsets,
} from './test-vectors.ts';
import type { VerifiedQuote } from './types.ts';
import { verifyQuote } from './verify-quote.ts';
import type { VerifyQuoteResult } from './verify-quote.ts';

const tdxQuote = readVector('tdx_quote');
const tdxCollateral = readVectorJson('tdx_quote_collateral.json');
const sgxQuote = readVector('sgx_quote');
const sgxCollateral = readVectorJson('sgx_quote_collateral.json');
const outdatedQuote = readVector('tdx_quote_outdated');
const outdatedCollateral = readVectorJson('tdx_quote_outdated_collateral.json');
const dstackQuoteHex = readVectorJson<{ quote: string }>('dstack-quote-report.json').quote;

function expectOk(result: VerifyQuoteResult): VerifiedQuote {
  assert.ok(result.ok, `expected success, got ${result.ok ? '' : `${result.code}: ${result.message}`}`);
  return result.value;
}

function expectFailure(result: VerifyQuoteResult, code: string): string {
  assert.equal(result.ok, false, 'expected a failure');
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.code, code, result.message);
  return result.message;
}

const flipped = (bytes: Buffer, offset: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy[offset]! ^= 0x01;
  return copy;
};

describe('verifyQuote: TDX v4 sample (FMSPC B0C06F000000)', () => {
  test('inside the collateral window it verifies UpToDate with no advisories', () => {
    const verified = expectOk(verifyQuote({ quote: tdxQuote, collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }));
    assert.equal(verified.quote_verified, true);
    assert.equal(verified.tcb_status, 'UpToDate');
    assert.deepEqual(verified.advisory_ids, []);
    assert.equal(verified.tee, 'tdx');
    assert.equal(verified.header.version, 4);
    // README: FMSPC B0C06F000000.
    assert.equal(verified.fmspc, 'b0c06f000000');
    // dcap-qvl 0.6.3 (Rust) reports this PPID for the sample (kuno_protocol test suite, SAMPLE_PPID).
    assert.equal(verified.ppid, '811dca2a26b952e85bb6448b097ba4fd');
    assert.equal(verified.tcb_evaluation_data_number, JSON.parse(String(tdxCollateral.tcb_info)).tcbEvaluationDataNumber);
    assert.match(verified.collateral_digest, /^[0-9a-f]{64}$/);
  });

  test('measurements equal the TD report read at Intel offsets, in lowercase hex', () => {
    const verified = expectOk(verifyQuote({ quote: tdxQuote, collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }));
    assert.equal(verified.tee, 'tdx');
    if (verified.tee !== 'tdx') return;
    const { measurements } = verified;
    for (const [field, value] of Object.entries(tdReportFieldsAtOffsets(tdxQuote))) {
      assert.equal(measurements[field as keyof typeof measurements], value, field);
    }
    assert.match(measurements.mr_td, /^[0-9a-f]{96}$/);
    assert.match(measurements.report_data, /^[0-9a-f]{128}$/);
  });

  test('hex, 0x-hex, base64, base64url and bytes are the same quote', () => {
    const inputs = [tdxQuote.toString('hex'), `0x${tdxQuote.toString('hex').toUpperCase()}`, tdxQuote.toString('base64'), tdxQuote.toString('base64url'), readVectorText('tdx-quote.hex')];
    const results = inputs.map((quote) => verifyQuote({ quote, collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }));
    for (const result of results.slice(0, 4)) {
      const verified = expectOk(result);
      assert.equal(verified.tee === 'tdx' ? verified.measurements.mr_td : null, tdReportFieldsAtOffsets(tdxQuote).mr_td);
    }
    // tdx-quote.hex is another platform's quote of the same FMSPC: it parses from 0x-hex text and reaches TCB matching.
    expectFailure(results[4]!, 'TCB_UNKNOWN');
  });

  test('at 2026-11-22 the collateral is expired and the message names each item and its window', () => {
    const message = expectFailure(
      verifyQuote({ quote: tdxQuote, collateral: tdxCollateral }, { verifyAt: new Date('2026-11-22T00:00:00Z') }),
      'COLLATERAL_EXPIRED',
    );
    assert.match(message, /at 2026-11-22T00:00:00\.000Z/);
    assert.match(message, /tcb_info expired \(valid 2025-06-19T10:16:03\.000Z \.\. 2025-07-19T10:16:03\.000Z\)/);
    assert.match(message, /qe_identity expired/);
    assert.match(message, /pck_crl expired/);
  });

  test('one second after the PCK CRL nextUpdate (Jul 19 10:00:35 2025 GMT per openssl) only the CRL is named', () => {
    const message = expectFailure(
      verifyQuote({ quote: tdxQuote, collateral: tdxCollateral }, { verifyAt: new Date('2025-07-19T10:00:36Z') }),
      'COLLATERAL_EXPIRED',
    );
    assert.match(message, /pck_crl expired \(valid 2025-06-19T10:00:35\.000Z \.\. 2025-07-19T10:00:35\.000Z\)/);
    assert.doesNotMatch(message, /tcb_info|qe_identity/);
  });

  test('before the QE identity issue date the collateral is not yet valid', () => {
    const message = expectFailure(
      verifyQuote({ quote: tdxQuote, collateral: tdxCollateral }, { verifyAt: new Date('2025-06-19T10:20:00Z') }),
      'COLLATERAL_EXPIRED',
    );
    assert.match(message, /qe_identity is not yet valid \(valid 2025-06-19T10:32:27\.000Z/);
  });

  test('one flipped bit in the signed TD report breaks the quote signature', () => {
    for (const offset of [TD_MR_TD_OFFSET, TD_REPORT_DATA_OFFSET, TD_REPORT_DATA_OFFSET + 63]) {
      const message = expectFailure(
        verifyQuote({ quote: flipped(tdxQuote, offset), collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }),
        'SIGNATURE_INVALID',
      );
      assert.match(message, /ISV enclave report signature is invalid/);
    }
  });

  test('a flipped bit in the attestation signature or the QE report is caught', () => {
    const authData = 48 + 584 + 4; // header + TD report + auth-data size
    expectFailure(verifyQuote({ quote: flipped(tdxQuote, authData + 5), collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }), 'SIGNATURE_INVALID');
    // QE report starts after signature (64), attestation key (64), cert type (2) and size (4).
    expectFailure(verifyQuote({ quote: flipped(tdxQuote, authData + 134 + 100), collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }), 'SIGNATURE_INVALID');
  });

  test('the quote against SGX collateral is a TEE mismatch; another FMSPC is an FMSPC mismatch', () => {
    assert.match(expectFailure(verifyQuote({ quote: tdxQuote, collateral: sgxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }), 'COLLATERAL_MISMATCH'), /TDX .* SGX/);
    assert.match(
      expectFailure(verifyQuote({ quote: dstackQuoteHex, collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }), 'COLLATERAL_MISMATCH'),
      /FMSPC 90c06f000000 differs from .* b0c06f000000/,
    );
  });
});

describe('verifyQuote: other vectors', () => {
  test('the SGX v3 sample verifies with the status and advisories dcap-qvl upstream asserts for it', () => {
    const verified = expectOk(verifyQuote({ quote: sgxQuote, collateral: sgxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }));
    assert.equal(verified.tee, 'sgx');
    // Phala-Network/dcap-qvl tests/verify_quote.rs could_parse_sgx_quote.
    assert.equal(verified.tcb_status, 'ConfigurationAndSWHardeningNeeded');
    assert.deepEqual(verified.advisory_ids, ['INTEL-SA-00289', 'INTEL-SA-00615']);
    assert.equal(verified.fmspc, '00a067110000');
    if (verified.tee !== 'sgx') return;
    const expected = sgxReportFieldsAtOffsets(sgxQuote);
    assert.equal(verified.measurements.mr_enclave, expected.mr_enclave);
    assert.equal(verified.measurements.mr_signer, expected.mr_signer);
    assert.equal(verified.measurements.isv_prod_id, expected.isv_prod_id);
    assert.equal(verified.measurements.isv_svn, expected.isv_svn);
    assert.equal(verified.measurements.report_data, expected.report_data);
  });

  test('the "outdated" TDX v5 sample matches no TCB level at all, and the message says why', () => {
    // Its PCK CPUSVN component 7 is 3 while every level of its collateral requires 5, so under
    // Intel's component-wise rule no level applies. Upstream dcap-qvl needs a TCB override to
    // verify it (tests/verify_tcb_override.rs); it is TCB_UNKNOWN, not OutOfDate.
    const message = expectFailure(
      verifyQuote({ quote: outdatedQuote, collateral: outdatedCollateral }, { verifyAt: OUTDATED_COLLATERAL_VERIFY_AT }),
      'TCB_UNKNOWN',
    );
    assert.match(message, /FMSPC 90c06f000000/);
    assert.match(message, /OutOfDate needs sgx component 7 >= 5 \(platform 3\)/);
  });

  test('the dstack capture quote verifies UpToDate with the collateral of its FMSPC', () => {
    const verified = expectOk(verifyQuote({ quote: dstackQuoteHex, collateral: outdatedCollateral }, { verifyAt: OUTDATED_COLLATERAL_VERIFY_AT }));
    assert.equal(verified.tcb_status, 'UpToDate');
    assert.equal(verified.header.version, 4);
  });

  test('a PCK certificate issued after verifyAt is named with its window', () => {
    const liteQuote = readVectorJson<{ quote: string }>('dstack-tdx-lite-getquote.json').quote;
    const message = expectFailure(
      verifyQuote({ quote: liteQuote, collateral: outdatedCollateral }, { verifyAt: OUTDATED_COLLATERAL_VERIFY_AT }),
      'COLLATERAL_EXPIRED',
    );
    assert.match(message, /PCK chain\[0\] \(Intel SGX PCK Certificate, from the quote\) is not yet valid \(valid 2026-04-15T00:50:58\.000Z/);
  });

  test('extractQuoteFmspc reads FMSPC, CA and TEE without collateral', () => {
    assert.deepEqual(extractQuoteFmspc(tdxQuote), { ok: true, value: { fmspc: 'b0c06f000000', pck_ca: 'platform', tee: 'tdx' } });
    assert.deepEqual(extractQuoteFmspc(sgxQuote.toString('base64')), { ok: true, value: { fmspc: '00a067110000', pck_ca: 'processor', tee: 'sgx' } });
    assert.deepEqual(extractQuoteFmspc(outdatedQuote.toString('hex')), { ok: true, value: { fmspc: '90c06f000000', pck_ca: 'platform', tee: 'tdx' } });
    assert.equal(extractQuoteFmspc('not a quote').ok, false);
  });
});

describe('verifyQuote: malformed input never throws', () => {
  const cases: Array<[string, unknown]> = [
    ['plain text', 'hello world'],
    ['empty string', ''],
    ['bare 0x', '0x'],
    ['odd hex', '0xabc'],
    ['null', null],
    ['a number', 42],
    ['an object', { quote: 'x' }],
    ['random bytes', Buffer.alloc(700, 0x5a)],
    ['a truncated quote', tdxQuote.subarray(0, 1000)],
    ['only the header', tdxQuote.subarray(0, 48)],
    ['a bad auth-data size', Buffer.concat([tdxQuote.subarray(0, 632), Buffer.from([0xff, 0xff, 0xff, 0x7f]), tdxQuote.subarray(636)])],
    ['non-zero bytes after the quote', Buffer.concat([tdxQuote, Buffer.from([1])])],
  ];
  for (const [name, quote] of cases) {
    test(name, () => {
      expectFailure(verifyQuote({ quote, collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }), 'QUOTE_MALFORMED');
    });
  }

  test('zero padding after the declared length is accepted (the samples carry 70 bytes of it)', () => {
    expectOk(verifyQuote({ quote: Buffer.concat([tdxQuote, Buffer.alloc(16)]), collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT }));
  });

  test('an invalid verifyAt is a programmer error and throws', () => {
    assert.throws(() => verifyQuote({ quote: tdxQuote, collateral: tdxCollateral }, { verifyAt: new Date('nope') }), TypeError);
  });
});

describe('verifyQuote: collateral problems', () => {
  const withField = (field: string, value: unknown): Record<string, unknown> => ({ ...tdxCollateral, [field]: value });
  const at = { verifyAt: SAMPLE_VERIFY_AT };

  test('missing collateral and missing fields are COLLATERAL_MISSING, naming the fields', () => {
    expectFailure(verifyQuote({ quote: tdxQuote, collateral: undefined }, at), 'COLLATERAL_MISSING');
    const { pck_crl: _pckCrl, qe_identity: _qeIdentity, ...partial } = tdxCollateral;
    assert.match(expectFailure(verifyQuote({ quote: tdxQuote, collateral: partial }, at), 'COLLATERAL_MISSING'), /qe_identity, .*pck_crl/);
  });

  test('unparsable fields are COLLATERAL_MALFORMED, naming the field', () => {
    assert.match(expectFailure(verifyQuote({ quote: tdxQuote, collateral: '{not json' }, at), 'COLLATERAL_MALFORMED'), /not JSON/);
    assert.match(expectFailure(verifyQuote({ quote: tdxQuote, collateral: withField('pck_crl', 'zz') }, at), 'COLLATERAL_MALFORMED'), /pck_crl/);
    assert.match(expectFailure(verifyQuote({ quote: tdxQuote, collateral: withField('pck_crl', '3000') }, at), 'COLLATERAL_MALFORMED'), /pck_crl is not a DER CRL/);
    assert.match(expectFailure(verifyQuote({ quote: tdxQuote, collateral: withField('tcb_info', '{}') }, at), 'COLLATERAL_MALFORMED'), /tcb_info\.id/);
    assert.match(
      expectFailure(verifyQuote({ quote: tdxQuote, collateral: withField('tcb_info_issuer_chain', 'no pem here') }, at), 'COLLATERAL_MALFORMED'),
      /tcb_info_issuer_chain holds 0/,
    );
  });

  test('a tampered TCB info fails its signature even when it would be more favourable', () => {
    const tcbInfo = String(tdxCollateral.tcb_info).replace('"OutOfDate"', '"UpToDate"');
    assert.notEqual(tcbInfo, tdxCollateral.tcb_info);
    assert.match(expectFailure(verifyQuote({ quote: tdxQuote, collateral: withField('tcb_info', tcbInfo) }, at), 'SIGNATURE_INVALID'), /tcb_info signature/);
  });

  test('a tampered CRL fails its signature (dcap-qvl itself does not check CRL signatures)', () => {
    const crl = Buffer.from(String(tdxCollateral.pck_crl), 'hex');
    const tampered = flipped(crl, 60).toString('hex'); // inside tbsCertList
    assert.match(expectFailure(verifyQuote({ quote: tdxQuote, collateral: withField('pck_crl', tampered) }, at), 'SIGNATURE_INVALID'), /pck_crl/);
  });

  test('the SGX collateral PCK CRL comes from the Processor CA, so the TDX quote cannot use it', () => {
    const mixed = { ...tdxCollateral, pck_crl: sgxCollateral.pck_crl, pck_crl_issuer_chain: sgxCollateral.pck_crl_issuer_chain };
    assert.match(expectFailure(verifyQuote({ quote: tdxQuote, collateral: mixed }, at), 'COLLATERAL_MISMATCH'), /Platform CA .* Processor CA/);
  });

  test("genuine but mixed documents (TDX TCB info, SGX QE identity) are a mismatch", () => {
    const mixed = { ...tdxCollateral, qe_identity: sgxCollateral.qe_identity, qe_identity_signature: sgxCollateral.qe_identity_signature };
    assert.match(expectFailure(verifyQuote({ quote: tdxQuote, collateral: mixed }, at), 'COLLATERAL_MISMATCH'), /tcb_info is for TDX but qe_identity is for QE/);
  });

  test('prepared collateral, byte-array fields and JSON text give the same result as the plain object', () => {
    const prepared = prepareCollateral(tdxCollateral);
    assert.ok(prepared.ok);
    const asArrays = withField('pck_crl', [...Buffer.from(String(tdxCollateral.pck_crl), 'hex')]);
    const expected = verifyQuote({ quote: tdxQuote, collateral: tdxCollateral }, at);
    for (const collateral of [prepared.value, asArrays, JSON.stringify(tdxCollateral)]) {
      assert.deepEqual(verifyQuote({ quote: tdxQuote, collateral }, at), expected);
    }
  });
});

describe('verifyQuote agrees with dcap-qvl on every single-bit corruption it has an opinion on', () => {
  // Differential check: wrapping must never turn a dcap-qvl rejection into an acceptance, and
  // must accept what dcap-qvl accepts with the same status (zero padding is the one exception:
  // dcap-qvl ignores it, we reject non-zero padding).
  const nowSecs = SAMPLE_VERIFY_AT.getTime() / 1000;
  const declaredLength = 632 + 4 + tdxQuote.readUInt32LE(632);
  const offsets = Array.from({ length: 64 }, (_, i) => Math.floor((i * declaredLength) / 64) + (i % 7));
  test(`${offsets.length} offsets across header, report, signature, QE report and certificates`, () => {
    for (const offset of offsets) {
      const corrupted = flipped(tdxQuote, offset);
      let reference: { ok: true; status: string } | { ok: false };
      try {
        reference = { ok: true, status: dcapQvlVerify(corrupted, tdxCollateral as never, nowSecs).status };
      } catch {
        reference = { ok: false };
      }
      const ours = verifyQuote({ quote: corrupted, collateral: tdxCollateral }, { verifyAt: SAMPLE_VERIFY_AT });
      if (!reference.ok) assert.equal(ours.ok, false, `offset ${offset}: dcap-qvl rejects, we accept`);
      else if (ours.ok) assert.equal(ours.value.tcb_status, reference.status, `offset ${offset}`);
      else assert.fail(`offset ${offset}: dcap-qvl accepts (${reference.status}), we reject: ${ours.code} ${ours.message}`);
    }
  });
});
