import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import { fetchPccsCollateral } from './fetch-pccs-collateral.ts';
import { storeCollateral } from './store-collateral.ts';
import type { CollateralKey } from './verification/index.ts';
import { collateralKeyId, type TaskCollateralSource } from './verify-task-evidence.ts';

/** After a failed PCCS fetch, the platform is not asked for again for this long (per process). */
const PCCS_RETRY_AFTER_MS = 60_000;

const describeKey = (key: CollateralKey) => `FMSPC ${key.fmspc} (${key.tee.toUpperCase()}, ${key.pck_ca} CA)`;

/**
 * Collateral the operator stored for a platform. With a PCCS URL, collateral that is missing or
 * past its validity is fetched from the PCCS, validated and stored for every worker; an
 * unreachable PCCS is remembered for a minute and never fails the lookup (the stored collateral,
 * or none, is used and the verification says why).
 */
export function createStoredCollateralSource(deps: { pool: Pool; clock: Clock; log: Logger; pccsUrl?: string | undefined }): TaskCollateralSource {
  const pccsFailures = new Map<string, { at: number; message: string }>();

  async function fetchFromPccs(key: CollateralKey): Promise<unknown> {
    const pccsUrl = deps.pccsUrl!;
    const failed = pccsFailures.get(collateralKeyId(key));
    const now = deps.clock.now().getTime();
    if (failed && now - failed.at < PCCS_RETRY_AFTER_MS) return undefined;
    const fetched = await fetchPccsCollateral(pccsUrl, key);
    const stored = fetched.ok ? await storeCollateral(deps, { raw: fetched.collateral, fmspc: key.fmspc, source: 'pccs' }) : fetched;
    if (!stored.ok) {
      pccsFailures.set(collateralKeyId(key), { at: now, message: stored.message });
      deps.log.warn({ fmspc: key.fmspc, tee: key.tee, pck_ca: key.pck_ca, reason: stored.message }, 'PCCS collateral unavailable');
      return undefined;
    }
    pccsFailures.delete(collateralKeyId(key));
    deps.log.info({ fmspc: key.fmspc, tee: key.tee, pck_ca: key.pck_ca, valid_until: stored.stored.valid_until }, 'collateral fetched from PCCS and stored');
    return stored.collateral;
  }

  // The last text read per platform, with its digest (one entry per FMSPC the workers have seen).
  const texts = new Map<string, { digest: string; text: string }>();
  async function storedText(key: CollateralKey, digest: string): Promise<string | undefined> {
    const known = texts.get(collateralKeyId(key));
    if (known?.digest === digest) return known.text;
    const { rows } = await deps.pool.query<{ collateral: string; digest: string }>(
      'SELECT collateral::text AS collateral, digest FROM attestation_collateral WHERE tee = $1 AND fmspc = $2 AND pck_ca = $3',
      [key.tee, key.fmspc, key.pck_ca],
    );
    const row = rows[0];
    if (!row) return undefined;
    texts.set(collateralKeyId(key), { digest: row.digest, text: row.collateral });
    return row.collateral;
  }

  return {
    async getCollateral(key) {
      // Its digest first (a few bytes): the text, tens of KB of JSON, is read only when it changed.
      // As JSON text: this thread neither parses it nor clones an object graph to the verifier
      // thread, whose cache recognises the text by its digest and parses only what it has not seen.
      const { rows } = await deps.pool.query<{ digest: string; valid_until: Date }>({
        name: 'attestations-collateral-digest',
        text: 'SELECT digest, valid_until FROM attestation_collateral WHERE tee = $1 AND fmspc = $2 AND pck_ca = $3',
        values: [key.tee, key.fmspc, key.pck_ca],
      });
      const current = rows[0];
      const stored = current && (await storedText(key, current.digest));
      if (!deps.pccsUrl || (current && stored !== undefined && current.valid_until > deps.clock.now())) return stored;
      return (await fetchFromPccs(key)) ?? stored;
    },
    describeMiss(key) {
      const upload = `upload it with PUT /api/admin/attestations/collateral/${key.fmspc}`;
      if (!deps.pccsUrl) return `none was submitted and none is stored for ${describeKey(key)}; ${upload}, send it as evidence.collateral, or set PCCS_URL`;
      const failure = pccsFailures.get(collateralKeyId(key));
      return `none was submitted or stored for ${describeKey(key)}, and ${failure?.message ?? 'the PCCS had none'}; ${upload} or send it as evidence.collateral`;
    },
  };
}
