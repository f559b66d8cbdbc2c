import { describe, expect, test } from 'vitest';
import { verifyCertificateBundle } from '../../../src/modules/certificates/document/certificate-bundle.ts';
import { signCertificate } from '../../../src/modules/certificates/document/sign-certificate.ts';
import { generateNoteKey } from '../../../src/modules/ledger/tlog/index.ts';
import { certificateBody, certificateLeaf, generateCertificateKey, LEDGER_ORIGIN, receiptFor } from '../../../test/support/certificates.ts';
import { checkCertificate, looksLikeCertificate, type RevocationStatus } from './check-certificate.ts';

/**
 * The console's certificate check (the SDK's verifyCertificate over WebCrypto, with its step
 * report and the online revocation step) against the server's offline check (node:crypto): real
 * certificates signed with real keys, with real ledger receipts, must get the same verdict and
 * failure code from both.
 */

const certificateKey = generateCertificateKey();
const ledgerKey = generateNoteKey(LEDGER_ORIGIN);
const jwks = { keys: [{ kty: 'OKP' as const, crv: 'Ed25519' as const, x: certificateKey.publicKey.export({ format: 'jwk' }).x!, kid: certificateKey.id, alg: 'EdDSA' as const, use: 'sig' as const }] };
const body = certificateBody();
const jws = signCertificate(body, certificateKey);
const { receipt } = await receiptFor(certificateLeaf(body), ledgerKey);
const bundle = { certificate: body, jws, receipt, anchor: null };
const { rootHash, treeSize } = (() => {
  const checkpoint = receipt.slice(receipt.indexOf('\n\n') + 2).split('\n');
  return { treeSize: Number(checkpoint[1]), rootHash: `0x${Buffer.from(checkpoint[2]!, 'base64').toString('hex')}` };
})();
const anchor = {
  type: 'veridity-ledger-anchor/v1',
  adapter: 'evm',
  chain_id: 11155111,
  transaction: `0x${'ab'.repeat(32)}`,
  block_number: 7412093,
  from: `0x${'11'.repeat(20)}`,
  to: `0x${'22'.repeat(20)}`,
  checkpoint: { tree_size: treeSize, root_hash: rootHash },
  anchored_at: '2025-06-01T11:00:00.000Z',
};

const statuses = (report: { steps: Array<{ id: string; status: string }> }) => Object.fromEntries(report.steps.map((step) => [step.id, step.status]));

/** Both verdicts (the server's first failure code, or OK), and the browser's report. */
async function bothCheck(document: string, options: { ledger?: string; askStatus?: (publicId: string) => Promise<RevocationStatus> } = {}) {
  const ledger = options.ledger ?? ledgerKey.verifierKey;
  const server = verifyCertificateBundle(document, { certificateKeys: [certificateKey], ledgerKeys: [ledger] });
  const browser = await checkCertificate(document, { certificateKeys: jwks, ledgerKey: ledger }, options.askStatus);
  return { server: server.failure?.code ?? 'OK', browser: browser.ok ? 'OK' : browser.failure?.code, report: browser };
}

describe('a genuine certificate', () => {
  test('passes every offline check, and the online one when the platform says valid', async () => {
    const asked: string[] = [];
    const { server, browser, report } = await bothCheck(JSON.stringify(bundle), { askStatus: async (publicId) => (asked.push(publicId), 'valid') });
    expect({ server, browser }).toEqual({ server: 'OK', browser: 'OK' });
    expect(statuses(report)).toEqual({ certificate_signature: 'passed', checkpoint_signature: 'passed', ledger_inclusion: 'passed', anchor: 'not_applicable', not_revoked: 'passed' });
    expect(report.steps.map((step) => step.where)).toEqual(['offline', 'offline', 'offline', 'offline', 'online']);
    expect(asked).toEqual([body.public_id]);
    expect(report.certificate).toEqual(body);
    expect(report.steps.find((step) => step.id === 'ledger_inclusion')?.detail).toMatch(/^entry 5 /);
  });

  test('as bytes (a dropped file), with an anchor that names its checkpoint, and offline only', async () => {
    const document = new TextEncoder().encode(JSON.stringify({ ...bundle, anchor }));
    const report = await checkCertificate(document, { certificateKeys: jwks, ledgerKey: ledgerKey.verifierKey });
    expect(report.ok).toBe(true);
    expect(statuses(report)).toMatchObject({ anchor: 'passed', not_revoked: 'not_run' });
    expect(report.steps.at(-1)?.detail).toMatch(/offline only/);
  });

  test('revoked, or unknown to the platform: refused by the online check alone', async () => {
    for (const [status, code] of [['revoked', 'REVOKED'], ['unknown', 'UNKNOWN_CERTIFICATE']] as const) {
      const { browser, report } = await bothCheck(JSON.stringify(bundle), { askStatus: async () => status });
      expect(browser).toBe(code);
      expect(statuses(report)).toMatchObject({ certificate_signature: 'passed', ledger_inclusion: 'passed', not_revoked: 'failed' });
      expect(report.status).toBe(status);
    }
  });

  test('the platform not answering leaves the offline verdict, and says revocation was not checked', async () => {
    const report = await checkCertificate(JSON.stringify(bundle), { certificateKeys: jwks, ledgerKey: ledgerKey.verifierKey }, async () => {
      throw new Error('network down');
    });
    expect(report.ok).toBe(true);
    expect(report.steps.at(-1)).toMatchObject({ status: 'not_run', detail: 'could not ask this server: network down' });
  });
});

