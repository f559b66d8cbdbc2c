/**
 * CMS verification throughput: Veridity's verifier in this process against `openssl cms -verify`
 * on the same documents, the same trust material and the same time of validation.
 *
 * Documents: the committed openssl-made vectors that must verify (valid erasure reports: EC P-256
 * embedded and detached, EC P-384, RSA PKCS#1 v1.5, RSA-PSS; see fixtures/PROVENANCE.md), in turn.
 * Trust: anchors EC root + RSA root, the CRLs of the EC intermediate and root, the TSA root (the
 * worker's EvidenceTrust as loaded from the database); openssl gets the same certificates and CRLs
 * in its -CAfile and -crl_check_all for the EC chains (whose CAs both publish a CRL there; the RSA
 * root publishes none, so for RSA neither side has a CRL to check). Time of validation: the
 * vectors' fixed instant (VECTORS_VERIFY_AT; openssl -attime), so the run does not age.
 *
 * Rows, each a single stream (one verification at a time), as many verifications as fit in the
 * time budget, ROUNDS interleaved rounds, medians:
 * - verifySignedEvidence in this thread (what the evidence worker calls);
 * - `openssl cms -verify`, one process per document, spawned from Node (exit code checked);
 * - the same command in a `sh -c` loop (exit code checked by the shell): the CLI's cost per
 *   document without Node's spawn overhead, the baseline of the ratio;
 * - libcrypto's CMS_verify in one process over many documents (bench/evidence/cms-verify-loop.c,
 *   the calls `openssl cms -verify` makes, built with `cc` when there is one): openssl's
 *   verification cost without any process start-up.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifySignedEvidence } from '../../src/modules/evidence/verification/index.ts';
import { readVector, VECTORS_VERIFY_AT, vectorsTrust } from '../../src/modules/evidence/verification/test-vectors.ts';
import { childCpuSeconds } from './child-cpu.ts';
import { runChecked, runProcess } from './run-process.ts';

const FIXTURES = fileURLToPath(new URL('../../src/modules/evidence/verification/fixtures/', import.meta.url));
const HARNESS_SOURCE = fileURLToPath(new URL('./cms-verify-loop.c', import.meta.url));

type VerificationDocument = { der: string; content?: string; checkCrls: boolean };
const DOCUMENTS: VerificationDocument[] = [
  { der: 'ec-embedded.der', checkCrls: true },
  { der: 'ec-detached.der', content: 'erasure-report.json', checkCrls: true },
  { der: 'ec-p384-sha384.der', checkCrls: true },
  { der: 'rsa-pkcs1.der', checkCrls: false },
  { der: 'rsa-pss.der', checkCrls: false },
];
const TRUST_FILES = ['ec-root-ca.pem', 'rsa-root-ca.pem', 'ec-intermediate-ca.crl.pem', 'ec-root-ca.crl.pem'];
const ATTIME = String(Math.floor(VECTORS_VERIFY_AT.getTime() / 1000));

export type VerificationRow = { label: string; perSecond: number; cpuMsPerVerification: number };
export type CmsVerificationResult = {
  documents: string[];
  inProcess: VerificationRow;
  opensslSpawned: VerificationRow;
  opensslShellLoop: VerificationRow;
  /** Undefined when no C compiler or OpenSSL headers were found (reason in `libcryptoSkipped`). */
  libcryptoLoop?: VerificationRow;
  libcryptoSkipped?: string;
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fixture = (name: string) => path.join(FIXTURES, name);
const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

function opensslArgs(document: VerificationDocument, trustFile: string): string[] {
  return [
    'cms', '-verify', '-binary', '-inform', 'DER', '-in', fixture(document.der),
    ...(document.content ? ['-content', fixture(document.content)] : []),
    '-CAfile', trustFile, ...(document.checkCrls ? ['-crl_check_all'] : []),
    '-attime', ATTIME, '-purpose', 'any', '-out', '/dev/null',
  ];
}

type Sample = { verifications: number; wallSeconds: number; cpuSeconds: number };

/** Repeats `verifyAll` (every document once) until the budget is spent. */
async function timed(budgetSeconds: number, verifyAll: () => Promise<number>, cpu: () => number): Promise<Sample> {
  const cpuBefore = cpu();
  const started = performance.now();
  let verifications = 0;
  while (performance.now() - started < budgetSeconds * 1000) verifications += await verifyAll();
  return { verifications, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: cpu() - cpuBefore };
}

/** Runs `runRounds(n)` (n passes over the documents in one command) once to calibrate, then for about the budget. */
async function calibrated(budgetSeconds: number, runRounds: (rounds: number) => Promise<Sample>): Promise<Sample> {
  const probe = await runRounds(2);
  const rounds = Math.max(1, Math.min(100_000, Math.round((budgetSeconds / probe.wallSeconds) * 2)));
  return runRounds(rounds);
}

const ownCpuSeconds = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};

