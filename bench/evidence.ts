/**
 * Signed evidence: CMS verification against openssl, and certificates end to end.
 *
 * 1. CMS verification per second, Veridity's verifier in process against `openssl cms -verify`
 *    on the same committed openssl-made documents and trust (bench/evidence/cms-verification.ts):
 *    openssl as one process per document (spawned from Node, and from a shell loop) and, when a C
 *    compiler and the OpenSSL headers are there, libcrypto's CMS_verify in one process over many
 *    documents, so the process start-up cost shows apart from the verification.
 *    `cms_verify_ratio_vs_openssl` = in process / `openssl cms -verify` per document (shell loop).
 * 2. Certificates per second end to end (bench/evidence/certificate-pipeline.ts): BENCH_DOCUMENTS
 *    distinct openssl-signed erasure reports submitted with the API's use case on a real PostgreSQL,
 *    certified by the production evidence worker loop with the ledger sequencer running, then each
 *    certificate's signed PDF rendered as the download route renders it.
 *    Last line: evidence_certificates_per_s=<first submission .. last PDF>.
 *
 * Environment: TEST_DATABASE_URL / DATABASE_URL (a scratch database is created and dropped), else
 * an embedded PostgreSQL in a temp dir; BENCH_DOCUMENTS (300), BENCH_STATIONS (10 signer
 * certificates), BENCH_SUBMITTERS (8 concurrent submissions), BENCH_PDF_CONCURRENCY (2 concurrent
 * downloads), BENCH_VERIFY_SECONDS (2 per row and round), BENCH_TIMEOUT_SECONDS (900);
 * EVIDENCE_WORKER_CONCURRENCY and LEDGER_CHECKPOINT_SECONDS as the worker reads them.
 * Needs `openssl` on PATH; no network.
 *
 * Run: npm run bench:evidence
 */
import { availableParallelism, loadavg } from 'node:os';
import { createLogger } from '../src/platform/logger.ts';
import { measureCertificatePipeline } from './evidence/certificate-pipeline.ts';
import { measureCmsVerification, type VerificationRow } from './evidence/cms-verification.ts';

const positive = (name: string, fallback: number, integer: boolean): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return value;
};
const DOCUMENTS = positive('BENCH_DOCUMENTS', 300, true);
const STATIONS = positive('BENCH_STATIONS', 10, true);
const SUBMITTERS = positive('BENCH_SUBMITTERS', 8, true);
const PDF_CONCURRENCY = positive('BENCH_PDF_CONCURRENCY', 2, true);
const VERIFY_SECONDS = positive('BENCH_VERIFY_SECONDS', 2, false);
const TIMEOUT_SECONDS = positive('BENCH_TIMEOUT_SECONDS', 900, false);
const VERIFY_ROUNDS = 3;
const WARMUP_DOCUMENTS = Math.min(20, Math.max(5, Math.ceil(DOCUMENTS / 10)));

const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');
const deadline = performance.now() + TIMEOUT_SECONDS * 1000;
console.log(`Signed evidence bench: ${availableParallelism()} cores, load average ${load()} (1, 5, 15 min)`);

// ---------------------------------------------------------------- 1. CMS verification
const verification = await measureCmsVerification({ budgetSeconds: VERIFY_SECONDS, rounds: VERIFY_ROUNDS });
const rows = [verification.inProcess, verification.opensslSpawned, verification.opensslShellLoop, ...(verification.libcryptoLoop ? [verification.libcryptoLoop] : [])];
const printRow = (row: VerificationRow) =>
  console.log(`  ${row.label.padEnd(62)} ${row.perSecond.toFixed(1).padStart(9)}  ${Number.isNaN(row.cpuMsPerVerification) ? '     n/a' : row.cpuMsPerVerification.toFixed(3).padStart(8)}`);
