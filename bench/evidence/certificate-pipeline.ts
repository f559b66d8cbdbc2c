/**
 * Certificates end to end on a real PostgreSQL: submission -> certified -> signed PDF.
 *
 * - Submission: `submitEvidence`, the use case `POST /api/v1/proofs` runs after authentication
 *   (DER to object storage on the file system, then the row and its pg-boss job in one
 *   transaction), `submitters` at a time, as concurrent API requests.
 * - Certification: the production worker loop, started as `veridity worker evidence ledger`
 *   starts it (startWorkers with the `evidence` and `ledger` kinds, configuration from
 *   loadConfig: EVIDENCE_WORKER_CONCURRENCY, LEDGER_CHECKPOINT_SECONDS and their defaults):
 *   claim, verify against the partner's stored anchors, issue the certificate (JWS, ledger entry,
 *   usage, webhook outbox) in the worker's transaction; the sequencer logs the entries and signs
 *   checkpoints. Both run from before the first submission, as under `serve`.
 * - PDF: rendered on first download once a checkpoint covers the certificate (its receipt is in
 *   the PDF), by `getCertificatePdf`, what GET /api/v1/certificates/{id}/certificate.pdf calls
 *   (after getCertificate), `pdfConcurrency` downloads at a time, each stored in object storage.
 *
 * Every document is distinct (the same DER twice would be one submission): a bench PKI
 * (bench-pki.ts) signs distinct erasure reports with `openssl cms -sign` before the clock starts.
 * A warm-up batch goes through the whole path first (JIT, platform keys made on first use).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import client from 'prom-client';
import { startWorkers, type Workers } from '../../src/cli/worker.ts';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { createPlatformKeys } from '../../src/platform/crypto/platform-keys.ts';
import { createSecretBox } from '../../src/platform/crypto/secret-box.ts';
import { wrapPool } from '../../src/platform/db/database.ts';
import { runMigrations } from '../../src/platform/db/migrate.ts';
import { createPool } from '../../src/platform/db/pool.ts';
import type { Logger } from '../../src/platform/logger.ts';
import { createJobSender } from '../../src/platform/queue/job-sender.ts';
import { startQueue, type Queue } from '../../src/platform/queue/queue.ts';
import { createFileStorage } from '../../src/platform/storage/object-storage.ts';
import { CLI_ACTOR } from '../../src/modules/audit/record-audit.ts';
import { createClient } from '../../src/modules/clients/create-client.ts';
import { CERTIFICATE_KIND } from '../../src/modules/certificates/certificate-ledger.ts';
import { getCertificatePdf } from '../../src/modules/certificates/get-certificate-pdf.ts';
import { getCertificate } from '../../src/modules/certificates/get-certificate.ts';
import { PLATFORM_NAME } from '../../src/modules/certificates/issue-certificate.ts';
import { createPdfSigner } from '../../src/modules/certificates/pdf-signer.ts';
import { verifyCertificateDocument } from '../../src/modules/certificates/verify-certificate-document.ts';
import { addTrustAnchors } from '../../src/modules/evidence/add-trust-anchors.ts';
import { VerifyEvidenceJob } from '../../src/modules/evidence/jobs.ts';
import { submitEvidence } from '../../src/modules/evidence/submit-evidence.ts';
import { readVector } from '../../src/modules/evidence/verification/test-vectors.ts';
import { openBenchDatabase } from '../support/bench-database.ts';
import { createBenchPki } from './bench-pki.ts';
import { forEachConcurrently } from './run-process.ts';

export type PipelineOptions = {
  documents: number;
  warmupDocuments: number;
  stations: number;
  submitters: number;
  pdfConcurrency: number;
  signingConcurrency: number;
  /** performance.now() past which the run gives up. */
  deadline: number;
  log: Logger;
};

export type PipelineResult = {
  documents: number;
  embeddedPostgres: boolean;
  evidenceWorkerConcurrency: number;
  checkpointSeconds: number;
  signedPerSecond: number;
  /** Seconds from the first submission. */
  submittedAt: number;
  certifiedAt: number;
  receiptsAt: number;
  pdfsAt: number;
  /** CPU seconds of this process (submitters, worker, sequencer, renderer; PostgreSQL is not counted), first submission to last PDF. */
  cpuSeconds: number;
  loadAverage: number[];
  pdfBytes: number;
  samplesVerified: number;
};