export async function measureCmsVerification(options: { budgetSeconds: number; rounds: number }): Promise<CmsVerificationResult> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-bench-cms-'));
  try {
    const trustFile = path.join(scratch, 'trust.pem');
    await writeFile(trustFile, TRUST_FILES.map((name) => readVector(name).toString('utf8')).join('\n'));
    const trust = vectorsTrust({ now: VECTORS_VERIFY_AT });
    const inputs = DOCUMENTS.map((document) => ({ der: readVector(document.der), ...(document.content ? { detachedContent: readVector(document.content) } : {}) }));

    const inProcess = async (): Promise<number> => {
      for (const [index, input] of inputs.entries()) {
        const verdict = await verifySignedEvidence(input, trust);
        if (!verdict.ok) throw new Error(`verifySignedEvidence refused ${DOCUMENTS[index]!.der}: ${verdict.code} ${verdict.message}`);
      }
      return inputs.length;
    };
    const spawned = async (): Promise<number> => {
      for (const document of DOCUMENTS) await runChecked('openssl', opensslArgs(document, trustFile));
      return DOCUMENTS.length;
    };
    const loopScript = path.join(scratch, 'verify-loop.sh');
    const commands = DOCUMENTS.map((document) => `  openssl ${opensslArgs(document, trustFile).map(shellQuote).join(' ')} 2>/dev/null || exit 1`);
    await writeFile(loopScript, ['i=0', 'while [ "$i" -lt "$1" ]; do', ...commands, '  i=$((i + 1))', 'done', ''].join('\n'));
    const shellLoop = async (rounds: number): Promise<Sample> => {
      const cpuBefore = childCpuSeconds();
      const started = performance.now();
      await runChecked('sh', [loopScript, String(rounds)], { timeoutMs: 600_000 });
      return { verifications: rounds * DOCUMENTS.length, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: childCpuSeconds() - cpuBefore };
    };
    const harness = path.join(scratch, 'cms-verify-loop');
    const built = await runProcess('cc', ['-O2', '-o', harness, HARNESS_SOURCE, '-lcrypto']).catch((error: Error) => ({ code: -1, stderr: error.message }));
    const libcryptoSkipped = built.code === 0 ? undefined : `cc -lcrypto failed (${built.stderr.trim().split('\n')[0]})`;
    const harnessArgs = [trustFile, ATTIME, '', ...DOCUMENTS.flatMap((document) => [document.checkCrls ? 'crl' : 'nocrl', fixture(document.der), document.content ? fixture(document.content) : '-'])];
    const libcryptoLoop = async (rounds: number): Promise<Sample> => {
      harnessArgs[2] = String(rounds);
      const printed = (await runChecked(harness, harnessArgs, { timeoutMs: 600_000 })).toString('utf8');
      const field = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(printed)?.[1]);
      if (field('verified') !== rounds * DOCUMENTS.length) throw new Error(`cms-verify-loop: unexpected output ${printed}`);
      return { verifications: field('verified'), wallSeconds: field('wall_ns') / 1e9, cpuSeconds: field('cpu_ns') / 1e9 };
    };

    // Warm-up: JIT, the verifier's caches of parsed certificates and checked links (as a running worker has them), the page cache.
    for (let i = 0; i < 20; i++) await inProcess();
    await spawned();
    await shellLoop(1);
    if (!libcryptoSkipped) await libcryptoLoop(5);

    const samples: Record<'inProcess' | 'spawned' | 'shellLoop' | 'libcrypto', Sample[]> = { inProcess: [], spawned: [], shellLoop: [], libcrypto: [] };
    for (let round = 0; round < options.rounds; round++) {
      samples.inProcess.push(await timed(options.budgetSeconds, inProcess, ownCpuSeconds));
      samples.spawned.push(await timed(options.budgetSeconds, spawned, childCpuSeconds));
      samples.shellLoop.push(await calibrated(options.budgetSeconds, shellLoop));
      if (!libcryptoSkipped) samples.libcrypto.push(await calibrated(options.budgetSeconds, libcryptoLoop));
    }
    const row = (label: string, of: Sample[]): VerificationRow => ({
      label,
      perSecond: median(of.map((s) => s.verifications / s.wallSeconds)),
      cpuMsPerVerification: median(of.map((s) => (s.cpuSeconds * 1000) / s.verifications)),
    });
    return {
      documents: DOCUMENTS.map((document) => document.der),
      inProcess: row('Veridity verifySignedEvidence, in process', samples.inProcess),
      opensslSpawned: row('openssl cms -verify, one process per document (Node spawn)', samples.spawned),
      opensslShellLoop: row('openssl cms -verify, one process per document (sh loop)', samples.shellLoop),
      ...(libcryptoSkipped ? { libcryptoSkipped } : { libcryptoLoop: row('libcrypto CMS_verify, one process, many documents', samples.libcrypto) }),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
