import { describeType } from './decode-binary-input.ts';
import { errorMessage } from './types.ts';
import type { Result } from './types.ts';

/** One entry of a dstack TDX event log (cc-eventlog TdxEvent, JSON form). */
export type DstackEvent = {
  index: number;
  /** RTMR index 0..3 (zero-based, unlike TCG PCR indices). */
  imr: number;
  event_type: number;
  /** SHA-384 digest as logged; dstack leaves it empty for runtime events and it is recomputed. */
  digest: Buffer;
  event: string;
  event_payload: Buffer;
  /** Runtime-event digest format; absent in v1 logs. */
  version: number;
};

export type EventLogResult = Result<DstackEvent[], 'EVENT_LOG_MALFORMED'>;

const SHA384_BYTES = 48;
const MAX_EVENTS = 4096;

/**
 * Parses the dstack event log: a JSON array (or its JSON text) of
 * {imr, event_type, digest, event, event_payload[, version]} with hex digests and payloads.
 */
export function parseEventLog(input: unknown): EventLogResult {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return malformed(`event log is not JSON: ${errorMessage(error)}`);
    }
  }
  if (!Array.isArray(value)) return malformed(`event log must be a JSON array, got ${describeType(value)}`);
  if (value.length > MAX_EVENTS) return malformed(`event log has ${value.length} events, more than ${MAX_EVENTS}`);

  const events: DstackEvent[] = [];
  for (const [index, entry] of value.entries()) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return malformed(`event #${index} is not an object`);
    const { imr, event_type: eventType, digest, event, event_payload: payload, version } = entry as Record<string, unknown>;
    if (!Number.isInteger(imr) || (imr as number) < 0 || (imr as number) > 3) return malformed(`event #${index}: imr must be 0..3, got ${JSON.stringify(imr)}`);
    if (!Number.isInteger(eventType) || (eventType as number) < 0 || (eventType as number) > 0xffffffff) {
      return malformed(`event #${index}: event_type must be a u32, got ${JSON.stringify(eventType)}`);
    }
    if (typeof event !== 'string') return malformed(`event #${index}: event must be a string`);
    const digestBytes = readHex(digest ?? '');
    if (digestBytes === null || (digestBytes.length !== 0 && digestBytes.length !== SHA384_BYTES)) {
      return malformed(`event #${index}: digest must be empty or ${SHA384_BYTES} bytes of hex`);
    }
    const payloadBytes = readHex(payload ?? '');
    if (payloadBytes === null) return malformed(`event #${index}: event_payload must be hex`);
    if (version !== undefined && !Number.isInteger(version)) return malformed(`event #${index}: version must be an integer`);
    events.push({
      index,
      imr: imr as number,
      event_type: eventType as number,
      digest: digestBytes,
      event,
      event_payload: payloadBytes,
      version: (version as number | undefined) ?? 1,
    });
  }
  return { ok: true, value: events };
}

const readHex = (value: unknown): Buffer | null =>
  typeof value === 'string' && value.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(value) ? Buffer.from(value, 'hex') : null;

const malformed = (message: string): { ok: false; code: 'EVENT_LOG_MALFORMED'; message: string } => ({
  ok: false,
  code: 'EVENT_LOG_MALFORMED',
  message,
});
