import { and, desc, eq, gt, isNotNull, isNull, lt, lte, type SQL } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import { toApiKey, type ApiKey, type ApiKeyStatus } from './api-key-schema.ts';
import { apiKeys } from './tables.ts';

export type ApiKeyPage = { data: ApiKey[]; next_cursor: string | null };

function statusCondition(status: ApiKeyStatus, now: Date): SQL {
  const k = apiKeys;
  switch (status) {
    case 'disabled': return isNotNull(k.disabledAt);
    case 'active': return and(isNull(k.disabledAt), isNull(k.expiresAt))!;
    case 'expiring': return and(isNull(k.disabledAt), gt(k.expiresAt, now))!;
    case 'expired': return and(isNull(k.disabledAt), lte(k.expiresAt, now))!;
  }
}

/** The partner's keys (never their secrets), newest first; `cursor` is the last id of the previous page (ids sort by creation time). */
export async function listApiKeys(
  deps: { db: Db; clock: Clock },
  clientId: string,
  filter: { status?: ApiKeyStatus | undefined },
  page: { limit: number; cursor?: string | undefined },
): Promise<ApiKeyPage> {
  const now = deps.clock.now();
  const conditions: SQL[] = [eq(apiKeys.clientId, clientId)];
  if (filter.status) conditions.push(statusCondition(filter.status, now));
  if (page.cursor) conditions.push(lt(apiKeys.id, page.cursor));
  const rows = await deps.db.select().from(apiKeys).where(and(...conditions)).orderBy(desc(apiKeys.id)).limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  return { data: shown.map((row) => toApiKey(row, now)), next_cursor: rows.length > page.limit ? shown.at(-1)!.id : null };
}
