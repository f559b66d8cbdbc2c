import { spawn } from 'node:child_process';
import path from 'node:path';
import { evmClient } from '#modules/anchoring/evm-transaction.ts';
import { freePort, ROOT, waitFor } from './processes.ts';

/** Anvil's well-known development account 0 (funded on every anvil chain; public knowledge, never a real key). */
export const ANVIL_DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const ANVIL_DEV_ADDRESS = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';

export type Anvil = { rpcUrl: string; mine(blocks: number): Promise<void>; transactionCount(address: string): Promise<number>; stop(): Promise<void> };

/** A local development chain (Anvil, from the @foundry-rs/anvil npm package) on a free loopback port; no internet needed. */
export async function startAnvil(): Promise<Anvil> {
  const port = await freePort();
  const child = spawn(path.join(ROOT, 'node_modules/.bin/anvil'), ['--host', '127.0.0.1', '--port', String(port), '--silent'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const client = evmClient(rpcUrl, 2_000);
  await waitFor(async () => client.getChainId().then(() => true, () => false), 30_000, 'anvil to answer');
  return {
    rpcUrl,
    async mine(blocks) {
      await client.request({ method: 'anvil_mine', params: [`0x${blocks.toString(16)}`] } as never);
    },
    async transactionCount(address) {
      return client.getTransactionCount({ address: address as `0x${string}` });
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
