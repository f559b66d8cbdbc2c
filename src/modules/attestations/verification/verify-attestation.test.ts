import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { createPreparedCollateralCache } from './collateral-cache.ts';
import type { CollateralKey } from './collateral-cache.ts';
import { INTEL_ROOT_CA_DER } from './dcap-qvl.ts';
import {
  OUTDATED_COLLATERAL_VERIFY_AT,
  readVector,
  readVectorJson,
  SAMPLE_VERIFY_AT,
  tdReportFieldsAtOffsets,
} from './test-vectors.ts';
import { verifyAttestation } from './verify-attestation.ts';
import type { AttestationVerification, DstackEvidence, VerifyAttestationOptions } from './verify-attestation.ts';

type Capture = { quote: string; event_log: string; report_data: string; vm_config: string };
type RawEvent = { imr: number; event: string; event_payload: string };

const capture = readVectorJson<Capture>('dstack-quote-report.json'); // FMSPC 90C06F000000
const lite = readVectorJson<Capture>('dstack-tdx-lite-getquote.json');
const fmspc90Collateral = readVectorJson('tdx_quote_outdated_collateral.json');
const tdxCollateral = readVectorJson('tdx_quote_collateral.json');
const rawPayload = (c: Capture, name: string): string =>
  (JSON.parse(c.event_log) as RawEvent[]).find((event) => event.imr === 3 && event.event === name)!.event_payload;
const composeHash = rawPayload(capture, 'compose-hash');
const td = tdReportFieldsAtOffsets(Buffer.from(capture.quote, 'hex'));
const vmConfigImage = (JSON.parse(capture.vm_config) as { os_image_hash: string }).os_image_hash;

/** Reference boot measurements for the capture's image, as an operator would register them. */
const osImages = { [vmConfigImage]: { mr_td: td.mr_td, rt_mr0: td.rt_mr0, rt_mr1: td.rt_mr1, rt_mr2: td.rt_mr2 } };

const baseOptions: VerifyAttestationOptions = {
  verifyAt: OUTDATED_COLLATERAL_VERIFY_AT,
  collateral: fmspc90Collateral,
  expected: { composeHash },
  osImages,
};

const codes = (result: AttestationVerification): string[] => result.failures.map((failure) => `${failure.check}:${failure.code}`);

