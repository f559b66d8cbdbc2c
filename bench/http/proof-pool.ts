// The valid proofs the HTTP bench sends: made before the run, in parallel child processes, and
// cached on disk for the day (a proof carries today's date, so a cache never outlives it).
import { fork } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import type * as snarkjs from 'snarkjs';
import { toYyyymmdd } from '#modules/zk/credentials/attributes.ts';
import { generateIssuerKey, type IssuerKey } from '#modules/zk/credentials/generate-issuer-key.ts';

export const BENCH_DOMAIN = 'bench.example';

/** One holder proof; a partner-chosen nonce is single-use per partner, so it serves every partner once. */
export type PooledProof = { nonce: string; proof: snarkjs.Groth16Proof; publicSignals: string[] };

export type ProofPool = { date: number; issuer: IssuerKey; proofs: PooledProof[] };

const CACHE_DIR = path.join(tmpdir(), 'veridity-bench-http');

/** At least `size` valid proofs of today (UTC), reusing the cached ones; makes only the missing ones. */
export async function loadProofPool(size: number, log: (line: string) => void): Promise<ProofPool> {
  const date = toYyyymmdd(new Date());
  const file = path.join(CACHE_DIR, `proof-pool-${date}.json`);
  const cached = await readFile(file, 'utf8').then((text) => JSON.parse(text) as ProofPool, () => undefined);
  const pool: ProofPool = cached?.date === date ? cached : { date, issuer: await generateIssuerKey(), proofs: [] };
  const missing = size - pool.proofs.length;
  if (missing > 0) {
    const started = performance.now();
    log(`making ${missing} proofs (${pool.proofs.length} cached for ${date}) in ${availableParallelism()} processes...`);
    pool.proofs.push(...(await proveInParallel(pool.issuer, missing)));
    log(`  done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    await mkdir(CACHE_DIR, { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify(pool));
    await rename(`${file}.tmp`, file);
  }
  return { ...pool, proofs: pool.proofs.slice(0, size) };
}

async function proveInParallel(issuer: IssuerKey, count: number): Promise<PooledProof[]> {
  const processes = Math.min(availableParallelism(), count);
  const shares = Array.from({ length: processes }, (_, i) => Math.floor(count / processes) + (i < count % processes ? 1 : 0));
  const batches = await Promise.all(shares.map((share) => proveInChild(issuer, share)));
  return batches.flat();
}

function proveInChild(issuer: IssuerKey, count: number): Promise<PooledProof[]> {
  const proofs: PooledProof[] = [];
  const child = fork(path.join(import.meta.dirname, 'prove-worker.ts'), [issuer.privateKey, String(count)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('message', (message) => proofs.push(message as PooledProof));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 && proofs.length === count ? resolve(proofs) : reject(new Error(`prove worker exited with ${code} after ${proofs.length}/${count} proofs`)))),
  );
}
