import { inTransaction, type PoolClient } from '#platform/db/pool.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { oldestUnaggregatedUsage } from '#modules/metering/oldest-unaggregated-usage.ts';
import { enqueueWebhookEvent } from '#modules/webhooks/enqueue-webhook-event.ts';
import { periodStart } from '../billing-period.ts';
import { computeInvoice, type InvoiceDeps } from './compute-invoice.ts';
import { findInvoices } from './find-invoices.ts';
import { takeInvoiceNumber } from './take-invoice-number.ts';
import { writeBillingExports } from './write-billing-exports.ts';
import { writeDraftInvoice } from './write-draft-invoice.ts';

export type FinalizeInvoicesResult = { finalized: number; exports: number };

/**
 * The end of the last month that can be finalized at `now`: months ending `graceMinutes` before
 * now at the latest (an outcome committing late still lands in its month), and before the oldest
 * usage event still waiting for aggregation (the cycle aggregates first, so normally none).
 */
async function closedUntil(deps: InvoiceDeps, now: Date, graceMinutes: number): Promise<Date> {
  const byGrace = periodStart(new Date(now.getTime() - graceMinutes * 60_000));
  const oldest = await oldestUnaggregatedUsage(deps);
  return oldest !== undefined && oldest < byGrace ? periodStart(oldest) : byGrace;
}

/** Every (partner, month) with a plan in a month ending by `until` and no finalized invoice: oldest month first, then by partner. */
async function dueInvoices(deps: InvoiceDeps, until: Date): Promise<Array<{ client_id: string; period_start: Date }>> {
  const { rows } = await deps.pool.query<{ client_id: string; period_start: Date }>(
    `WITH firsts AS (SELECT client_id, min(effective_from) AS first FROM client_plans GROUP BY client_id)
     SELECT f.client_id, p.start AT TIME ZONE 'UTC' AS period_start
       FROM firsts f
       CROSS JOIN LATERAL generate_series(date_trunc('month', f.first AT TIME ZONE 'UTC'), ($1::timestamptz AT TIME ZONE 'UTC') - interval '1 month', interval '1 month') AS p (start)
      WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.client_id = f.client_id AND i.period_start = p.start AT TIME ZONE 'UTC' AND i.status = 'finalized')
      ORDER BY 2, 1`,
    [until],
  );
  return rows;
}

/** The `invoice.finalized` webhook payload (described in webhooks/openapi-webhooks.ts). */
async function announce(tx: PoolClient, id: string, now: Date): Promise<void> {
  const [invoice] = await findInvoices(tx, { id });
  await enqueueWebhookEvent(tx, {
    clientId: invoice!.client_id,
    type: 'invoice.finalized',
    subjectId: id,
    payload: {
      event: 'invoice.finalized',
      invoice_id: id,
      number: invoice!.number,
      period_start: invoice!.period_start,
      period_end: invoice!.period_end,
      currency: invoice!.currency,
      subtotal: invoice!.subtotal,
      deposits_applied: invoice!.deposits_applied,
      total: invoice!.total,
      ts: now.toISOString(),
    },
  });
}

/**
 * Finalizes one partner's month: recomputed from its (fully aggregated) usage, written, numbered
 * and announced in ONE transaction, so a kill leaves it either draft or finalized with its number.
 * False when it was finalized already (by a run meanwhile: the draft's row lock is waited for).
 */
async function finalizeInvoice(deps: InvoiceDeps, clientId: string, start: Date, now: Date): Promise<boolean> {
  const computed = await computeInvoice(deps, clientId, start);
  if (!computed) return false;
  return inTransaction(deps.pool, async (tx) => {
    const id = await writeDraftInvoice(tx, computed, deps.currency, now);
    if (id === undefined) return false;
    const number = await takeInvoiceNumber(tx, deps.currency, start.getUTCFullYear());
    await tx.query("UPDATE invoices SET status = 'finalized', number = $2, finalized_at = $3 WHERE id = $1", [id, number, now]);
    await announce(tx, id, now);
    return true;
  });
}

/**
 * The `finalize-invoices` task: finalizes every invoice of a closed month (see `closedUntil`), in
 * month then partner order, and writes the operator exports of the months it closed. Idempotent
 * and crash-safe: a finalized invoice is never touched again, a number is taken in the
 * transaction that finalizes, and a rerun resumes where a kill stopped. Stops between invoices
 * when `signal` aborts (the leader lost its lock).
 */
export async function finalizeInvoices(
  deps: InvoiceDeps & { storage: ObjectStorage },
  options: { now: Date; graceMinutes: number; signal?: AbortSignal },
): Promise<FinalizeInvoicesResult> {
  const until = await closedUntil(deps, options.now, options.graceMinutes);
  let finalized = 0;
  for (const due of await dueInvoices(deps, until)) {
    if (options.signal?.aborted) return { finalized, exports: 0 };
    if (await finalizeInvoice(deps, due.client_id, due.period_start, options.now)) finalized++;
  }
  return { finalized, exports: await writeBillingExports(deps, until) };
}
