import { createHash } from 'node:crypto';
import type { DstackEvent } from './parse-event-log.ts';
import { toHex } from './types.ts';

/** cc-eventlog DSTACK_RUNTIME_EVENT_TYPE: application-defined events extended into RTMR3. */
export const DSTACK_RUNTIME_EVENT_TYPE = 0x08000001;

// TCG PC Client event types whose digest is a hash of (part of) the logged payload.
const EV_SEPARATOR = 0x4;
const EV_EFI_VARIABLE_DRIVER_CONFIG = 0x80000001;
const EV_EFI_VARIABLE_BOOT = 0x80000002;
const EV_EFI_ACTION = 0x80000007;
const UEFI_VARIABLE_DATA_HEADER = 16 + 8 + 8; // VariableName GUID, UnicodeNameLength, VariableDataLength

export type RtmrStatus = 'match' | 'mismatch' | 'not_in_log';

export type EventLogReplay = {
  /** RTMR0..3 replayed from the log, lowercase hex. */
  replayed: [string, string, string, string];
  status: [RtmrStatus, RtmrStatus, RtmrStatus, RtmrStatus];
  /** RTMR3 replays to the quote's value and every checkable digest matches its payload. */
  verified: boolean;
  problems: string[];
  digests: { recomputed_from_payload: number; taken_as_logged: number };
};

const sha384 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha384');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** dstack v1 runtime event digest: SHA-384(event_type u32 LE || ":" || name || ":" || payload). */
export function runtimeEventDigest(eventType: number, name: string, payload: Uint8Array): Buffer {
  const type = Buffer.alloc(4);
  type.writeUInt32LE(eventType);
  return sha384(type, Buffer.from(':'), Buffer.from(name, 'utf8'), Buffer.from(':'), payload);
}

/**
 * Replays a dstack event log into RTMR0..3 (RTMR = SHA-384(RTMR || digest) from 48 zero bytes)
 * and compares with the quote's RTMRs. Runtime events' digests are always recomputed from their
 * payload (a logged digest must agree); boot events whose TCG digest is a hash of the payload are
 * checked when the payload is present; other boot digests (firmware blobs, ACPI tables, kernel
 * authenticode) cannot be checked from the log and are taken as logged.
 *
 * Only RTMR3 gates `verified`, as in dstack: the app identity is read from RTMR3, while RTMR0..2
 * are vouched for by comparing them with the OS image's reference measurements, and dstack ships
 * partial boot logs on purpose (its stripped attestation keeps only RTMR0's ACPI events). The
 * RTMR0..2 replay outcome is still reported per register in `status`.
 */
export function replayEventLog(events: readonly DstackEvent[], quoteRtmrs: readonly [string, string, string, string]): EventLogReplay {
  const registers = [0, 1, 2, 3].map(() => Buffer.alloc(48)) as [Buffer, Buffer, Buffer, Buffer];
  const seen = [false, false, false, false];
  const problems: string[] = [];
  const digests = { recomputed_from_payload: 0, taken_as_logged: 0 };

  for (const event of events) {
    const label = `event #${event.index} (RTMR${event.imr}, type 0x${event.event_type.toString(16)}${event.event ? ` "${event.event}"` : ''})`;
    const computed = digestFromPayload(event);
    let digest: Buffer;
    if (computed.kind === 'problem') {
      problems.push(`${label}: ${computed.message}`);
      digest = event.digest;
    } else if (computed.kind === 'digest') {
      digests.recomputed_from_payload++;
      if (event.digest.length > 0 && !event.digest.equals(computed.digest)) {
        problems.push(`${label}: logged digest ${toHex(event.digest)} is not the digest of its payload ${toHex(computed.digest)}`);
      }
      // Runtime events are defined by their payload (dstack recomputes); a boot event's logged
      // digest is what the firmware extended, its payload only describes it.
      digest = event.event_type === DSTACK_RUNTIME_EVENT_TYPE || event.digest.length === 0 ? computed.digest : event.digest;
    } else {
      digests.taken_as_logged++;
      if (event.digest.length === 0) problems.push(`${label}: no digest logged and none can be computed from its payload`);
      digest = event.digest;
    }
    if (digest.length === 48) registers[event.imr as 0 | 1 | 2 | 3] = sha384(registers[event.imr as 0 | 1 | 2 | 3], digest);
    seen[event.imr] = true;
  }

  const replayed = registers.map(toHex) as EventLogReplay['replayed'];
  const status = replayed.map((value, i) =>
    !seen[i] ? 'not_in_log' : value === quoteRtmrs[i]!.toLowerCase() ? 'match' : 'mismatch',
  ) as EventLogReplay['status'];
  if (status[3] === 'mismatch') problems.push(`RTMR3 replays to ${replayed[3]} but the quote has ${quoteRtmrs[3]}`);
  if (status[3] === 'not_in_log') problems.push('the event log has no RTMR3 (runtime) events');
  return { replayed, status, verified: problems.length === 0, problems, digests };
}

type PayloadDigest = { kind: 'digest'; digest: Buffer } | { kind: 'not_checkable' } | { kind: 'problem'; message: string };

function digestFromPayload(event: DstackEvent): PayloadDigest {
  if (event.event_type === DSTACK_RUNTIME_EVENT_TYPE) {
    if (event.version !== 1) {
      return { kind: 'problem', message: `runtime event digest format v${event.version} is not supported (only v1)` };
    }
    return { kind: 'digest', digest: runtimeEventDigest(event.event_type, event.event, event.event_payload) };
  }
  if (event.event_payload.length === 0) return { kind: 'not_checkable' };
  switch (event.event_type) {
    case EV_SEPARATOR:
    case EV_EFI_ACTION:
    case EV_EFI_VARIABLE_DRIVER_CONFIG:
      return { kind: 'digest', digest: sha384(event.event_payload) };
    case EV_EFI_VARIABLE_BOOT: {
      // Boot variables are measured by their VariableData only, not the whole UEFI_VARIABLE_DATA.
      const payload = event.event_payload;
      if (payload.length < UEFI_VARIABLE_DATA_HEADER) return { kind: 'problem', message: 'UEFI_VARIABLE_DATA payload is truncated' };
      const nameBytes = Number(payload.readBigUInt64LE(16)) * 2;
      const dataLength = Number(payload.readBigUInt64LE(24));
      const dataStart = UEFI_VARIABLE_DATA_HEADER + nameBytes;
      if (dataStart + dataLength !== payload.length) return { kind: 'problem', message: 'UEFI_VARIABLE_DATA lengths do not add up' };
      return { kind: 'digest', digest: sha384(payload.subarray(dataStart)) };
    }
    default:
      return { kind: 'not_checkable' };
  }
}