describe('verifyAttestation: the dstack capture (quote + event log + vm_config)', () => {
  test('is valid with its collateral, compose hash and OS reference measurements', async () => {
    const result = await verifyAttestation(capture, baseOptions);
    assert.equal(result.reason, null);
    assert.equal(result.is_valid, true);
    const { details } = result;
    assert.equal(details.quote_verified, true);
    assert.equal(details.event_log_verified, true);
    assert.equal(details.os_image_hash_verified, true);
    assert.equal(details.tcb_status, 'UpToDate');
    assert.deepEqual(details.advisory_ids, []);
    assert.equal(details.report_data, capture.report_data);
    assert.equal(details.app_info?.app_id, rawPayload(capture, 'app-id'));
    assert.equal(details.app_info?.compose_hash, composeHash);
    assert.equal(details.app_info?.instance_id, rawPayload(capture, 'instance-id'));
    assert.deepEqual(details.app_info?.key_provider, JSON.parse(Buffer.from(rawPayload(capture, 'key-provider'), 'hex').toString()));
    assert.equal(details.app_info?.rt_mr3, td.rt_mr3);
    assert.deepEqual(details.rtmr_replay?.status, ['match', 'match', 'match', 'match']);
    assert.deepEqual(details.checks, {
      evidence: 'passed',
      hardware: 'passed',
      reportData: 'passed',
      eventLog: 'passed',
      appId: 'not_applicable',
      sourceCode: 'passed',
      os: 'passed',
      teeControlledKey: 'not_applicable',
      certificateKey: 'not_applicable',
      dnsCAA: 'not_performed',
      ctLog: 'not_performed',
    });
  });

  test('a wrong expected compose hash makes it invalid, with the reason', async () => {
    const wrong = `${composeHash.slice(0, -2)}00`;
    const result = await verifyAttestation(capture, { ...baseOptions, expected: { composeHash: wrong } });
    assert.equal(result.is_valid, false);
    assert.deepEqual(codes(result), ['sourceCode:COMPOSE_HASH_MISMATCH']);
    assert.equal(result.reason, `sourceCode: RTMR3 compose-hash is ${composeHash}, expected ${wrong}`);
    assert.equal(result.details.quote_verified, true); // everything else still reported
  });

  test('app_compose is hashed and compared with the compose-hash event', async () => {
    const result = await verifyAttestation({ ...capture, app_compose: '{"services":{}}' }, { ...baseOptions, expected: {} });
    assert.deepEqual(codes(result), ['sourceCode:COMPOSE_HASH_MISMATCH']);
    assert.match(result.reason!, /SHA-256 of app_compose is [0-9a-f]{64}, RTMR3 compose-hash is/);
  });

  test('without app_compose or an expected compose hash the source code cannot be verified', async () => {
    const result = await verifyAttestation(capture, { ...baseOptions, expected: {} });
    assert.deepEqual(codes(result), ['sourceCode:SOURCE_CODE_UNVERIFIABLE']);
  });

  test('expected report data: 0x1234 is right-padded like dstack does; anything else fails', async () => {
    assert.equal((await verifyAttestation(capture, { ...baseOptions, expected: { composeHash, reportData: '0x1234' } })).is_valid, true);
    const wrong = await verifyAttestation(capture, { ...baseOptions, expected: { composeHash, reportData: '0x1235' } });
    assert.deepEqual(codes(wrong), ['reportData:REPORT_DATA_MISMATCH']);
    const swapped = await verifyAttestation({ ...capture, report_data: '00'.repeat(64) }, baseOptions);
    assert.deepEqual(codes(swapped), ['reportData:REPORT_DATA_MISMATCH']);
  });

  test('expected app id', async () => {
    assert.equal((await verifyAttestation(capture, { ...baseOptions, expected: { composeHash, appId: rawPayload(capture, 'app-id') } })).is_valid, true);
    const result = await verifyAttestation(capture, { ...baseOptions, expected: { composeHash, appId: '00'.repeat(20) } });
    assert.deepEqual(codes(result), ['appId:APP_ID_MISMATCH']);
  });

  test('os: unknown image, differing boot measurements and an unexpected image are each reported', async () => {
    const unknown = await verifyAttestation(capture, { ...baseOptions, osImages: {} });
    assert.deepEqual(codes(unknown), ['os:OS_IMAGE_UNKNOWN']);
    assert.match(unknown.reason!, new RegExp(`no reference measurements for os image ${vmConfigImage}`));
    assert.equal(unknown.details.os_image_hash_verified, false);

    const otherKernel = { [vmConfigImage]: { ...osImages[vmConfigImage]!, rt_mr1: '00'.repeat(48) } };
    const mismatch = await verifyAttestation(capture, { ...baseOptions, osImages: otherKernel });
    assert.deepEqual(codes(mismatch), ['os:OS_MEASUREMENT_MISMATCH']);
    assert.match(mismatch.reason!, new RegExp(`rt_mr1 is ${td.rt_mr1}, reference 0{96}`));

    const unexpected = await verifyAttestation(capture, { ...baseOptions, expected: { composeHash, osImageHash: 'ab'.repeat(32) } });
    assert.deepEqual(codes(unexpected), ['os:OS_IMAGE_MISMATCH']);
  });

  test('a tampered event log is reported and yields no app info', async () => {
    const log = (JSON.parse(capture.event_log) as RawEvent[]).map((event) =>
      event.event === 'instance-id' ? { ...event, event_payload: '00'.repeat(20), digest: '' } : event,
    );
    const result = await verifyAttestation({ ...capture, event_log: JSON.stringify(log) }, baseOptions);
    assert.equal(result.details.event_log_verified, false);
    assert.equal(result.details.app_info, null);
    // The OS check still passes: it looks the image up by vm_config and compares boot measurements.
    assert.deepEqual(codes(result), ['eventLog:EVENT_LOG_MISMATCH', 'sourceCode:SOURCE_CODE_UNVERIFIABLE']);
    assert.match(result.reason!, /eventLog: RTMR3 replays to/);
  });

  test('collateral of the wrong time, or none, fails the hardware check precisely', async () => {
    const late = await verifyAttestation(capture, { ...baseOptions, verifyAt: new Date('2026-11-22T00:00:00Z') });
    assert.deepEqual(codes(late), ['hardware:COLLATERAL_EXPIRED']);
    assert.equal(late.details.quote_verified, false);
    assert.equal(late.details.event_log_verified, true); // replay does not depend on collateral

    const { collateral: _none, ...withoutCollateral } = baseOptions;
    assert.deepEqual(codes(await verifyAttestation(capture, withoutCollateral)), ['hardware:COLLATERAL_MISSING']);
  });

  test('the TCB policy applies to the verified status', async () => {
    const result = await verifyAttestation(capture, { ...baseOptions, acceptedTcbStatuses: ['SWHardeningNeeded'] });
    assert.deepEqual(codes(result), ['hardware:TCB_STATUS_REJECTED']);
    assert.equal(result.details.quote_verified, true);
  });
});

