import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { openAgentCa } from './open-agent-ca.ts';
import { publishAgentCrl } from './publish-agent-crl.ts';

/** Less than this left before nextUpdate: the CRL is signed anew (same entries, next number) before it is served. */
const RENEW_BEFORE_MS = 24 * 3600 * 1000;

type CrlRow = { crl: Buffer; crl_next_update: Date; client_id: string; client_name: string };

/** GET /ingest/v1/crl/{id}: the agent CA's current CRL (DER) and its nextUpdate, renewed when due; undefined for an unknown CA. */
export async function getAgentCrl(deps: { pool: Pool; clock: Clock; secretBox: SecretBox }, caId: string): Promise<{ der: Buffer; nextUpdate: Date } | undefined> {
  const read = async () =>
    (await deps.pool.query<CrlRow>(
      'SELECT a.crl, a.crl_next_update, a.client_id, c.name AS client_name FROM evidence_agent_cas a JOIN api_clients c ON c.id = a.client_id WHERE a.id = $1',
      [caId],
    )).rows[0];
  const row = await read();
  if (!row) return undefined;
  const now = deps.clock.now();
  if (row.crl_next_update.getTime() - now.getTime() > RENEW_BEFORE_MS) return { der: row.crl, nextUpdate: row.crl_next_update };
  return inTransaction(deps.pool, async (tx) => publishAgentCrl(tx, await openAgentCa(tx, deps, { id: row.client_id, name: row.client_name }, now), now));
}
