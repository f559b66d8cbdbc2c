import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { extractAppInfo } from './extract-app-info.ts';
import { parseEventLog } from './parse-event-log.ts';
import type { DstackEvent } from './parse-event-log.ts';
import { DSTACK_RUNTIME_EVENT_TYPE, replayEventLog, runtimeEventDigest } from './replay-event-log.ts';
import { readVectorJson, tdReportFieldsAtOffsets } from './test-vectors.ts';
import type { TdxMeasurements } from './types.ts';

type Capture = { quote: string; event_log: string; report_data: string; vm_config: string };
type RawEvent = { imr: number; event_type: number; digest: string; event: string; event_payload: string };

// dstack-quote-report.json logs every digest and payload; the lite capture strips RTMR0-2
// payloads and RTMR3 digests, as the guest agent does for its "lite" attestation variant.
const full = readVectorJson<Capture>('dstack-quote-report.json');
const lite = readVectorJson<Capture>('dstack-tdx-lite-getquote.json');

const quoteRtmrs = (capture: Capture): [string, string, string, string] => {
  const fields = tdReportFieldsAtOffsets(Buffer.from(capture.quote, 'hex'));
  return [fields.rt_mr0, fields.rt_mr1, fields.rt_mr2, fields.rt_mr3];
};

function events(rawLog: string | RawEvent[]): DstackEvent[] {
  const parsed = parseEventLog(rawLog);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return parsed.value;
}

const rawEvents = (capture: Capture): RawEvent[] => JSON.parse(capture.event_log) as RawEvent[];

describe('replayEventLog against the quote RTMRs (read at Intel offsets, no collateral needed)', () => {
  test('the full dstack capture replays to all four RTMRs', () => {
    const replay = replayEventLog(events(full.event_log), quoteRtmrs(full));
    assert.deepEqual(replay.problems, []);
    assert.deepEqual(replay.status, ['match', 'match', 'match', 'match']);
    assert.equal(replay.verified, true);
    // 8 runtime events + 12 boot events whose digest is a hash of their payload.
    assert.deepEqual(replay.digests, { recomputed_from_payload: 20, taken_as_logged: 8 });
  });

  test('the lite capture replays too: RTMR3 digests recomputed from payloads, boot digests as logged', () => {
    const replay = replayEventLog(events(lite.event_log), quoteRtmrs(lite));
    assert.deepEqual(replay.problems, []);
    assert.deepEqual(replay.status, ['match', 'match', 'match', 'match']);
    assert.deepEqual(replay.digests, { recomputed_from_payload: 9, taken_as_logged: 20 });
  });

  test('dstack runtime digests are SHA-384(event_type u32 LE || ":" || name || ":" || payload)', () => {
    const runtime = rawEvents(full).filter((event) => event.event_type === DSTACK_RUNTIME_EVENT_TYPE);
    assert.equal(runtime.length, 8);
    for (const event of runtime) {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(event.event_type);
      const expected = createHash('sha384')
        .update(Buffer.concat([prefix, Buffer.from(`:${event.event}:`), Buffer.from(event.event_payload, 'hex')]))
        .digest('hex');
      assert.equal(expected, event.digest, `dstack logged this digest for ${event.event}`);
      assert.equal(runtimeEventDigest(event.event_type, event.event, Buffer.from(event.event_payload, 'hex')).toString('hex'), event.digest);
    }
  });

  test('a changed compose-hash payload no longer replays to RTMR3', () => {
    const log = rawEvents(lite).map((event) =>
      event.event === 'compose-hash' ? { ...event, event_payload: `${'00'.repeat(31)}01` } : event,
    );
    const replay = replayEventLog(events(log), quoteRtmrs(lite));
    assert.equal(replay.verified, false);
    assert.deepEqual(replay.status, ['match', 'match', 'match', 'mismatch']);
    assert.match(replay.problems.join(), /RTMR3 replays to [0-9a-f]{96} but the quote has/);
  });

  test('a runtime event whose logged digest disagrees with its payload is reported', () => {
    const log = rawEvents(full).map((event) => (event.event === 'app-id' ? { ...event, event_payload: 'ff'.repeat(20) } : event));
    const replay = replayEventLog(events(log), quoteRtmrs(full));
    assert.equal(replay.verified, false);
    assert.match(replay.problems[0]!, /"app-id"\): logged digest [0-9a-f]+ is not the digest of its payload/);
  });

  test('a boot event payload that is not what was measured is reported even though RTMRs match', () => {
    const log = rawEvents(full).map((event, index) => (index === 14 ? { ...event, event_payload: Buffer.from('Calling something else').toString('hex') } : event));
    assert.equal(rawEvents(full)[14]!.event_type, 0x80000007); // EV_EFI_ACTION
    const replay = replayEventLog(events(log), quoteRtmrs(full));
    assert.equal(replay.verified, false);
    assert.deepEqual(replay.status, ['match', 'match', 'match', 'match']);
    assert.deepEqual(replay.problems, [
      `event #14 (RTMR1, type 0x80000007): logged digest ${rawEvents(full)[14]!.digest} is not the digest of its payload ${createHash('sha384').update('Calling something else').digest('hex')}`,
    ]);
  });

  test('runtime events in the v2 digest format are refused rather than guessed', () => {
    const log = rawEvents(lite).map((event) => (event.event === 'app-id' ? { ...event, version: 2 } : event));
    const replay = replayEventLog(events(log as RawEvent[]), quoteRtmrs(lite));
    assert.equal(replay.verified, false);
    assert.match(replay.problems.join(), /digest format v2 is not supported/);
  });

  test('a log without runtime events cannot vouch for RTMR3; RTMRs it does not cover are marked so', () => {
    const replay = replayEventLog(events(rawEvents(full).filter((event) => event.imr === 0)), quoteRtmrs(full));
    assert.deepEqual(replay.status, ['match', 'not_in_log', 'not_in_log', 'not_in_log']);
    assert.equal(replay.verified, false);
    assert.match(replay.problems.join(), /no RTMR3/);
  });

  test('a partial boot log (dstack strips RTMR0-2 on purpose) is reported per register but does not gate', () => {
    const stripped = rawEvents(lite).filter((event) => event.imr === 3 || event.event.startsWith('acpi-'));
    const replay = replayEventLog(events(stripped), quoteRtmrs(lite));
    assert.deepEqual(replay.status, ['mismatch', 'not_in_log', 'not_in_log', 'match']);
    assert.equal(replay.verified, true);
  });

  test('a tampered boot digest changes the RTMR0 outcome, which is reported', () => {
    const log = rawEvents(lite).map((event, index) => (index === 0 ? { ...event, digest: 'ab'.repeat(48) } : event));
    assert.deepEqual(replayEventLog(events(log), quoteRtmrs(lite)).status, ['mismatch', 'match', 'match', 'match']);
  });
});

