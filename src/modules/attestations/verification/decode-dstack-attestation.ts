import { decodeBinaryInput } from './decode-binary-input.ts';
import type { Result } from './types.ts';

/** The event-log entry shape parseEventLog reads (hex digest and payload). */
export type EventLogEntry = { imr: number; event_type: number; digest: string; event: string; event_payload: string };

/** dstack's VersionedAttestation (ra-tls / dstack-attest), decoded. */
export type DstackAttestation = {
  quote: Buffer;
  event_log: EventLogEntry[];
  runtime_events: Array<{ event: string; payload: Buffer }>;
  report_data: string;
  vm_config: string;
};

export type DecodeAttestationFailureCode = 'ATTESTATION_MALFORMED' | 'ATTESTATION_UNSUPPORTED';

const MAX_ITEMS = 4096;

/** Thrown only inside this file to unwind the reader; decodeDstackAttestation returns a result. */
class ScaleError extends Error {}

class ScaleReader {
  private offset = 0;
  private readonly bytes: Buffer;
  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }
  remaining(): number {
    return this.bytes.length - this.offset;
  }
  take(length: number, what: string): Buffer {
    if (length > this.remaining()) throw new ScaleError(`${what} needs ${length} bytes, ${this.remaining()} left`);
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
  u8(what: string): number {
    return this.take(1, what)[0]!;
  }
  u32(what: string): number {
    return this.take(4, what).readUInt32LE(0);
  }
  /** SCALE compact integer; the 2^30+ "big integer" mode is never a sane length here. */
  compact(what: string): number {
    if (this.remaining() === 0) throw new ScaleError(`${what}: no bytes left`);
    const mode = this.bytes[this.offset]! & 0b11;
    if (mode === 0) return this.u8(what) >> 2;
    if (mode === 1) return this.take(2, what).readUInt16LE(0) >> 2;
    if (mode === 2) return this.take(4, what).readUInt32LE(0) >>> 2;
    throw new ScaleError(`${what}: length too large`);
  }
  vecU8(what: string): Buffer {
    return this.take(this.compact(what), what);
  }
  string(what: string): string {
    const bytes = this.vecU8(what);
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) throw new ScaleError(`${what} is not UTF-8`);
    return text;
  }
  count(what: string): number {
    const count = this.compact(what);
    if (count > MAX_ITEMS) throw new ScaleError(`${what}: ${count} items, more than ${MAX_ITEMS}`);
    return count;
  }
}

/**
 * Decodes a dstack `attestation` blob (SCALE-encoded VersionedAttestation::V0 with a DstackTdx
 * quote, as the dstack verifier and KMS accept it): the TDX quote, its event log, the runtime
 * events, report_data and the VM config. Verifies nothing.
 */
export function decodeDstackAttestation(input: unknown): Result<DstackAttestation, DecodeAttestationFailureCode> {
  const decoded = decodeBinaryInput(input, 'attestation');
  if (!decoded.ok) return { ok: false, code: 'ATTESTATION_MALFORMED', message: decoded.message };
  const reader = new ScaleReader(Buffer.from(decoded.value));
  try {
    const version = reader.u8('version');
    if (version !== 0) return { ok: false, code: 'ATTESTATION_UNSUPPORTED', message: `attestation version ${version} is not supported (only V0)` };
    const mode = reader.u8('quote variant');
    if (mode !== 0) {
      return { ok: false, code: 'ATTESTATION_UNSUPPORTED', message: `attestation quote variant ${mode} is not DstackTdx (GCP TDX and Nitro are not supported)` };
    }
    const quote = reader.vecU8('quote');
    const eventLog: EventLogEntry[] = [];
    for (let i = 0, n = reader.count('event_log'); i < n; i++) {
      eventLog.push({
        imr: reader.u32(`event_log[${i}].imr`),
        event_type: reader.u32(`event_log[${i}].event_type`),
        digest: reader.vecU8(`event_log[${i}].digest`).toString('hex'),
        event: reader.string(`event_log[${i}].event`),
        event_payload: reader.vecU8(`event_log[${i}].event_payload`).toString('hex'),
      });
    }
    const runtimeEvents: DstackAttestation['runtime_events'] = [];
    for (let i = 0, n = reader.count('runtime_events'); i < n; i++) {
      runtimeEvents.push({ event: reader.string(`runtime_events[${i}].event`), payload: reader.vecU8(`runtime_events[${i}].payload`) });
    }
    const reportData = reader.take(64, 'report_data').toString('hex');
    const vmConfig = reader.string('config');
    if (reader.remaining() !== 0) throw new ScaleError(`${reader.remaining()} bytes after the attestation`);
    return { ok: true, value: { quote, event_log: eventLog, runtime_events: runtimeEvents, report_data: reportData, vm_config: vmConfig } };
  } catch (error) {
    if (error instanceof ScaleError) return { ok: false, code: 'ATTESTATION_MALFORMED', message: `attestation does not decode: ${error.message}` };
    throw error;
  }
}