const SAMPLE_PDFS_CHECKED = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Distinct erasure-report/v1 contents: the committed valid report with its ids and serial made unique. */
function erasureReports(count: number, run: string): Buffer[] {
  const template = JSON.parse(readVector('erasure-report.json').toString('utf8')) as { report_id: string; device: { serial: string } };
  return Array.from({ length: count }, (_, n) => {
    const report = structuredClone(template);
    report.report_id = `BENCH-${run}-${n}`;
    report.device.serial = `BENCH${run.toUpperCase()}${String(n).padStart(6, '0')}`;
    return Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
  });
}

/** Environment the workers' configuration is read from: only what they use, so an unrelated variable cannot fail the run. */
function workerConfig() {
  const names = ['EVIDENCE_WORKER_CONCURRENCY', 'LEDGER_CHECKPOINT_SECONDS'];
  const loaded = loadConfig(Object.fromEntries(names.map((name) => [name, process.env[name]])));
  if (!loaded.ok) throw new Error(`configuration: ${loaded.errors.join('; ')}`);
  return loaded.config;
}

export async function measureCertificatePipeline(options: PipelineOptions): Promise<PipelineResult> {
  const { log } = options;
  const until = async (check: () => Promise<boolean>, what: string) => {
    while (!(await check())) {
      if (performance.now() > options.deadline) throw new Error(`timed out waiting for ${what} (BENCH_TIMEOUT_SECONDS)`);
      await sleep(20);
    }
  };
  const database = await openBenchDatabase(log);
  const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-bench-evidence-'));
  const pool = createPool(database.url, { max: options.submitters + options.pdfConcurrency + 2, log });
  let queue: Queue | undefined;
  let workers: Workers | undefined;
  try {
    await runMigrations(pool);
    await mkdir(path.join(scratch, 'pki'));
    const db = wrapPool(pool);
    const clock = systemClock;
    const secretBox = createSecretBox([randomBytes(32)]);
    const storage = createFileStorage(path.join(scratch, 'objects'));
    const config = workerConfig();
    // A webhook endpoint, so each certifying transaction writes its outbox row as in production (no webhook worker runs: nothing is sent).
    const partner = await createClient({ db, clock, secretBox }, { name: 'Bench Recycler', scopes: ['evidence'], webhook_url: 'https://93.184.215.14/hooks' }, CLI_ACTOR);

    const pki = await createBenchPki(path.join(scratch, 'pki'), { stations: options.stations, concurrency: options.signingConcurrency });
    const anchors = await addTrustAnchors({ pool, clock }, { role: 'signing', clientId: partner.id }, pki.anchorPem, CLI_ACTOR);
    if (!anchors.ok) throw new Error(`the bench trust anchor was refused: ${anchors.reason} ${anchors.message}`);
    const reports = erasureReports(options.warmupDocuments + options.documents, randomBytes(4).toString('hex'));
    const signingStarted = performance.now();
    const ders: Buffer[] = new Array(reports.length);
    await forEachConcurrently(reports, options.signingConcurrency, async (report, n) => {
      ders[n] = await pki.sign(report, n);
    });
    const signedPerSecond = reports.length / ((performance.now() - signingStarted) / 1000);

    queue = await startQueue({ connectionString: database.url, log, schedule: false });
    const submitDeps = { pool, clock, storage, ensureQueue: createJobSender(async () => queue!, VerifyEvidenceJob).ready };
    const platformKeys = createPlatformKeys({ db, secretBox });
    const pdfSigner = createPdfSigner({ db, platformKeys, clock, platformName: PLATFORM_NAME });
    const pdfDeps = { pool, storage, pdfSigner, publicUrl: config.publicUrl };
    workers = await startWorkers({ config, log, clock, secretBox, databaseUrl: database.url, storage, registry: new client.Registry() }, ['evidence', 'ledger']);

    /** One batch through the whole path; seconds from its first submission to the end of each stage. */
    const run = async (batch: Buffer[]) => {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      const evidenceIds: string[] = [];
      await forEachConcurrently(batch, options.submitters, async (der, n) => {
        const submitted = await submitEvidence(submitDeps, { clientId: partner.id }, { der, filename: `report-${n}.p7m` });
        if (!submitted.ok || submitted.outcome !== 'accepted') throw new Error(`submission ${n}: ${submitted.ok ? submitted.outcome : `${submitted.code} ${submitted.message}`}`);
        evidenceIds.push(submitted.row.id);
      });
      const submittedAt = seconds();
      await until(async () => {
        const { rows } = await pool.query<{ certified: number; refused: string | null }>(
          `SELECT count(*) FILTER (WHERE status = 'certified')::int AS certified,
                  string_agg(id || ' ' || status || ' ' || coalesce(error_code, ''), '; ') FILTER (WHERE status IN ('rejected', 'failed')) AS refused
             FROM evidence_submissions WHERE id = ANY($1)`,
          [evidenceIds],
        );
        if (rows[0]!.refused) throw new Error(`submissions not certified: ${rows[0]!.refused.slice(0, 500)}`);
        return rows[0]!.certified === batch.length;
      }, 'every submission to be certified');
      const certifiedAt = seconds();
      const { rows: issued } = await pool.query<{ id: string; public_id: string }>('SELECT id, public_id FROM certificates WHERE evidence_id = ANY($1)', [evidenceIds]);
      if (issued.length !== batch.length) throw new Error(`${issued.length} certificates for ${batch.length} certified submissions`);
      // A PDF can be rendered once a signed checkpoint covers its certificate's ledger entry.
      await until(async () => {
        const { rows } = await pool.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM ledger_entries
            WHERE kind = $1 AND public_id = ANY($2) AND (idx IS NULL OR idx >= (SELECT coalesce(max(tree_size), 0) FROM ledger_checkpoints))`,
          [CERTIFICATE_KIND, issued.map((row) => row.public_id)],
        );
        return rows[0]!.waiting === 0;
      }, 'a ledger checkpoint covering every certificate');
      const receiptsAt = seconds();
      const pdfs: Buffer[] = [];
      await forEachConcurrently(issued, options.pdfConcurrency, async ({ id }) => {
        const row = await getCertificate({ db }, partner.id, id);
        const pdf = row && (await getCertificatePdf(pdfDeps, row));
        if (pdf?.state !== 'ready' || !pdf.pdf.subarray(0, 5).equals(Buffer.from('%PDF-'))) throw new Error(`certificate ${id}: no PDF (${pdf?.state ?? 'not found'})`);
        pdfs.push(pdf.pdf);
      });
      const pdfsAt = seconds();
      const cpu = process.cpuUsage(cpuBefore);
      return { submittedAt, certifiedAt, receiptsAt, pdfsAt, cpuSeconds: (cpu.user + cpu.system) / 1e6, pdfs };
    };

    await run(ders.slice(0, options.warmupDocuments));
    const measured = await run(ders.slice(options.warmupDocuments));
    const loadAverage = loadavg();
    // Not timed: a sample of the PDFs through the public verification (platform signature, ledger inclusion, not revoked, PDF signature).
    let samplesVerified = 0;
    for (const bytes of measured.pdfs.slice(0, SAMPLE_PDFS_CHECKED)) {
      const verification = await verifyCertificateDocument({ db, pool, platformKeys, pdfSigner }, { kind: 'pdf', bytes });
      if (!verification.valid) throw new Error(`a rendered PDF does not verify: ${JSON.stringify(verification.failures)}`);
      samplesVerified++;
    }
    return {
      documents: options.documents,
      embeddedPostgres: database.embedded,
      evidenceWorkerConcurrency: config.evidenceWorkerConcurrency,
      checkpointSeconds: config.ledgerCheckpointSeconds,
      signedPerSecond,
      submittedAt: measured.submittedAt,
      certifiedAt: measured.certifiedAt,
      receiptsAt: measured.receiptsAt,
      pdfsAt: measured.pdfsAt,
      cpuSeconds: measured.cpuSeconds,
      loadAverage,
      pdfBytes: measured.pdfs.reduce((sum, pdf) => sum + pdf.length, 0) / measured.pdfs.length,
      samplesVerified,
    };
  } finally {
    await workers?.stop({ timeoutMs: 10_000 });
    await queue?.stop({ graceful: false });
    await pool.end();
    await database.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