console.log(`\n1. CMS verification, one at a time, median of ${VERIFY_ROUNDS} rounds of ~${VERIFY_SECONDS} s; documents: ${verification.documents.join(', ')}`);
console.log(`  ${'row'.padEnd(62)} ${'verif./s'.padStart(9)}  ${'CPU ms/verif.'.padStart(8)}`);
rows.forEach(printRow);
if (verification.libcryptoSkipped) console.log(`  libcrypto one-process row skipped: ${verification.libcryptoSkipped}`);
const ratio = (baseline: VerificationRow) => verification.inProcess.perSecond / baseline.perSecond;
const cpuRatio = (baseline: VerificationRow) => baseline.cpuMsPerVerification / verification.inProcess.cpuMsPerVerification;
console.log(`  in process / openssl CLI per document: ${ratio(verification.opensslShellLoop).toFixed(2)}x (sh loop), ${ratio(verification.opensslSpawned).toFixed(2)}x (Node spawn); by CPU time ${cpuRatio(verification.opensslShellLoop).toFixed(2)}x`);
if (verification.libcryptoLoop) {
  console.log(`  in process / libcrypto in one process (no process start-up): ${ratio(verification.libcryptoLoop).toFixed(2)}x; by CPU time ${cpuRatio(verification.libcryptoLoop).toFixed(2)}x`);
  console.log(`cms_verify_ratio_vs_libcrypto_one_process=${ratio(verification.libcryptoLoop).toFixed(2)}`);
}
console.log(`cms_verify_ratio_vs_openssl=${ratio(verification.opensslShellLoop).toFixed(2)}`);

// ---------------------------------------------------------------- 2. certificates end to end
// Quiet: dropping the scratch database at the end cuts pg-boss connections a closing pool still holds.
const pipeline = await measureCertificatePipeline({
  documents: DOCUMENTS,
  warmupDocuments: WARMUP_DOCUMENTS,
  stations: STATIONS,
  submitters: SUBMITTERS,
  pdfConcurrency: PDF_CONCURRENCY,
  signingConcurrency: availableParallelism(),
  deadline,
  log: createLogger('error'),
});
const perSecond = (seconds: number) => (pipeline.documents / seconds).toFixed(1);
const pdfPhase = pipeline.pdfsAt - pipeline.receiptsAt;
console.log(
  `\n2. Certificates end to end: ${pipeline.documents} distinct documents (openssl cms -sign, ${STATIONS} station certificates, ${pipeline.signedPerSecond.toFixed(0)} signed/s before the clock), ` +
    `${pipeline.embeddedPostgres ? 'embedded PostgreSQL' : 'PostgreSQL server'}, objects on the file system; ${SUBMITTERS} concurrent submissions, ` +
    `EVIDENCE_WORKER_CONCURRENCY=${pipeline.evidenceWorkerConcurrency}, LEDGER_CHECKPOINT_SECONDS=${pipeline.checkpointSeconds}, ${PDF_CONCURRENCY} concurrent PDF downloads; after ${WARMUP_DOCUMENTS} warm-up documents`,
);
console.log(`  submitted (row + job committed)       ${pipeline.submittedAt.toFixed(2).padStart(7)} s   ${perSecond(pipeline.submittedAt).padStart(7)} submissions/s`);
console.log(
  `  certified (submission -> certified)   ${pipeline.certifiedAt.toFixed(2).padStart(7)} s   ${perSecond(pipeline.certifiedAt).padStart(7)} certified/s ` +
    `(${(pipeline.documents / pipeline.certifiedAt / pipeline.evidenceWorkerConcurrency).toFixed(2)}/s per worker lane)`,
);
console.log(`  receipts (checkpoint covers all)      ${pipeline.receiptsAt.toFixed(2).padStart(7)} s   (${(pipeline.receiptsAt - pipeline.certifiedAt).toFixed(2)} s after the last certification)`);
console.log(`  PDFs rendered and stored              ${pipeline.pdfsAt.toFixed(2).padStart(7)} s   ${perSecond(pdfPhase).padStart(7)} PDFs/s over the ${pdfPhase.toFixed(2)} s of rendering; ${(pipeline.pdfBytes / 1024).toFixed(1)} KiB each`);
console.log(`  end to end (first submission -> last PDF): ${perSecond(pipeline.pdfsAt)} certificates/s; this process ${((pipeline.cpuSeconds * 1000) / pipeline.documents).toFixed(1)} CPU ms per certificate (PostgreSQL not counted)`);
console.log(`  ${pipeline.samplesVerified} sampled PDFs verified (platform signature, ledger inclusion, not revoked, PDF signature); load average at the end ${pipeline.loadAverage.map((v) => v.toFixed(2)).join(' ')}`);
console.log(`evidence_certificates_per_s=${perSecond(pipeline.pdfsAt)}`);
