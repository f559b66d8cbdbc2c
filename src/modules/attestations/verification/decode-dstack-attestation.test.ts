import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeDstackAttestation } from './decode-dstack-attestation.ts';
import { parseEventLog } from './parse-event-log.ts';
import { replayEventLog } from './replay-event-log.ts';
import { OUTDATED_COLLATERAL_VERIFY_AT, readVectorJson, tdReportFieldsAtOffsets } from './test-vectors.ts';
import { verifyAttestation } from './verify-attestation.ts';

// The same dstack capture in two forms: the verifier's SCALE `attestation` blob and GetQuote JSON.
const blob = Buffer.from(readVectorJson<{ attestation: string }>('dstack-tdx-lite-attestation.json').attestation, 'hex');
const getQuote = readVectorJson<{ quote: string; event_log: string; report_data: string; vm_config: string }>('dstack-tdx-lite-getquote.json');
type RawEvent = { imr: number; event_type: number; event: string; event_payload: string };
const getQuoteEvents = JSON.parse(getQuote.event_log) as RawEvent[];

describe('decodeDstackAttestation', () => {
  test('decodes the lite attestation: the GetQuote quote, RTMR3 events, report data and VM config', () => {
    const decoded = decodeDstackAttestation(blob);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.message);
    const attestation = decoded.value;
    assert.equal(attestation.quote.toString('hex'), getQuote.quote);
    assert.equal(attestation.report_data, getQuote.report_data);
    assert.equal(JSON.parse(attestation.vm_config).os_image_hash, JSON.parse(getQuote.vm_config).os_image_hash);
    const runtime = getQuoteEvents.filter((event) => event.imr === 3);
    assert.deepEqual(
      attestation.runtime_events.map((event) => [event.event, event.payload.toString('hex')]),
      runtime.map((event) => [event.event, event.event_payload]),
    );
    // Stripped, as dstack documents: RTMR0's three ACPI events plus the runtime events.
    assert.deepEqual(
      attestation.event_log.map((event) => event.event),
      ['acpi-loader', 'acpi-rsdp', 'acpi-tables', ...runtime.map((event) => event.event)],
    );
  });

  test('its event log replays RTMR3 to the quote; the partial RTMR0 log is reported, not trusted', () => {
    const decoded = decodeDstackAttestation(blob.toString('base64'));
    assert.ok(decoded.ok);
    const events = parseEventLog(decoded.value.event_log);
    assert.ok(events.ok);
    const td = tdReportFieldsAtOffsets(decoded.value.quote);
    const replay = replayEventLog(events.value, [td.rt_mr0, td.rt_mr1, td.rt_mr2, td.rt_mr3]);
    assert.deepEqual(replay.status, ['mismatch', 'not_in_log', 'not_in_log', 'match']);
    assert.equal(replay.verified, true);
  });

  test('truncation, trailing bytes and other versions are refused', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [blob.subarray(0, 3000), 'ATTESTATION_MALFORMED', /needs \d+ bytes/],
      [Buffer.concat([blob, Buffer.from([0])]), 'ATTESTATION_MALFORMED', /1 bytes after the attestation/],
      [Buffer.concat([Buffer.from([1]), blob.subarray(1)]), 'ATTESTATION_UNSUPPORTED', /version 1/],
      [Buffer.concat([Buffer.from([0, 2]), blob.subarray(2)]), 'ATTESTATION_UNSUPPORTED', /variant 2/],
      ['not hex', 'ATTESTATION_MALFORMED', /neither hex nor base64/],
    ];
    for (const [input, code, message] of cases) {
      const result = decodeDstackAttestation(input);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.code, code);
        assert.match(result.message, message);
      }
    }
  });
});

describe('verifyAttestation with an attestation blob', () => {
  const options = { verifyAt: OUTDATED_COLLATERAL_VERIFY_AT, flags: { hardware: false, os: false, sourceCode: false } };

  test('yields the same app info as the GetQuote form of the capture', async () => {
    const fromBlob = await verifyAttestation({ attestation: blob.toString('hex') }, options);
    const fromGetQuote = await verifyAttestation(getQuote, options);
    assert.equal(fromBlob.is_valid, true, fromBlob.reason ?? '');
    assert.equal(fromBlob.details.event_log_verified, true);
    assert.deepEqual(fromBlob.details.app_info, fromGetQuote.details.app_info);
    assert.equal(fromBlob.details.checks.reportData, 'passed'); // the blob's report_data is the quote's
  });

  test('runtime events that differ from the event log are refused', async () => {
    const tampered = Buffer.from(blob);
    const name = Buffer.from('app-id');
    const lastName = tampered.lastIndexOf(name); // the runtime_events copy comes after the event log
    tampered[lastName + name.length + 1]! ^= 0x01; // first payload byte, after its 1-byte length
    const result = await verifyAttestation({ attestation: tampered }, options);
    assert.deepEqual(result.failures.map((failure) => `${failure.check}:${failure.code}`), ['evidence:ATTESTATION_MALFORMED']);
    assert.match(result.reason!, /runtime_events differ/);
  });

  test('an attestation together with a quote is ambiguous', async () => {
    const result = await verifyAttestation({ attestation: blob, quote: getQuote.quote }, options);
    assert.deepEqual(result.failures.map((failure) => failure.code), ['ATTESTATION_MALFORMED']);
  });
});