describe('parseEventLog', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON', '[{', /not JSON/],
    ['not an array', '{"imr":0}', /must be a JSON array, got object/],
    ['imr out of range', [{ imr: 4, event_type: 1, digest: '', event: '', event_payload: '' }], /imr must be 0..3/],
    ['negative event type', [{ imr: 0, event_type: -1, digest: '', event: '', event_payload: '' }], /event_type must be a u32/],
    ['short digest', [{ imr: 0, event_type: 1, digest: 'abcd', event: '', event_payload: '' }], /digest must be empty or 48 bytes/],
    ['non-hex payload', [{ imr: 0, event_type: 1, digest: '', event: '', event_payload: 'xyz0' }], /event_payload must be hex/],
    ['missing name', [{ imr: 0, event_type: 1, digest: '', event_payload: '' }], /event must be a string/],
  ];
  for (const [name, input, message] of cases) {
    test(name, () => {
      const result = parseEventLog(input);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.code, 'EVENT_LOG_MALFORMED');
        assert.match(result.message, message);
      }
    });
  }
});

describe('extractAppInfo', () => {
  const td = tdReportFieldsAtOffsets(Buffer.from(full.quote, 'hex')) as TdxMeasurements;
  const payloadOf = (capture: Capture, name: string): string => rawEvents(capture).find((event) => event.event === name)!.event_payload;

  test('reads app-id, compose-hash, instance-id and key-provider from RTMR3', () => {
    const info = extractAppInfo(events(full.event_log), td, '811dca2a26b952e85bb6448b097ba4fd');
    assert.equal(info.app_id, payloadOf(full, 'app-id'));
    assert.equal(info.compose_hash, payloadOf(full, 'compose-hash'));
    assert.equal(info.instance_id, payloadOf(full, 'instance-id'));
    assert.equal(info.key_provider_info, payloadOf(full, 'key-provider'));
    assert.deepEqual(info.key_provider, JSON.parse(Buffer.from(payloadOf(full, 'key-provider'), 'hex').toString()));
    assert.equal(info.os_image_hash, null); // this capture predates the os-image-hash event
    assert.equal(info.device_id, createHash('sha256').update(Buffer.from('811dca2a26b952e85bb6448b097ba4fd', 'hex')).digest('hex'));
    assert.equal(info.mr_td, td.mr_td);
    assert.equal(info.rt_mr3, td.rt_mr3);
  });

  test('the lite capture carries an os-image-hash event', () => {
    const liteTd = tdReportFieldsAtOffsets(Buffer.from(lite.quote, 'hex')) as TdxMeasurements;
    const info = extractAppInfo(events(lite.event_log), liteTd, null);
    assert.equal(info.os_image_hash, payloadOf(lite, 'os-image-hash'));
    assert.equal(info.device_id, null);
  });

  test('events after system-ready cannot override the platform-measured identity', () => {
    const late = { imr: 3, event_type: DSTACK_RUNTIME_EVENT_TYPE, digest: '', event: 'compose-hash', event_payload: 'ab'.repeat(32) };
    const info = extractAppInfo(events([...rawEvents(full), late]), td, null);
    assert.equal(info.compose_hash, payloadOf(full, 'compose-hash'));
  });

  test('mr_system and mr_aggregated follow dstack decode_app_info', () => {
    const info = extractAppInfo(events(full.event_log), td, null);
    const h = (...hex: string[]): string => createHash('sha256').update(Buffer.from(hex.join(''), 'hex')).digest('hex');
    const mrKeyProvider = h(payloadOf(full, 'key-provider'));
    assert.equal(info.mr_system, h(td.mr_td, td.rt_mr0, td.rt_mr1, td.rt_mr2, mrKeyProvider));
    // MRCONFIGID, MROWNER and MROWNERCONFIG are all zero in this quote, so they are left out.
    assert.equal(info.mr_aggregated, h(td.mr_td, td.rt_mr0, td.rt_mr1, td.rt_mr2, td.rt_mr3));
  });
});
