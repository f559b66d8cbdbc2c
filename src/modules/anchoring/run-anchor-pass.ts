import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import { getLatestCheckpoint } from '#modules/ledger/get-latest-checkpoint.ts';
import type { ChainAnchorAdapter } from './anchor-adapter.ts';
import { tryLockAnchorWorker } from './anchor-lock.ts';
import { rpcErrorMessage } from './rpc-error-message.ts';

/** A checkpoint anchored deeply enough: what the certificates it covers are marked with. */
export type ConfirmedAnchor = {
  adapter: ChainAnchorAdapter['name'];
  chainId: number;
  txHash: string;
  blockNumber: number;
  fromAddress: string;
  toAddress: string;
  treeSize: number;
  rootHash: Buffer;
  confirmedAt: Date;
  /** The tree size of the newest anchor confirmed before this one (0: none): this anchor newly covers entries [coversFromTreeSize, treeSize). */
  coversFromTreeSize: number;
};

/** Marks what a confirmed anchor covers (the app wires in the certificates); in the transaction that confirms the anchor. Returns how many it marked. */
export type OnAnchorConfirmed = (tx: PoolClient, anchor: ConfirmedAnchor) => Promise<number>;

export type AnchorPassDeps = {
  pool: Pool;
  clock: Clock;
  log: Logger;
  adapter: ChainAnchorAdapter;
  /** ANCHOR_CONFIRMATIONS: blocks (the transaction's own included) before an anchor counts. */
  confirmations: number;
  /** ANCHOR_INTERVAL_SECONDS: least time between two anchoring transactions. */
  intervalSeconds: number;
  onConfirmed: OnAnchorConfirmed;
};

export type AnchorPass = {
  /** false: another process holds the anchor lock and does the work. */
  locked: boolean;
  submitted: number;
  resent: number;
  confirmed: number;
  anchoredCertificates: number;
};

type OpenAnchorRow = { checkpoint_tree_size: number; checkpoint_root: Buffer; chain_id: number; from_address: string; to_address: string; tx_hash: string; raw_transaction: Buffer };

async function recordSend(deps: AnchorPassDeps, row: { checkpoint_tree_size: number; raw_transaction: Buffer }): Promise<void> {
  let error: string | null = null;
  try {
    await deps.adapter.send(row.raw_transaction);
  } catch (failure) {
    error = rpcErrorMessage(failure);
    deps.log.warn({ tree_size: row.checkpoint_tree_size, error }, 'anchor transaction not sent; the next pass sends it again');
  }
  await deps.pool.query('UPDATE anchors SET attempts = attempts + 1, last_error = $3, updated_at = $4 WHERE adapter = $1 AND checkpoint_tree_size = $2', [
    deps.adapter.name,
    row.checkpoint_tree_size,
    error,
    deps.clock.now(),
  ]);
}

async function confirm(deps: AnchorPassDeps, row: OpenAnchorRow, blockNumber: number, confirmations: number): Promise<number> {
  const confirmedAt = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    const updated = await tx.query(
      `UPDATE anchors SET status = 'confirmed', block_number = $3, confirmations = $4, confirmed_at = $5, updated_at = $5, last_error = NULL
       WHERE adapter = $1 AND checkpoint_tree_size = $2 AND status = 'submitted'`,
      [deps.adapter.name, row.checkpoint_tree_size, blockNumber, confirmations, confirmedAt],
    );
    if (updated.rowCount === 0) return 0;
    const previous = await tx.query<{ tree_size: number | null }>(
      `SELECT max(checkpoint_tree_size) AS tree_size FROM anchors WHERE adapter = $1 AND status = 'confirmed' AND checkpoint_tree_size < $2`,
      [deps.adapter.name, row.checkpoint_tree_size],
    );
    return deps.onConfirmed(tx, {
      adapter: deps.adapter.name,
      chainId: row.chain_id,
      txHash: row.tx_hash,
      blockNumber,
      fromAddress: row.from_address,
      toAddress: row.to_address,
      treeSize: row.checkpoint_tree_size,
      rootHash: row.checkpoint_root,
      confirmedAt,
      coversFromTreeSize: previous.rows[0]?.tree_size ?? 0,
    });
  });
}

