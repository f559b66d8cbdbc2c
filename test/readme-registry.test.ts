/**
 * The README's agent-registry walkthrough, run as written against a real `veridity serve`: the
 * shell block under `<!-- registry-walkthrough ... -->`, with only its two settings (server URL,
 * admin token) filled in. With nothing but the repository's CLI, curl and node it registers an
 * agent with a signed ownership proof, records work on a verified zk proof, pays for it with x402,
 * gives feedback, shows the reputation change, finds the agent by capability and minimum score, and
 * checks the exported work history (and a tampered copy). Everything its comments promise must come out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cleanEnv, ROOT, runShell } from './support/processes.ts';
import { fillIn, readmeWalkthrough } from './support/readme-walkthrough.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';

const missingCurl = spawnSync('sh', ['-c', 'command -v curl']).status !== 0;

let serve: ServeProcess;
let scratch: string;

before(async () => {
  if (missingCurl) return;
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-readme-registry-'));
  serve = await startServe(scratch);
});
after(async () => {
  if (missingCurl) return;
  await serve.stop();
  await rm(scratch, { recursive: true, force: true });
});

test("the README's registry walkthrough runs as written: signed registration, verified and paid work, reputation, query, checked CAR", { skip: missingCurl && 'curl is not installed', timeout: 240_000 }, async () => {
  const block = await readmeWalkthrough('registry-walkthrough');
  assert.doesNotMatch(block, /\b(cast|jq)\b/, 'the walkthrough needs no Foundry or jq');
  const script = fillIn(block, { VERIDITY_URL: serve.baseUrl, TOKEN: serve.adminToken });

  const env = cleanEnv({ TMPDIR: scratch, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` });
  const run = await runShell(script, { env, cwd: ROOT });
  const transcript = `${run.stdout}\n--- stderr ---\n${run.stderr}\n--- server ---\n${serve.server.output().slice(-4000)}`;
  assert.equal(run.code, 0, transcript);

  const ID = '[0-9a-z]{26}';
  const CID = 'bagu[a-z2-7]+';
  const promised = [
    /^did:pkh:eip155:1:0x[0-9a-fA-F]{40}$/m,
    new RegExp(`^(agr_${ID}) verified$`, 'm'),
    /^score none confidence 0\.0000$/m,
    new RegExp(`^wrk_${ID} (${CID})$`, 'm'),
    /^score (0\.6667) confidence 0\.\d+\n {2}work\/verified: 1 event\(s\), positive 1\.00, negative 0\.00, counted 1\.00$/m,
    new RegExp(`^stl_${ID} verified$`, 'm'),
    /^settlement$/m,
    /^score (0\.\d+) confidence 0\.\d+\n {2}work\/paid_verified: 1 event\(s\), positive 4\.00, negative 0\.00, counted 4\.00\n {2}feedback\/paid_verified: 1 event\(s\), /m,
    new RegExp(`^(agr_${ID})\n\n`, 'm'),
    new RegExp(`^work-history\\.car: OK: root (${CID}), 1 record\\(s\\) of (agr_${ID}), every CID recomputed, the chain complete\n {2}#1 (${CID}) wrk_${ID} succeeded zk_proof zk_proof:prf_${ID} recorded `, 'm'),
    /^exit 1$/m,
  ];
  const found: RegExpExecArray[] = [];
  let from = 0;
  for (const pattern of promised) {
    const match = pattern.exec(run.stdout.slice(from));
    assert.ok(match, `the walkthrough prints ${pattern} (after what came before)\n${transcript}`);
    found.push(match);
    from += match.index + match[0].length;
  }
  const agent = found[1]![1];
  const workCid = found[3]![1];
  assert.ok(Number(found[7]![1]) > Number(found[4]![1]), `the paid work and feedback raise the score\n${transcript}`);
  assert.equal(found[8]![1], agent, 'min_score finds the agent');
  assert.deepEqual([found[9]![1], found[9]![2], found[9]![3]], [workCid, agent, workCid], 'the CAR root is the work record, of this agent');
  assert.match(run.stderr, /veridity: tampered\.car: INVALID: CID_MISMATCH: block bagu[a-z2-7]+: its bytes hash to bagu/, transcript);
});