describe('a tampered or foreign certificate is refused, with the code the server gives', () => {
  const otherBody = certificateBody({ public_id: 'd7k2m4q8r1t5v9x3z6b0d2f4h8jm5npq', ledger: { kind: 'certificate', public_id: 'd7k2m4q8r1t5v9x3z6b0d2f4h8jm5npq' } });
  const cases: Array<[string, () => Promise<string> | string, string, string]> = [
    ['the shown certificate changed (purge -> destroy)', () => JSON.stringify({ ...bundle, certificate: { ...body, report: { ...body.report!, method: 'destroy' } } }), 'CERTIFICATE_MISMATCH', 'certificate_signature'],
    [
      'the signed payload changed',
      () => {
        const [header, payload, signature] = jws.split('.');
        const changed = Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('"purge"', '"clear"')).toString('base64url');
        return JSON.stringify({ ...bundle, certificate: undefined, jws: `${header}.${changed}.${signature}` });
      },
      'BAD_SIGNATURE',
      'certificate_signature',
    ],
    ['signed by a key the page does not pin', () => JSON.stringify({ ...bundle, jws: signCertificate(body, generateCertificateKey()) }), 'UNKNOWN_KEY', 'certificate_signature'],
    ['a receipt of another certificate', async () => JSON.stringify({ ...bundle, receipt: (await receiptFor(certificateLeaf(otherBody), ledgerKey)).receipt }), 'ENTRY_MISMATCH', 'ledger_inclusion'],
    ['the receipt entry changed', () => JSON.stringify({ ...bundle, receipt: receipt.replace(/^extra .*$/m, `extra ${certificateLeaf(body, { status: 'revoked' }).toString('base64')}`) }), 'INCLUSION_MISMATCH', 'ledger_inclusion'],
    ['the checkpoint signature changed', () => JSON.stringify({ ...bundle, receipt: receipt.replace(/(\u2014 \S+ .{10})(.)/, (_m, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`) }), 'BAD_SIGNATURE', 'checkpoint_signature'],
    ['no receipt', () => JSON.stringify({ ...bundle, receipt: null }), 'RECEIPT_MISSING', 'checkpoint_signature'],
    ['the bare JWS (no receipt)', () => jws, 'RECEIPT_MISSING', 'checkpoint_signature'],
    ['an anchor of another checkpoint', () => JSON.stringify({ ...bundle, anchor: { ...anchor, checkpoint: { tree_size: treeSize + 1, root_hash: rootHash } } }), 'ANCHOR_CHECKPOINT_MISMATCH', 'anchor'],
    ['a certificate body without its JWS', () => JSON.stringify(body), 'MALFORMED_BUNDLE', 'certificate_signature'],
    ['not JSON', () => '{"jws": ', 'MALFORMED_BUNDLE', 'certificate_signature'],
  ];
  for (const [name, make, code, step] of cases) {
    test(name, async () => {
      let asked = false;
      const { server, browser, report } = await bothCheck(await make(), {
        askStatus: async () => {
          asked = true;
          return 'valid';
        },
      });
      expect({ server, browser }).toEqual({ server: code, browser: code });
      expect(report.steps.find((candidate) => candidate.status === 'failed')?.id).toBe(step);
      expect(report.steps.at(-1)?.status).toBe('not_run');
      expect(asked).toBe(false);
    });
  }

  test('a receipt signed for another ledger', async () => {
    const { server, browser, report } = await bothCheck(JSON.stringify(bundle), { ledger: generateNoteKey(LEDGER_ORIGIN).verifierKey });
    expect({ server, browser }).toEqual({ server: 'UNKNOWN_KEY', browser: 'UNKNOWN_KEY' });
    expect(statuses(report)).toMatchObject({ certificate_signature: 'passed', checkpoint_signature: 'failed', ledger_inclusion: 'not_run' });
  });
});

test('a certificate is told from a receipt by its text', () => {
  expect(looksLikeCertificate(JSON.stringify(bundle))).toBe(true);
  expect(looksLikeCertificate(`  ${jws}\n`)).toBe(true);
  expect(looksLikeCertificate(receipt)).toBe(false);
});
