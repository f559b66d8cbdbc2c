import { createPublicKey } from 'node:crypto';
import type { Pool, PoolClient } from '#platform/db/pool.ts';
import { canonicalize } from '#platform/canonical-json.ts';
import { ledgerVerifierKey } from './ledger-note-keys.ts';
import type { OutcomeSources } from './outcome-sources.ts';
import {
  hashLeaf,
  type LedgerLeafFields,
  ledgerLeaf,
  MemoryHashStore,
  openCheckpoint,
  prepareAppend,
  type StoredNode,
  subtreeIds,
} from './tlog/index.ts';

export type LedgerProblemCode =
  /** A position is missing, or an entry sits beyond the tree head. */
  | 'ENTRY_GAP'
  /** The stored leaf hash is not SHA-256(0x00 || leaf). */
  | 'LEAF_HASH_MISMATCH'
  /** The leaf is not the canonical encoding of an entry, or disagrees with its row's kind / public_id. */
  | 'MALFORMED_LEAF'
  /** The outcome row (e.g. `proofs`) no longer says what its leaf says. */
  | 'OUTCOME_MISMATCH'
  /** The outcome row behind a leaf is gone. */
  | 'OUTCOME_MISSING'
  /** An outcome decided while the ledger existed has no entry. */
  | 'OUTCOME_NOT_LOGGED'
  /** A stored subtree hash differs from the one recomputed from the leaves, or is missing or extra. */
  | 'NODE_MISMATCH'
  /** The tree head's root is not the root recomputed from the leaves. */
  | 'TREE_HEAD_MISMATCH'
  /** A checkpoint's root is not the root recomputed from the leaves at its size (or its size is beyond the tree). */
  | 'CHECKPOINT_MISMATCH'
  /** A checkpoint's signature does not verify, or its note does not say what its row says. */
  | 'CHECKPOINT_SIGNATURE';

export type LedgerProblem = { code: LedgerProblemCode; message: string; index?: number; treeSize?: number };

export type LedgerAuditReport = {
  ok: boolean;
  origin: string;
  treeSize: number;
  pending: number;
  checkpoints: number;
  /** Entries whose outcome row was compared with the leaf. */
  outcomesChecked: number;
  /** Entries of kinds without an outcome source (checked for structure only), by kind. */
  uncheckedKinds: Record<string, number>;
  problemCount: number;
  /** The first problems found (at most MAX_LISTED_PROBLEMS). */
  problems: LedgerProblem[];
};

export type LedgerAuditOptions = {
  /**
   * Verifier keys to check checkpoint signatures with (what clients pinned). Unset: the public
   * keys stored with the platform keys that signed them, which proves less against someone who
   * can also write that table.
   */
  trustedKeys?: readonly string[];
  /** Entries read per query. Default 5000. */
  chunkSize?: number;
};

const MAX_LISTED_PROBLEMS = 100;
const DEFAULT_CHUNK_SIZE = 5000;

type EntryRow = { id: number; idx: number | null; kind: string; public_id: string; leaf: Buffer; leaf_hash: Buffer | null };
type CheckpointRow = { tree_size: number; root_hash: Buffer; signed_note: string; key_id: string; public_key: string | null };

class Findings {
  readonly listed: LedgerProblem[] = [];
  count = 0;

  add(problem: LedgerProblem): void {
    this.count++;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(problem);
  }
}

