import type { Pool } from '#platform/db/pool.ts';
import type { SecretBox } from './secret-box.ts';

/**
 * A column of values sealed with the secret box. The module owning the table exports its columns;
 * src/sealed-columns.ts collects them for `veridity rotate-encryption-key`. `K`: the (text) columns
 * the associated data is made of, primary key included.
 */
export type SealedColumn<K extends string = string> = {
  table: string;
  column: string;
  /** The row's primary key: batches walk the table in its order. */
  primaryKey: readonly K[];
  /** Other columns the associated data reads (the primary key's are there already). */
  contextColumns: readonly K[];
  /** The associated data the value was sealed with: re-sealing binds the very same. */
  associatedData(row: Record<K, string>): string;
};

/** Declares a sealed column, its associated data checked against the columns it names. */
export function sealedColumn<K extends string>(column: SealedColumn<K>): SealedColumn {
  return column as unknown as SealedColumn;
}

export type SealedColumnCounts = { sealed: number; onCurrentKey: number; toReseal: number };

export type RotationProgress = {
  resealed: number;
  /** Already sealed with the current key when the rotation started. */
  skipped: number;
  /** Values left on an older key, unreadable ones included (an estimate between batches, counted at the end). */
  remaining: number;
  /** Values no configured key opens (sealed with a key not in the list, or altered). */
  unreadable: number;
};

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** How many values the column holds, how many of them the current key sealed. */
export async function countSealed(pool: Pool, box: SecretBox, c: SealedColumn): Promise<SealedColumnCounts> {
  const { rows } = await pool.query<{ sealed: number; on_current: number }>(
    `SELECT count(*)::int AS sealed, (count(*) FILTER (WHERE starts_with(${quote(c.column)}, $1)))::int AS on_current
       FROM ${quote(c.table)} WHERE ${quote(c.column)} IS NOT NULL`,
    [box.currentPrefix],
  );
  const { sealed, on_current } = rows[0]!;
  return { sealed, onCurrentKey: on_current, toReseal: sealed - on_current };
}

type Batch = { rows: number; resealed: number; unreadable: string[]; last: string[] | undefined };

/**
 * One short transaction: the next `batchSize` rows after `after` (primary key order) still sealed
 * with an older key, locked (`FOR UPDATE`; rows a writer holds are skipped in the first pass), each
 * opened and sealed again with the current key under the same associated data. A writer waiting on
 * these locks then writes over the re-sealed value, and a row a writer changed before we locked it
 * is re-checked by PostgreSQL against the filter: no concurrent write is lost.
 */
async function resealBatch(pool: Pool, box: SecretBox, c: SealedColumn, options: { batchSize: number; skipLocked: boolean; after: string[] | undefined }): Promise<Batch> {
  const keys = c.primaryKey.map(quote);
  const read = [...c.primaryKey, ...c.contextColumns].map(quote).join(', ');
  const params: unknown[] = [box.currentPrefix, options.batchSize];
  let afterClause = '';
  if (options.after) {
    afterClause = `AND (${keys.join(', ')}) > (${options.after.map((_, i) => `$${i + 3}`).join(', ')})`;
    params.push(...options.after);
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<Record<string, string>>(
      `SELECT ${read}, ${quote(c.column)} AS sealed__ FROM ${quote(c.table)}
        WHERE ${quote(c.column)} IS NOT NULL AND NOT starts_with(${quote(c.column)}, $1) ${afterClause}
        ORDER BY ${keys.join(', ')} LIMIT $2 FOR UPDATE${options.skipLocked ? ' SKIP LOCKED' : ''}`,
      params,
    );
    let resealed = 0;
    const unreadable: string[] = [];
    for (const row of rows) {
      const id = c.primaryKey.map((k) => row[k]!);
      const associatedData = c.associatedData(row);
      let value: Buffer;
      try {
        value = box.decrypt(row.sealed__!, associatedData);
      } catch {
        unreadable.push(JSON.stringify(id));
        continue;
      }
      await client.query(
        `UPDATE ${quote(c.table)} SET ${quote(c.column)} = $1 WHERE (${keys.join(', ')}) = (${id.map((_, i) => `$${i + 2}`).join(', ')})`,
        [box.encrypt(value, associatedData), ...id],
      );
      resealed++;
    }
    await client.query('COMMIT');
    const lastRow = rows.at(-1);
    return { rows: rows.length, resealed, unreadable, last: lastRow && c.primaryKey.map((k) => lastRow[k]!) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Re-seals every value of the column still sealed with an older key, in batches (resumable: what a
 * previous run finished is on the current key and skipped). A first pass skips rows a writer holds
 * locked, a second waits for them. `onBatch` is told the progress after each committed batch.
 */
export async function rotateSealedColumn(
  pool: Pool,
  box: SecretBox,
  c: SealedColumn,
  options: { batchSize: number; onBatch(progress: RotationProgress): void },
): Promise<RotationProgress> {
  const before = await countSealed(pool, box, c);
  const unreadable = new Set<string>();
  let resealed = 0;
  for (const skipLocked of [true, false]) {
    let after: string[] | undefined;
    for (;;) {
      const batch = await resealBatch(pool, box, c, { batchSize: options.batchSize, skipLocked, after });
      if (batch.rows === 0) break;
      after = batch.last;
      resealed += batch.resealed;
      for (const id of batch.unreadable) unreadable.add(id);
      options.onBatch({ resealed, skipped: before.onCurrentKey, remaining: Math.max(0, before.toReseal - resealed - unreadable.size), unreadable: unreadable.size });
    }
  }
  const after = await countSealed(pool, box, c);
  return { resealed, skipped: before.onCurrentKey, remaining: after.toReseal, unreadable: unreadable.size };
}