/** Follows every sent anchor: sends again what the chain lost, records its block and depth, confirms it once deep enough. */
async function trackOpenAnchors(deps: AnchorPassDeps, pass: AnchorPass): Promise<void> {
  const { rows } = await deps.pool.query<OpenAnchorRow>(
    `SELECT checkpoint_tree_size, checkpoint_root, chain_id, from_address, to_address, tx_hash, raw_transaction
     FROM anchors WHERE adapter = $1 AND status = 'submitted' ORDER BY checkpoint_tree_size`,
    [deps.adapter.name],
  );
  for (const row of rows) {
    let state;
    try {
      state = await deps.adapter.lookup(row.tx_hash);
    } catch (failure) {
      const error = rpcErrorMessage(failure);
      deps.log.warn({ tree_size: row.checkpoint_tree_size, tx_hash: row.tx_hash, error }, 'anchor transaction lookup failed');
      await deps.pool.query('UPDATE anchors SET last_error = $3, updated_at = $4 WHERE adapter = $1 AND checkpoint_tree_size = $2', [deps.adapter.name, row.checkpoint_tree_size, error, deps.clock.now()]);
      continue;
    }
    if (state.state === 'unknown') {
      await recordSend(deps, row);
      pass.resent += 1;
    } else if (state.state === 'mined' && !state.succeeded) {
      deps.log.error({ tree_size: row.checkpoint_tree_size, tx_hash: row.tx_hash, block: state.blockNumber }, 'anchor transaction reverted: the next checkpoint will be anchored instead');
      await deps.pool.query(
        `UPDATE anchors SET status = 'reverted', block_number = $3, confirmations = $4, last_error = 'the transaction was mined but reverted', updated_at = $5 WHERE adapter = $1 AND checkpoint_tree_size = $2`,
        [deps.adapter.name, row.checkpoint_tree_size, state.blockNumber, state.confirmations, deps.clock.now()],
      );
    } else if (state.state === 'mined' && state.confirmations >= deps.confirmations) {
      const marked = await confirm(deps, row, state.blockNumber, state.confirmations);
      pass.confirmed += 1;
      pass.anchoredCertificates += marked;
      deps.log.info({ tree_size: row.checkpoint_tree_size, tx_hash: row.tx_hash, block: state.blockNumber, certificates: marked }, 'checkpoint anchored');
    } else if (state.state === 'mined') {
      await deps.pool.query('UPDATE anchors SET block_number = $3, confirmations = $4, last_error = NULL, updated_at = $5 WHERE adapter = $1 AND checkpoint_tree_size = $2', [
        deps.adapter.name,
        row.checkpoint_tree_size,
        state.blockNumber,
        state.confirmations,
        deps.clock.now(),
      ]);
    }
  }
}

/**
 * Anchors the newest checkpoint when it is beyond the newest anchor (reverted ones aside) and that
 * one is ANCHOR_INTERVAL_SECONDS old. The transaction is signed, then recorded (hash and bytes),
 * then sent: a crash after the record leaves a row the next pass finds and sends, never a second
 * transaction. A checkpoint commits to every entry before it, so checkpoints skipped in between
 * are covered by the next anchor.
 */
async function submitNewestCheckpoint(deps: AnchorPassDeps, pass: AnchorPass): Promise<void> {
  const checkpoint = await getLatestCheckpoint(deps);
  if (!checkpoint || checkpoint.treeSize === 0) return;
  const newest = (
    await deps.pool.query<{ checkpoint_tree_size: number; created_at: Date }>(
      `SELECT checkpoint_tree_size, created_at FROM anchors WHERE adapter = $1 AND status <> 'reverted' ORDER BY checkpoint_tree_size DESC LIMIT 1`,
      [deps.adapter.name],
    )
  ).rows[0];
  const now = deps.clock.now();
  if (newest && (newest.checkpoint_tree_size >= checkpoint.treeSize || now.getTime() - newest.created_at.getTime() < deps.intervalSeconds * 1000)) return;
  let signed;
  try {
    signed = await deps.adapter.prepare(checkpoint.rootHash);
  } catch (failure) {
    deps.log.warn({ tree_size: checkpoint.treeSize, error: rpcErrorMessage(failure) }, 'could not prepare the anchor transaction; the next pass tries again');
    return;
  }
  const inserted = await deps.pool.query(
    `INSERT INTO anchors (adapter, checkpoint_tree_size, checkpoint_root, chain_id, from_address, to_address, tx_hash, raw_transaction, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT DO NOTHING`,
    [deps.adapter.name, checkpoint.treeSize, checkpoint.rootHash, signed.chainId, signed.fromAddress, signed.toAddress, signed.txHash, signed.raw, now],
  );
  if (inserted.rowCount === 0) return;
  deps.log.info({ tree_size: checkpoint.treeSize, tx_hash: signed.txHash, chain_id: signed.chainId }, 'anchoring checkpoint');
  await recordSend(deps, { checkpoint_tree_size: checkpoint.treeSize, raw_transaction: signed.raw });
  pass.submitted += 1;
}

/** One pass of the anchor worker, under its lock: follow the anchors in flight, then anchor the newest checkpoint when due. */
export async function runAnchorPass(deps: AnchorPassDeps): Promise<AnchorPass> {
  const pass: AnchorPass = { locked: false, submitted: 0, resent: 0, confirmed: 0, anchoredCertificates: 0 };
  const lock = await deps.pool.connect();
  try {
    await lock.query('BEGIN');
    if (!(await tryLockAnchorWorker(lock))) return pass;
    pass.locked = true;
    await trackOpenAnchors(deps, pass);
    await submitNewestCheckpoint(deps, pass);
    return pass;
  } finally {
    await lock.query('ROLLBACK').catch(() => undefined);
    lock.release();
  }
}
