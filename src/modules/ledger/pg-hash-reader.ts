import type { Pool, PoolClient } from '#platform/db/pool.ts';
import type { HashReader, NodeId } from './tlog/index.ts';

/**
 * The tlog HashReader over PostgreSQL: level-0 hashes are the sequenced entries' leaf hashes,
 * higher levels are rows of ledger_nodes. One query per getNodes() call, whatever the count.
 */
export function pgHashReader(db: Pool | PoolClient): HashReader {
  return {
    async getNodes(ids: readonly NodeId[]): Promise<Buffer[]> {
      if (ids.length === 0) return [];
      const { rows } = await db.query<{ ord: number; hash: Buffer | null }>(
        `SELECT v.ord::int AS ord, CASE WHEN v.level = 0 THEN e.leaf_hash ELSE n.hash END AS hash
           FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS v(level, idx, ord)
           LEFT JOIN ledger_nodes n ON v.level > 0 AND n.level = v.level AND n.idx = v.idx
           LEFT JOIN ledger_entries e ON v.level = 0 AND e.idx = v.idx`,
        [ids.map((id) => id.level), ids.map((id) => id.index)],
      );
      const hashes: Buffer[] = new Array(ids.length);
      for (const row of rows) if (row.hash) hashes[row.ord - 1] = row.hash;
      for (let i = 0; i < ids.length; i++) {
        // Every node asked for is complete by construction: a gap is corruption, never a default.
        if (!hashes[i]) throw new Error(`ledger node ${ids[i]!.level}/${ids[i]!.index} is missing from the database`);
      }
      return hashes;
    },
  };
}