/** The fields of a leaf, when it is exactly the canonical encoding of an entry. */
function parseLeaf(leaf: Buffer): LedgerLeafFields | undefined {
  try {
    const value = JSON.parse(leaf.toString('utf8')) as LedgerLeafFields;
    return ledgerLeaf(value).equals(leaf) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Recomputes the whole log from the leaves in the database and compares it with everything stored
 * about it: leaf hashes, subtree nodes, the tree head, every checkpoint (root and signature), and
 * each entry's outcome row. Read-only, on one consistent snapshot, O(n) time and O(chunk) memory.
 * `veridity verify-ledger` and the daily `ledger.audit` job run it.
 */
export async function auditLedger(deps: { pool: Pool; outcomeSources: OutcomeSources }, options: LedgerAuditOptions = {}): Promise<LedgerAuditReport> {
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const report = await audit(client, deps.outcomeSources, options);
    await client.query('COMMIT');
    return report;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function audit(db: PoolClient, sources: OutcomeSources, options: LedgerAuditOptions): Promise<LedgerAuditReport> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const findings = new Findings();
  const head = (await db.query<{ origin: string; tree_size: number; root_hash: Buffer }>('SELECT origin, tree_size, root_hash FROM ledger_tree_head')).rows[0];
  if (!head) throw new Error('the ledger tree head row is missing (migration 0004 not applied?)');
  const outcomes = new OutcomeCheck(db, sources, findings);
  const tree = new Recomputation(db, findings);
  const signatures = new CheckpointSignatures(head.origin, options.trustedKeys, findings);

  /** Recomputes the tree up to `size`, leaf by leaf; false (reported) when an entry is missing on the way. */
  let gapAt: number | undefined;
  const advanceTo = async (size: number): Promise<boolean> => {
    while (gapAt === undefined && tree.size < size) {
      const end = Math.min(size, tree.size + chunkSize);
      const rows = (await db.query<EntryRow>('SELECT id, idx, kind, public_id, leaf, leaf_hash FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx', [tree.size, end])).rows;
      await outcomes.check(rows);
      const leafHashes: Buffer[] = [];
      for (const row of rows) {
        if (row.idx !== tree.size + leafHashes.length) break;
        const leafHash = hashLeaf(row.leaf);
        if (!row.leaf_hash?.equals(leafHash)) findings.add({ code: 'LEAF_HASH_MISMATCH', index: row.idx, message: `entry ${row.idx}: the stored leaf hash is not the hash of its leaf` });
        leafHashes.push(leafHash);
      }
      await tree.append(leafHashes);
      if (tree.size < end) {
        gapAt = tree.size;
        findings.add({ code: 'ENTRY_GAP', index: gapAt, message: `no entry at position ${gapAt} of a tree of size ${head.tree_size}: the log cannot be recomputed past it` });
      }
    }
    return gapAt === undefined;
  };

  // Checkpoints in size order, a page at a time, each compared with the tree recomputed up to its size.
  let checkpointCount = 0;
  for (let after = -1; ; ) {
    const page = (
      await db.query<CheckpointRow>(
        `SELECT c.tree_size, c.root_hash, c.signed_note, c.key_id, k.public_key
           FROM ledger_checkpoints c LEFT JOIN platform_keys k ON k.id = c.key_id
          WHERE c.tree_size > $1 ORDER BY c.tree_size LIMIT $2`,
        [after, chunkSize],
      )
    ).rows;
    if (page.length === 0) break;
    for (const checkpoint of page) {
      const size = checkpoint.tree_size;
      signatures.check(checkpoint);
      if (size > head.tree_size) {
        findings.add({ code: 'CHECKPOINT_MISMATCH', treeSize: size, message: `checkpoint ${size} is beyond the tree head (size ${head.tree_size}): entries were removed` });
      } else if (!(await advanceTo(size))) {
        findings.add({ code: 'CHECKPOINT_MISMATCH', treeSize: size, message: `checkpoint ${size} lies past a missing entry: its root cannot be recomputed` });
      } else if (!(await tree.root()).equals(checkpoint.root_hash)) {
        findings.add({ code: 'CHECKPOINT_MISMATCH', treeSize: size, message: `checkpoint ${size}: its root is not the root recomputed from the leaves` });
      }
    }
    checkpointCount += page.length;
    after = page.at(-1)!.tree_size;
  }
  if ((await advanceTo(head.tree_size)) && !(await tree.root()).equals(head.root_hash)) {
    findings.add({ code: 'TREE_HEAD_MISMATCH', treeSize: head.tree_size, message: `the tree head's root is not the root recomputed from the ${head.tree_size} leaves` });
  }
  const beyond = await db.query<{ idx: number }>('SELECT idx FROM ledger_entries WHERE idx >= $1 ORDER BY idx LIMIT 1', [head.tree_size]);
  if (beyond.rows[0]) findings.add({ code: 'ENTRY_GAP', index: beyond.rows[0].idx, message: `entry ${beyond.rows[0].idx} is beyond the tree head (size ${head.tree_size})` });
  await tree.checkNoExtraNodes(head.tree_size);

  // Pending entries are outcomes too: their leaves must still match their rows.
  let lastId = 0;
  for (;;) {
    const rows = (await db.query<EntryRow>('SELECT id, idx, kind, public_id, leaf, leaf_hash FROM ledger_entries WHERE idx IS NULL AND id > $1 ORDER BY id LIMIT $2', [lastId, chunkSize])).rows;
    if (rows.length === 0) break;
    await outcomes.check(rows);
    outcomes.pending += rows.length;
    lastId = rows.at(-1)!.id;
  }
  await outcomes.checkUnlogged();
  return {
    ok: findings.count === 0,
    origin: head.origin,
    treeSize: head.tree_size,
    pending: outcomes.pending,
    checkpoints: checkpointCount,
    outcomesChecked: outcomes.checked,
    uncheckedKinds: outcomes.unchecked,
    problemCount: findings.count,
    problems: findings.listed,
  };
}

/** The Merkle tree rebuilt from leaf hashes, keeping only its frontier in memory; compares stored nodes as it goes. */
class Recomputation {
  size = 0;
  #frontier: StoredNode[] = [];
  readonly #db: PoolClient;
  readonly #findings: Findings;

  constructor(db: PoolClient, findings: Findings) {
    this.#db = db;
    this.#findings = findings;
  }

  #store(): MemoryHashStore {
    const store = new MemoryHashStore();
    store.putNodes(this.#frontier);
    return store;
  }

  async root(): Promise<Buffer> {
    return (await prepareAppend(this.#store(), this.size, [])).rootHash;
  }

  async append(leafHashes: Buffer[]): Promise<void> {
    const prepared = await prepareAppend(this.#store(), this.size, leafHashes);
    await this.#compareStored(prepared.nodes.filter((node) => node.level > 0));
    const known = new Map([...this.#frontier, ...prepared.nodes].map((node) => [`${node.level}/${node.index}`, node]));
    this.#frontier = subtreeIds({ begin: 0, size: prepared.treeSize }).map((id) => known.get(`${id.level}/${id.index}`)!);
    this.size = prepared.treeSize;
  }

  async #compareStored(nodes: StoredNode[]): Promise<void> {
    if (nodes.length === 0) return;
    const { rows } = await this.#db.query<{ ord: number; hash: Buffer | null }>(
      `SELECT v.ord::int AS ord, n.hash
         FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS v(level, idx, ord)
         LEFT JOIN ledger_nodes n ON n.level = v.level AND n.idx = v.idx`,
      [nodes.map((node) => node.level), nodes.map((node) => node.index)],
    );
    for (const row of rows) {
      const node = nodes[row.ord - 1]!;
      if (row.hash === null) this.#findings.add({ code: 'NODE_MISMATCH', message: `subtree node ${node.level}/${node.index} is missing` });
      else if (!row.hash.equals(node.hash)) this.#findings.add({ code: 'NODE_MISMATCH', message: `subtree node ${node.level}/${node.index} differs from the one recomputed from the leaves` });
    }
  }

  /** Nodes of subtrees the tree does not have (yet) can only come from tampering. */
  async checkNoExtraNodes(treeSize: number): Promise<void> {
    const { rows } = await this.#db.query<{ level: number; idx: number }>(
      'SELECT level, idx FROM ledger_nodes WHERE (idx + 1)::numeric * power(2::numeric, level) > $1 ORDER BY level, idx LIMIT 10',
      [treeSize],
    );
    for (const row of rows) this.#findings.add({ code: 'NODE_MISMATCH', message: `subtree node ${row.level}/${row.idx} lies beyond the tree (size ${treeSize})` });
  }
}

/** Compares each entry's leaf with its outcome row, for the kinds that have an outcome source. */
class OutcomeCheck {
  checked = 0;
  pending = 0;
  readonly unchecked: Record<string, number> = {};
  /** Earliest decision time logged per kind: outcomes since then must all be in the log. */
  readonly #since = new Map<string, Date>();
  readonly #db: PoolClient;
  readonly #sources: OutcomeSources;
  readonly #findings: Findings;

  constructor(db: PoolClient, sources: OutcomeSources, findings: Findings) {
    this.#db = db;
    this.#sources = sources;
    this.#findings = findings;
  }

  async check(rows: readonly EntryRow[]): Promise<void> {
    const byKind = new Map<string, { row: EntryRow; fields: LedgerLeafFields }[]>();
    for (const row of rows) {
      const where = row.idx === null ? `pending entry ${row.id}` : `entry ${row.idx}`;
      const fields = parseLeaf(row.leaf);
      if (!fields || fields.kind !== row.kind || fields.public_id !== row.public_id) {
        this.#findings.add({ code: 'MALFORMED_LEAF', ...(row.idx === null ? {} : { index: row.idx }), message: `${where}: the leaf is not the canonical entry for ${row.kind} ${row.public_id}` });
        continue;
      }
      if (!this.#sources.has(row.kind)) {
        this.unchecked[row.kind] = (this.unchecked[row.kind] ?? 0) + 1;
        continue;
      }
      const ts = new Date(fields.ts);
      const since = this.#since.get(row.kind);
      if (!since || ts < since) this.#since.set(row.kind, ts);
      const ofKind = byKind.get(row.kind) ?? [];
      ofKind.push({ row, fields });
      byKind.set(row.kind, ofKind);
    }
    for (const [kind, entries] of byKind) {
      const current = await this.#sources.get(kind)!.outcomes(this.#db, entries.map((entry) => entry.row.public_id));
      for (const { row, fields } of entries) {
        this.checked++;
        const where = row.idx === null ? `pending entry ${row.id}` : `entry ${row.idx}`;
        const index = row.idx === null ? {} : { index: row.idx };
        const outcome = current.get(row.public_id);
        if (!outcome) {
          this.#findings.add({ code: 'OUTCOME_MISSING', ...index, message: `${where}: ${kind} ${row.public_id} has no outcome row any more` });
        } else if (!ledgerLeaf(outcome).equals(row.leaf)) {
          this.#findings.add({ code: 'OUTCOME_MISMATCH', ...index, message: `${where}: ${kind} ${row.public_id} now reads ${canonicalize(describe(outcome))}, the log says ${canonicalize(describe(fields))}` });
        }
      }
    }
  }

  async checkUnlogged(): Promise<void> {
    for (const [kind, since] of this.#since) {
      const { count, examples } = await this.#sources.get(kind)!.unlogged(this.#db, since, 10);
      if (count > 0) {
        this.#findings.add({ code: 'OUTCOME_NOT_LOGGED', message: `${count} ${kind} outcome(s) since ${since.toISOString()} have no ledger entry, e.g. ${examples.join(', ')}` });
      }
    }
  }
}

function describe(fields: LedgerLeafFields): Record<string, string | null> {
  return { claim_type: fields.claim_type, status: fields.status, public_hash: fields.public_hash, ts: new Date(fields.ts).toISOString() };
}

/** Checks each checkpoint's signature: with the pinned keys, else with the key that signed it (cached per key). */
class CheckpointSignatures {
  readonly #origin: string;
  readonly #trustedKeys: readonly string[] | undefined;
  readonly #findings: Findings;
  readonly #verifierKeys = new Map<string, string>();

  constructor(origin: string, trustedKeys: readonly string[] | undefined, findings: Findings) {
    this.#origin = origin;
    this.#trustedKeys = trustedKeys;
    this.#findings = findings;
  }

  #keysFor(checkpoint: CheckpointRow): readonly string[] {
    if (this.#trustedKeys) return this.#trustedKeys;
    if (checkpoint.public_key === null) return [];
    let key = this.#verifierKeys.get(checkpoint.key_id);
    if (!key) {
      key = ledgerVerifierKey(this.#origin, createPublicKey(checkpoint.public_key));
      this.#verifierKeys.set(checkpoint.key_id, key);
    }
    return [key];
  }

  check(checkpoint: CheckpointRow): void {
    const size = checkpoint.tree_size;
    const keys = this.#keysFor(checkpoint);
    const opened = keys.length > 0 ? openCheckpoint(checkpoint.signed_note, keys) : ({ ok: false, message: `its key ${checkpoint.key_id} is gone` } as const);
    if (!opened.ok) {
      this.#findings.add({ code: 'CHECKPOINT_SIGNATURE', treeSize: size, message: `checkpoint ${size}: ${opened.message}` });
    } else if (opened.checkpoint.origin !== this.#origin || opened.checkpoint.treeSize !== size || !opened.checkpoint.rootHash.equals(checkpoint.root_hash)) {
      this.#findings.add({ code: 'CHECKPOINT_SIGNATURE', treeSize: size, message: `checkpoint ${size}: the signed note does not say what its row says` });
    }
  }
}
