import type { App } from '#src/app.ts';
import type { Pool } from '#platform/db/pool.ts';

/** A partner's usage events of one product, as stored (CloudEvents columns). */
export async function usageEventsOf(pool: Pool, clientId: string, product: string): Promise<Array<{ event_id: string; source: string; client_id: string; outcome: string; quantity: number }>> {
  const { rows } = await pool.query('SELECT event_id, source, client_id, outcome, quantity FROM usage_events WHERE client_id = $1 AND product = $2 ORDER BY id', [clientId, product]);
  return rows;
}

/** What the partner itself reads in GET /api/v1/usage for one product: the total over all months. */
export async function partnerUsageTotal(app: App, apiKey: string, product: string): Promise<number> {
  const response = await app.inject({ method: 'GET', url: `/api/v1/usage?product=${product}&granularity=month`, headers: { 'x-api-key': apiKey } });
  if (response.statusCode !== 200) throw new Error(`GET /api/v1/usage: ${response.statusCode} ${response.body}`);
  return (response.json().series as Array<{ quantity: number }>).reduce((sum, row) => sum + row.quantity, 0);
}
