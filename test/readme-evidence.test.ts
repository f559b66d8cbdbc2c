/**
 * The README's signed-evidence walkthrough, run as written against a real `veridity serve`: the
 * shell block under `<!-- evidence-walkthrough ... -->`, with only its three settings (server URL,
 * admin token, receiver port) filled in. It makes a CA and a station with openssl, uploads the
 * anchor, signs and submits an erasure report, waits for the certificate.issued webhook, downloads
 * the signed PDF, opens the verify page, checks the PDF offline, and shows each refusal with its code.
 * Everything the block promises in its comments must come out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cleanEnv, freePort, ROOT, runShell } from './support/processes.ts';
import { fillIn, readmeWalkthrough } from './support/readme-walkthrough.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';

const missingTool = ['curl', 'openssl'].find((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);

let serve: ServeProcess;
let scratch: string;

before(async () => {
  if (missingTool) return;
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-readme-evidence-'));
  // As the README says to start it: webhooks may go to a receiver on this machine.
  serve = await startServe(scratch, { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
});
after(async () => {
  if (missingTool) return;
  await serve.stop();
  await rm(scratch, { recursive: true, force: true });
});

test("the README's evidence walkthrough runs as written: certificate, webhook, PDF, verify page, offline check, refusals", { skip: missingTool && `${missingTool} is not installed`, timeout: 240_000 }, async () => {
  const block = await readmeWalkthrough('evidence-walkthrough');
  const script = fillIn(block, { VERIDITY_URL: serve.baseUrl, TOKEN: serve.adminToken, HOOK_PORT: String(await freePort()) });

  const env = cleanEnv({ TMPDIR: scratch, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` });
  const run = await runShell(script, { env, cwd: ROOT });
  const transcript = `${run.stdout}\n--- stderr ---\n${run.stderr}\n--- server ---\n${serve.server.output().slice(-4000)}`;
  assert.equal(run.code, 0, transcript);

  // Each `submit <file>  # <outcome>` line of the block: that outcome, for that file.
  const submissions = [...block.matchAll(/^submit (\S+) +# (.+)$/gm)];
  assert.equal(submissions.length, 4, 'the certified report and three rejections');
  for (const [, file, outcome] of submissions) {
    assert.match(run.stdout, new RegExp(`^${file!.replace('.', '\\.')}: evd_[0-9a-z]{26} ${outcome!.trim()} *$`, 'm'), transcript);
  }

  const promised = [
    /"event":"certificate\.issued","certificate_id":"crt_[0-9a-z]{26}"/,
    /^<h1>Valid<\/h1>$/m,
    /^ {2}pdf_signature +pass +signed by Veridity certificate signing, a --pdf-cert certificate$/m,
    /^ {2}certificate_signature +pass /m,
    /^ {2}ledger_receipt +pass /m,
    /^ {2}not_revoked +pass /m,
    /"error":"body: not DER: [^"]*","error_code":"VALIDATION_FAILED",.*"reason":"MALFORMED_CMS"/,
    /"error_code":"INVALID_TRUST_ANCHOR",.*"reason":"NOT_A_CA"/,
    /^200$/m,
    /^ {2}pdf_signature +fail +DIGEST_MISMATCH: /m,
    /^exit 1$/m,
    /^REVOKED$/m,
    /^<h1>Revoked<\/h1>$/m,
  ];
  let from = 0;
  for (const pattern of promised) {
    const found = pattern.exec(run.stdout.slice(from));
    assert.ok(found, `the walkthrough prints ${pattern} (after what came before)\n${transcript}`);
    from += found.index + found[0].length;
  }
  assert.match(run.stderr, /veridity: certificate INVALID: pdf_signature failed: DIGEST_MISMATCH/);
});