describe('verifyAttestation: the lite capture (its PCK certificate postdates every collateral in testdata)', () => {
  test('with hardware off the event log still replays to the quote RTMRs and app info is extracted', async () => {
    const result = await verifyAttestation(lite, {
      verifyAt: OUTDATED_COLLATERAL_VERIFY_AT,
      flags: { hardware: false, os: false },
      expected: { composeHash: rawPayload(lite, 'compose-hash') },
    });
    assert.equal(result.is_valid, true, result.reason ?? '');
    assert.equal(result.details.quote_verified, false);
    assert.equal(result.details.event_log_verified, true);
    assert.equal(result.details.app_info?.os_image_hash, rawPayload(lite, 'os-image-hash'));
    assert.equal(result.details.app_info?.device_id, null);
    assert.deepEqual(
      result.details.checks_not_performed.map((skipped) => skipped.check),
      ['hardware', 'appId', 'os', 'teeControlledKey', 'certificateKey', 'dnsCAA', 'ctLog'],
    );
  });

  test('with hardware on it fails on the not-yet-valid PCK certificate', async () => {
    const result = await verifyAttestation(lite, { ...baseOptions, flags: { os: false }, expected: {} });
    assert.equal(result.failures[0]?.code, 'COLLATERAL_EXPIRED');
    assert.match(result.failures[0]!.message, /PCK chain\[0\] .* is not yet valid/);
  });

  test('the RTMR3 os-image-hash event, not vm_config, selects the reference measurements', async () => {
    const result = await verifyAttestation(lite, { verifyAt: OUTDATED_COLLATERAL_VERIFY_AT, flags: { hardware: false, sourceCode: false } });
    assert.match(result.reason!, new RegExp(`os: no reference measurements for os image ${rawPayload(lite, 'os-image-hash')}`));
  });
});

describe('verifyAttestation: bad evidence never throws', () => {
  const cases: Array<[string, unknown, string]> = [
    ['null', null, 'hardware:QUOTE_MALFORMED'],
    ['empty object', {}, 'hardware:QUOTE_MALFORMED'],
    ['garbage quote', { quote: 'not a quote', event_log: '[]' }, 'hardware:QUOTE_MALFORMED'],
    ['an SGX quote as dstack evidence', { quote: readVector('sgx_quote').toString('hex'), event_log: '[]' }, 'hardware:NOT_TDX'],
  ];
  for (const [name, evidence, code] of cases) {
    test(name, async () => {
      const result = await verifyAttestation(evidence as DstackEvidence, baseOptions);
      assert.equal(result.is_valid, false);
      assert.deepEqual(codes(result), [code]);
    });
  }

  test('wrongly typed report_data and app_compose', async () => {
    const result = await verifyAttestation({ ...capture, report_data: 5, app_compose: 5 } as never, baseOptions);
    assert.deepEqual(codes(result), ['reportData:REPORT_DATA_MISMATCH', 'sourceCode:SOURCE_CODE_UNVERIFIABLE']);
  });

  test('missing or malformed event log and vm_config', async () => {
    assert.deepEqual(codes(await verifyAttestation({ ...capture, event_log: null }, baseOptions)).slice(0, 1), ['eventLog:EVENT_LOG_MISSING']);
    assert.deepEqual(codes(await verifyAttestation({ ...capture, event_log: '{' }, baseOptions)).slice(0, 1), ['eventLog:EVENT_LOG_MALFORMED']);
    assert.deepEqual(codes(await verifyAttestation({ ...capture, vm_config: '{' }, baseOptions)), ['os:VM_CONFIG_MALFORMED']);
  });
});

