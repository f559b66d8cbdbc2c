import type { AnchorConfig } from '#src/config.ts';
import type { AnchorAdapter } from '#modules/anchoring/anchor-adapter.ts';
import type { OnAnchorConfirmed } from '#modules/anchoring/run-anchor-pass.ts';
import { ANCHOR_TYPE } from '#modules/certificates/document/certificate-anchor.ts';
import { markCertificatesAnchored } from '#modules/certificates/mark-certificates-anchored.ts';

/** The adapter ANCHOR_ADAPTER names, with its (start-up validated) settings; `evm` loads viem when it starts. */
export async function anchorAdapter(config: AnchorConfig): Promise<AnchorAdapter> {
  if (config.adapter === 'noop') return { name: 'noop' };
  const { createEvmAnchorAdapter } = await import('#modules/anchoring/evm-anchor-adapter.ts');
  return createEvmAnchorAdapter({ rpcUrl: config.rpcUrl, privateKey: config.privateKey, toAddress: config.toAddress });
}

/**
 * The anchor worker's confirmation step, wired here to the certificates module (neither module
 * imports the other): the certificates whose ledger entries a confirmed anchor newly covers become
 * ANCHORED with its reference, in the transaction that confirms the anchor.
 */
export const certificatesOnAnchorConfirmed: OnAnchorConfirmed = (tx, anchor) =>
  markCertificatesAnchored(tx, {
    fromIndex: anchor.coversFromTreeSize,
    toIndex: anchor.treeSize,
    anchoredAt: anchor.confirmedAt,
    anchor: {
      type: ANCHOR_TYPE,
      adapter: anchor.adapter,
      chain_id: anchor.chainId,
      transaction: anchor.txHash,
      block_number: anchor.blockNumber,
      from: anchor.fromAddress,
      to: anchor.toAddress,
      checkpoint: { tree_size: anchor.treeSize, root_hash: `0x${anchor.rootHash.toString('hex')}` },
      anchored_at: anchor.confirmedAt.toISOString(),
    },
  });
