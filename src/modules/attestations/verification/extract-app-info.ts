import { createHash } from 'node:crypto';
import type { DstackEvent } from './parse-event-log.ts';
import { DSTACK_RUNTIME_EVENT_TYPE } from './replay-event-log.ts';
import type { TdxMeasurements } from './types.ts';

/** dstack app identity, as the dstack verifier reports it, plus the TD measurements. */
export type AppInfo = {
  app_id: string | null;
  compose_hash: string | null;
  instance_id: string | null;
  os_image_hash: string | null;
  /** key-provider event payload as hex (dstack's key_provider_info). */
  key_provider_info: string | null;
  /** The same payload decoded when it is a JSON object (dstack writes {"name","id"}). */
  key_provider: Record<string, unknown> | null;
  /** SHA-256 of the PPID from the PCK certificate; null when the quote was not verified. */
  device_id: string | null;
  /** SHA-256(MRTD || RTMR0 || RTMR1 || RTMR2 || SHA-256(key-provider payload) or 32 zero bytes). */
  mr_system: string;
  /** SHA-256(MRTD || RTMR0..3 [|| MRCONFIGID || MROWNER || MROWNERCONFIG when any is non-zero]). */
  mr_aggregated: string;
  mr_td: string;
  rt_mr0: string;
  rt_mr1: string;
  rt_mr2: string;
  rt_mr3: string;
};

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/**
 * Reads the app identity from RTMR3 runtime events, following dstack's decode_app_info: the first
 * event of each name, looking no further than "system-ready" (events after it are the app's own
 * and must not override the platform's). Call only after RTMR3 replayed to the quote's value.
 */
export function extractAppInfo(events: readonly DstackEvent[], td: TdxMeasurements, ppidHex: string | null): AppInfo {
  const runtime = events.filter((event) => event.imr === 3 && event.event_type === DSTACK_RUNTIME_EVENT_TYPE);
  const readyAt = runtime.findIndex((event) => event.event === 'system-ready');
  const platformEvents = readyAt < 0 ? runtime : runtime.slice(0, readyAt);
  const payload = (name: string): Buffer | null => platformEvents.find((event) => event.event === name)?.event_payload ?? null;
  const hex = (name: string): string | null => payload(name)?.toString('hex') ?? null;

  const keyProvider = payload('key-provider');
  const mrKeyProvider = keyProvider && keyProvider.length > 0 ? sha256(keyProvider) : Buffer.alloc(32);
  const register = (value: string): Buffer => Buffer.from(value, 'hex');
  const boot = [register(td.mr_td), register(td.rt_mr0), register(td.rt_mr1), register(td.rt_mr2)];
  const ownerFields = [register(td.mr_config_id), register(td.mr_owner), register(td.mr_owner_config)];
  const ownerSet = ownerFields.some((field) => field.some((byte) => byte !== 0));

  return {
    app_id: hex('app-id'),
    compose_hash: hex('compose-hash'),
    instance_id: hex('instance-id'),
    os_image_hash: hex('os-image-hash'),
    key_provider_info: keyProvider?.toString('hex') ?? null,
    key_provider: keyProvider ? decodeJsonObject(keyProvider) : null,
    device_id: ppidHex === null ? null : sha256(Buffer.from(ppidHex, 'hex')).toString('hex'),
    mr_system: sha256(...boot, mrKeyProvider).toString('hex'),
    mr_aggregated: sha256(...boot, register(td.rt_mr3), ...(ownerSet ? ownerFields : [])).toString('hex'),
    mr_td: td.mr_td,
    rt_mr0: td.rt_mr0,
    rt_mr1: td.rt_mr1,
    rt_mr2: td.rt_mr2,
    rt_mr3: td.rt_mr3,
  };
}

function decodeJsonObject(bytes: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // not JSON: the hex form in key_provider_info is what there is
  }
}