describe('verifyAttestation: flags and domain checks', () => {
  test('dnsCAA and ctLog are reported as not checked offline and do not affect validity', async () => {
    const result = await verifyAttestation(capture, { ...baseOptions, flags: { dnsCAA: true, ctLog: true } });
    assert.equal(result.is_valid, true);
    const skipped = Object.fromEntries(result.details.checks_not_performed.map(({ check, reason }) => [check, reason]));
    assert.match(skipped.dnsCAA!, /needs network access/);
    assert.match(skipped.ctLog!, /needs network access/);
  });

  // A real certificate chain: Intel's TCB Signing certificate under the Intel SGX Root CA.
  const chainPem = String(tdxCollateral.tcb_info_issuer_chain);
  const signingKeySpki = new X509Certificate(chainPem).publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
  const intelRootPem = new X509Certificate(INTEL_ROOT_CA_DER).toString();
  const acme = (overrides: Partial<NonNullable<DstackEvidence['acme_info']>>): DstackEvidence => ({
    ...capture,
    acme_info: {
      account_uri: 'https://acme-v02.api.letsencrypt.org/acme/acct/123456',
      account_quote: JSON.stringify({ quote: capture.quote }),
      active_cert: chainPem,
      tee_public_key: signingKeySpki,
      ...overrides,
    },
  });

  test('certificateKey: the leaf must certify the TEE key and chain to a trusted root at verifyAt', async () => {
    const options = { ...baseOptions, flags: { teeControlledKey: false }, trustedCertificateRoots: [intelRootPem] };
    const good = await verifyAttestation(acme({}), options);
    assert.equal(good.details.checks.certificateKey, 'passed', good.reason ?? '');

    const otherKey = new X509Certificate(INTEL_ROOT_CA_DER).publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
    assert.deepEqual(codes(await verifyAttestation(acme({ tee_public_key: otherKey }), options)), ['certificateKey:CERTIFICATE_KEY_MISMATCH']);

    const untrusted = await verifyAttestation(acme({}), { ...options, trustedCertificateRoots: undefined as never });
    assert.deepEqual(codes(untrusted), ['certificateKey:CERTIFICATE_CHAIN_INVALID']);
    assert.match(untrusted.reason!, /not a trusted root/);

    const beforeIssue = await verifyAttestation(acme({}), { ...options, flags: { teeControlledKey: false, hardware: false }, verifyAt: new Date('2025-01-01T00:00:00Z') });
    assert.deepEqual(codes(beforeIssue), ['certificateKey:CERTIFICATE_CHAIN_INVALID']);
    assert.match(beforeIssue.reason!, /Intel SGX TCB Signing\) is not yet valid/);
  });

  test('teeControlledKey: the account quote must carry SHA-512("acme-account:" || uri)', async () => {
    // No real ACME account quote is available, so this is the negative case only: a genuine
    // quote whose report data is not bound to the account URI.
    const requested: CollateralKey[] = [];
    const collateralSource = {
      getCollateral: (key: CollateralKey) => {
        requested.push(key);
        return key.fmspc === '90c06f000000' ? fmspc90Collateral : undefined;
      },
    };
    const { collateral: _explicit, ...rest } = baseOptions;
    const result = await verifyAttestation(acme({}), { ...rest, collateralSource, flags: { certificateKey: false } });
    assert.deepEqual(codes(result), ['teeControlledKey:ACCOUNT_KEY_NOT_BOUND']);
    assert.equal(result.details.quote_verified, true);
    assert.deepEqual(requested, [
      { fmspc: '90c06f000000', pck_ca: 'platform', tee: 'tdx' },
      { fmspc: '90c06f000000', pck_ca: 'platform', tee: 'tdx' },
    ]);
    const expected = createHash('sha512').update('acme-account:https://acme-v02.api.letsencrypt.org/acme/acct/123456').digest('hex');
    assert.notEqual(expected, capture.report_data);
  });

  test('domain checks are not applicable without acme_info, and acme_info must be well-formed', async () => {
    const absent = await verifyAttestation(capture, baseOptions);
    assert.deepEqual([absent.details.checks.teeControlledKey, absent.details.checks.certificateKey], ['not_applicable', 'not_applicable']);
    assert.match(absent.details.checks_not_performed.find((skipped) => skipped.check === 'teeControlledKey')!.reason, /no acme_info/);

    const malformed = await verifyAttestation({ ...capture, acme_info: { account_uri: 1 } as never }, baseOptions);
    assert.deepEqual(codes(malformed), ['teeControlledKey:ACME_INFO_MALFORMED', 'certificateKey:ACME_INFO_MALFORMED']);
    assert.match(malformed.reason!, /account_uri is number, account_quote is undefined/);
    for (const notAnObject of [null, 'acme', []]) {
      const result = await verifyAttestation({ ...capture, acme_info: notAnObject as never }, baseOptions);
      assert.deepEqual(codes(result), ['teeControlledKey:ACME_INFO_MALFORMED', 'certificateKey:ACME_INFO_MALFORMED']);
    }
    const disabled = await verifyAttestation({ ...capture, acme_info: { account_uri: 1 } as never }, { ...baseOptions, flags: { teeControlledKey: false, certificateKey: false } });
    assert.equal(disabled.is_valid, true);
    assert.deepEqual([disabled.details.checks.teeControlledKey, disabled.details.checks.certificateKey], ['not_performed', 'not_performed']);
  });

  test('a garbled account quote fails teeControlledKey with the quote parser\'s code', async () => {
    const result = await verifyAttestation(acme({ account_quote: 'not a quote' }), { ...baseOptions, flags: { certificateKey: false } });
    assert.deepEqual(codes(result), ['teeControlledKey:QUOTE_MALFORMED']);
    assert.match(result.reason!, /^teeControlledKey: account quote: /);
  });
});

