/**
 * The README's "Signed evidence" section against the code, without a server
 * (test/readme-evidence.test.ts runs its walkthrough against one): the erasure report the
 * walkthrough signs is valid erasure-report/v1, and the section names exactly the codes the
 * verifier, the submission API and the trust-anchor inspection answer with.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EVIDENCE_REJECTION_CODES, validateErasureReport, type TrustAnchorRefusal } from './verification/index.ts';
import type { EvidenceFailureCode } from './finish-evidence.ts';
import { REFUSAL_REASONS } from './schema.ts';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('### Signed evidence'), readme.indexOf('### Certificates'));

/** Every code the lists below name; the compiler checks each list is complete. */
const TRUST_ANCHOR_REFUSALS = ['UNPARSABLE', 'NOT_A_CA', 'EXPIRED', 'NOT_YET_VALID', 'WEAK_KEY', 'UNSUPPORTED_KEY', 'UNSUPPORTED_CRITICAL_EXTENSION', 'LIMIT_EXCEEDED'] as const;
const FAILURE_CODES = ['VERIFICATION_TIMEOUT', 'INTERNAL_ERROR'] as const;
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
const everyRefusalListed: Missing<TrustAnchorRefusal, (typeof TRUST_ANCHOR_REFUSALS)[number]> = true;
const everyFailureListed: Missing<EvidenceFailureCode, (typeof FAILURE_CODES)[number]> = true;

test('the erasure report the walkthrough signs is valid erasure-report/v1, and its "wipe" edit fails where the walkthrough says', () => {
  const report = /cat > report\.json <<'EOF'\n([\s\S]*?)\nEOF\n/.exec(section)?.[1];
  assert.ok(report, 'the walkthrough writes report.json with a heredoc');
  const valid = validateErasureReport(JSON.parse(report));
  assert.equal(valid.ok, true, JSON.stringify(valid));

  assert.match(section, /sed 's\/"purge"\/"wipe"\/' report\.json > invalid\.json/);
  assert.match(section, /submit invalid\.der +# rejected CONTENT_INVALID \/sanitization\/method$/m);
  assert.deepEqual(validateErasureReport(JSON.parse(report.replace('"purge"', '"wipe"'))), {
    ok: false,
    path: '/sanitization/method',
    message: 'Invalid option: expected one of "clear"|"purge"|"destroy"',
  });
});

test("the rejection table lists exactly the verifier's codes", () => {
  const table = /\| `error_code` \(rejected\) \| when \|\n\|---\|---\|\n((?:\|.*\n)+)/.exec(section)?.[1];
  assert.ok(table, 'the section has the rejection table');
  const listed = table.split('\n').flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]!));
  assert.deepEqual([...listed].sort(), Object.keys(EVIDENCE_REJECTION_CODES).sort());
});

test('the section names every refusal at the door, trust-anchor refusal and failure code', () => {
  assert.ok(everyRefusalListed && everyFailureListed);
  for (const code of [...REFUSAL_REASONS, ...TRUST_ANCHOR_REFUSALS, 'TOO_MANY', ...FAILURE_CODES]) {
    assert.ok(section.includes(`\`${code}\``), `the README's Signed evidence section names ${code}`);
  }
});