describe('verifyAttestation: one pipeline for a plain quote and dstack evidence', () => {
  const plainOf = ({ quote, report_data }: Capture): DstackEvidence => ({ quote, report_data });
  const everyCheck = ['evidence', 'hardware', 'reportData', 'eventLog', 'appId', 'sourceCode', 'os', 'teeControlledKey', 'certificateKey', 'dnsCAA', 'ctLog'];

  test('the same quote reports the same quote checks, and the dstack checks as not applicable', async () => {
    const plain = await verifyAttestation(plainOf(capture), { ...baseOptions, expected: {} });
    const dstack = await verifyAttestation(capture, baseOptions);
    assert.equal(plain.evidence_kind, 'dcap_quote');
    assert.equal(dstack.evidence_kind, 'dstack');
    assert.deepEqual(Object.keys(plain.details.checks), everyCheck);
    assert.deepEqual(Object.keys(dstack.details.checks), everyCheck);
    for (const check of ['evidence', 'hardware', 'reportData', 'teeControlledKey', 'certificateKey', 'dnsCAA', 'ctLog'] as const) {
      assert.equal(plain.details.checks[check], dstack.details.checks[check], check);
    }
    for (const field of ['tee', 'quote_verified', 'tcb_status', 'advisory_ids', 'fmspc', 'report_data', 'measurements'] as const) {
      assert.deepEqual(plain.details[field], dstack.details[field], field);
    }
    for (const check of ['eventLog', 'appId', 'sourceCode', 'os'] as const) assert.equal(plain.details.checks[check], 'not_applicable', check);
    assert.equal(plain.is_valid, true, plain.reason ?? '');
  });

  test('collateral, TCB policy and report data fail both kinds with the same failure', async () => {
    const variants: Array<[string, Partial<VerifyAttestationOptions>]> = [
      ['expired collateral', { verifyAt: new Date('2026-11-22T00:00:00Z') }],
      ['no collateral', { collateral: undefined }],
      ['wrong collateral', { collateral: tdxCollateral }],
      ['TCB policy', { acceptedTcbStatuses: ['SWHardeningNeeded'] }],
    ];
    for (const [name, change] of variants) {
      const plain = await verifyAttestation(plainOf(capture), { ...baseOptions, expected: {}, ...change });
      const dstack = await verifyAttestation(capture, { ...baseOptions, ...change });
      assert.deepEqual(plain.failures, dstack.failures, name);
      assert.equal(plain.failures.length, 1, name);
    }
    const swapped = { ...capture, report_data: '00'.repeat(64) };
    assert.deepEqual((await verifyAttestation(plainOf(swapped), { ...baseOptions, expected: {} })).failures, (await verifyAttestation(swapped, baseOptions)).failures);
  });

  test('an SGX quote is a plain quote: verified, its dstack checks not applicable', async () => {
    const sgx = await verifyAttestation({ quote: readVector('sgx_quote').toString('hex') }, {
      verifyAt: SAMPLE_VERIFY_AT,
      collateral: readVectorJson('sgx_quote_collateral.json'),
      acceptedTcbStatuses: ['ConfigurationAndSWHardeningNeeded'], // the sample platform's status
    });
    assert.equal(sgx.is_valid, true, sgx.reason ?? '');
    assert.equal(sgx.details.tee, 'sgx');
    assert.equal(sgx.details.checks.hardware, 'passed');
    assert.equal(sgx.details.checks.os, 'not_applicable');
  });

  test('what only dstack evidence shows fails a plain quote when asked for', async () => {
    const result = await verifyAttestation(plainOf(capture), { ...baseOptions, expected: { composeHash, appId: '00'.repeat(20), osImageHash: 'ab'.repeat(32) } });
    assert.deepEqual(codes(result), ['appId:APP_ID_MISMATCH', 'sourceCode:SOURCE_CODE_UNVERIFIABLE', 'os:OS_IMAGE_UNKNOWN']);
  });

  test('evidence that cannot be appraised still reports every check', async () => {
    const result = await verifyAttestation({ quote: 'garbage' }, baseOptions);
    assert.deepEqual(Object.keys(result.details.checks), everyCheck);
    assert.equal(result.details.checks.hardware, 'failed');
    assert.equal(result.details.checks.os, 'not_performed');
    assert.match(result.details.checks_not_performed.find((skipped) => skipped.check === 'os')!.reason, /not reached/);
  });
});

describe('verifyAttestation: collateral source and parsed-collateral cache', () => {
  test('collateral is looked up by the quote FMSPC and prepared once', async () => {
    const cache = createPreparedCollateralCache();
    const { collateral: _explicit, ...rest } = baseOptions;
    const options = { ...rest, collateralSource: { getCollateral: () => fmspc90Collateral }, collateralCache: cache };
    const first = await verifyAttestation(capture, options);
    const second = await verifyAttestation(capture, options);
    assert.equal(first.is_valid, true, first.reason ?? '');
    assert.deepEqual(second, first);
    assert.deepEqual(cache.stats(), { hits: 1, misses: 1, entries: 1 });
  });

  test('a source with nothing for the FMSPC is COLLATERAL_MISSING', async () => {
    const { collateral: _explicit, ...rest } = baseOptions;
    const result = await verifyAttestation(capture, { ...rest, collateralSource: { getCollateral: async () => undefined } });
    assert.deepEqual(codes(result), ['hardware:COLLATERAL_MISSING']);
  });

  test('the sample collateral window is honoured through the cache too', async () => {
    const cache = createPreparedCollateralCache();
    const options = { verifyAt: SAMPLE_VERIFY_AT, collateral: fmspc90Collateral, collateralCache: cache, flags: { os: false, sourceCode: false } };
    assert.deepEqual(codes(await verifyAttestation(capture, options)), ['hardware:COLLATERAL_EXPIRED']);
  });
});
