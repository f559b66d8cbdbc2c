/**
 * Evidence trust anchors through HTTP: a partner's signing and TSA anchors, the operator's TSA
 * anchors. PEM bundles, DER and JSON uploads; refusals naming the reason with nothing changed;
 * add-or-keep semantics and one CRL per issuer; removal by id or fingerprint; tenancy; audit.
 * Certificates are the openssl-made verification fixtures; the CRL pair is made with openssl here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { LightMyRequestResponse } from 'fastify';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const FIXTURES = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures');
const pem = async (name: string) => (await readFile(path.join(FIXTURES, name))).toString();
const derOf = (text: string) => new X509Certificate(text).raw;
const fingerprint = (der: Buffer) => createHash('sha256').update(der).digest('hex');
const openssl = (...args: string[]) => promisify(execFile)('openssl', args);

let t: TestApp;
let key: string;
let scratch: string;

before(async () => {
  t = await createTestApp();
  key = (await createPartner(t, { name: 'Recycler', scopes: ['evidence'] })).api_key;
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-anchors-'));
});
after(async () => {
  await t.close();
  await rm(scratch, { recursive: true, force: true });
});

const request = (method: 'GET' | 'PUT' | 'DELETE', url: string, options: { body?: string | Buffer | object; type?: string; as?: string } = {}): Promise<LightMyRequestResponse> =>
  t.app.inject({
    method,
    url,
    headers: { 'x-api-key': options.as ?? key, ...(options.type ? { 'content-type': options.type } : {}) },
    ...(options.body === undefined ? {} : { payload: options.body }),
  });
const put = (url: string, body: string | Buffer | object, type = 'application/x-pem-file', as?: string) => request('PUT', url, { body, type, ...(as ? { as } : {}) });
const SIGNING = '/api/v1/evidence/trust-anchors';
const TSA = '/api/v1/evidence/tsa-anchors';

function refusal(response: LightMyRequestResponse): Record<string, any> {
  assert.equal(response.statusCode, 400, response.body);
  const body = response.json();
  assert.equal(body.error_code, 'INVALID_TRUST_ANCHOR', response.body);
  return body;
}

/** A CA of this test's own, made with openssl, and CRLs it issues with the given lastUpdate. */
async function crlAuthority(): Promise<{ certificate: string; crl(lastUpdate: string): Promise<string> }> {
  const dir = path.join(scratch, 'ca');
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=CRL Test CA', '-days', '3650',
    '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', `${dir}.key`, '-out', `${dir}.pem`);
  await writeFile(`${dir}.index`, '');
  await writeFile(`${dir}.cnf`, `[ca]\ndefault_ca = d\n[d]\ndatabase = ${dir}.index\ndefault_md = sha256\ncrlnumber = ${dir}.crlnumber\n`);
  await writeFile(`${dir}.crlnumber`, '01\n');
  return {
    certificate: await readFile(`${dir}.pem`, 'utf8'),
    async crl(lastUpdate) {
      const out = path.join(scratch, `crl-${lastUpdate}.pem`);
      await openssl('ca', '-gencrl', '-config', `${dir}.cnf`, '-keyfile', `${dir}.key`, '-cert', `${dir}.pem`, '-crl_lastupdate', lastUpdate, '-crldays', '3650', '-out', out);
      return readFile(out, 'utf8');
    },
  };
}

describe('signing trust anchors', () => {
  test('a PEM bundle of a root, an intermediate and a CRL is added; the same again changes nothing', async () => {
    const bundle = [await pem('ec-root-ca.pem'), await pem('ec-intermediate-ca.pem'), await pem('ec-intermediate-ca.crl.pem')].join('\n');
    const first = await put(SIGNING, bundle);
    assert.equal(first.statusCode, 200, first.body);
    const { added, unchanged, removed } = first.json();
    assert.deepEqual(added.map((a: { kind: string }) => a.kind), ['certificate', 'certificate', 'crl']);
    assert.deepEqual([unchanged, removed], [[], []]);
    const [root, intermediate, crl] = added;
    assert.match(root.id, /^tra_/);
    assert.equal(root.sha256_fingerprint, fingerprint(derOf(await pem('ec-root-ca.pem'))));
    assert.match(root.subject, /Veridity Test EC Root CA/);
    assert.equal(root.self_signed, true);
    assert.equal(intermediate.self_signed, false);
    assert.equal(root.scope, 'partner');
    assert.ok(root.not_after.startsWith('2046-01-01'));
    assert.equal(crl.subject, null);
    assert.match(crl.issuer, /Veridity Test EC Intermediate CA/);
    assert.ok(crl.this_update);

    const again = (await put(SIGNING, bundle)).json();
    assert.deepEqual([again.added, again.unchanged.map((a: { id: string }) => a.id)], [[], added.map((a: { id: string }) => a.id)]);
    // Oldest first; anchors of one upload share their time.
    const ids = (anchors: Array<{ id: string }>) => anchors.map((a) => a.id).sort();
    assert.deepEqual(ids((await request('GET', SIGNING)).json().data), ids(added));
  });

  test('DER (application/pkix-cert) and JSON {der_base64} / {pem} uploads', async () => {
    const rsaRoot = derOf(await pem('rsa-root-ca.pem'));
    const partner = (await createPartner(t, { name: 'DER uploader', scopes: ['evidence'] })).api_key;
    const asDer = await put(SIGNING, rsaRoot, 'application/pkix-cert', partner);
    assert.equal(asDer.statusCode, 200, asDer.body);
    assert.equal(asDer.json().added[0].sha256_fingerprint, fingerprint(rsaRoot));
    assert.equal((await put(SIGNING, { der_base64: rsaRoot.toString('base64') }, 'application/json', partner)).json().unchanged.length, 1);
    assert.equal((await put(SIGNING, { pem: await pem('tsa-root-ca.pem') }, 'application/json', partner)).json().added.length, 1);
  });

  test('refused with 400 naming the reason: not a CA, expired, RSA-1024, unparsable; one bad item refuses the whole bundle', async () => {
    const partner = (await createPartner(t, { name: 'Careless', scopes: ['evidence'] })).api_key;
    assert.equal(refusal(await put(SIGNING, await pem('signer-ec.pem'), undefined, partner)).reason, 'NOT_A_CA');
    assert.equal(refusal(await put(SIGNING, await pem('expired-ca.pem'), undefined, partner)).reason, 'EXPIRED');
    assert.equal(refusal(await put(SIGNING, await pem('weak-rsa1024-ca.pem'), undefined, partner)).reason, 'WEAK_KEY');
    assert.equal(refusal(await put(SIGNING, 'hello', 'text/plain', partner)).reason, 'UNPARSABLE');
    assert.equal(refusal(await put(SIGNING, Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), 'application/octet-stream', partner)).reason, 'UNPARSABLE');
    const mixed = refusal(await put(SIGNING, [await pem('ec-root-ca.pem'), await pem('expired-ca.pem')].join('\n'), undefined, partner));
    assert.equal(mixed.reason, 'EXPIRED');
    assert.deepEqual(mixed.refused.map((r: { index: number; reason: string }) => [r.index, r.reason]), [[1, 'EXPIRED']]);
    assert.equal((await request('GET', SIGNING, { as: partner })).json().data.length, 0, 'nothing of a refused upload is kept');
    const tooMany = refusal(await put(SIGNING, (await pem('ec-root-ca.pem')).repeat(51), undefined, partner));
    assert.equal(tooMany.reason, 'TOO_MANY');
    assert.equal(refusal(await put(SIGNING, { der_base64: 'AAAA' }, 'application/json', partner)).reason, 'UNPARSABLE');
    const unknownField = await put(SIGNING, { pem: await pem('ec-root-ca.pem'), extra: 1 }, 'application/json', partner);
    assert.equal(unknownField.statusCode, 400);
    assert.equal(unknownField.json().error_code, 'VALIDATION_FAILED');
  });

  test('one CRL per issuer: a newer one replaces the older, an older one is not kept', async () => {
    const partner = (await createPartner(t, { name: 'CRL keeper', scopes: ['evidence'] })).api_key;
    const authority = await crlAuthority();
    const [march, april, may] = [await authority.crl('20260301000000Z'), await authority.crl('20260401000000Z'), await authority.crl('20260501000000Z')];
    await put(SIGNING, authority.certificate, undefined, partner);
    const first = (await put(SIGNING, april, undefined, partner)).json();
    assert.equal(first.added.length, 1);
    const newer = (await put(SIGNING, may, undefined, partner)).json();
    assert.equal(newer.added.length, 1);
    assert.deepEqual(newer.removed.map((r: { id: string }) => r.id), [first.added[0].id]);
    const older = (await put(SIGNING, march, undefined, partner)).json();
    assert.deepEqual([older.added, older.removed], [[], []], 'an older CRL than the one kept is not added');
    const crls = (await request('GET', SIGNING, { as: partner })).json().data.filter((a: { kind: string }) => a.kind === 'crl');
    assert.deepEqual(crls.map((c: { id: string }) => c.id), [newer.added[0].id]);
    assert.ok(crls[0].this_update.startsWith('2026-05-01'));
  });

  test('removed by id or by fingerprint; another partner\'s anchor is 404; every change is audited', async () => {
    const partner = (await createPartner(t, { name: 'Remover', scopes: ['evidence'] })).api_key;
    const added = (await put(SIGNING, [await pem('ec-root-ca.pem'), await pem('rsa-root-ca.pem')].join('\n'), undefined, partner)).json().added;
    assert.equal((await request('DELETE', `${SIGNING}/${added[0].id}`, { as: key })).statusCode, 404, 'another partner\'s');
    const byId = await request('DELETE', `${SIGNING}/${added[0].id}`, { as: partner });
    assert.equal(byId.statusCode, 200, byId.body);
    assert.equal(byId.json().id, added[0].id);
    const byFingerprint = await request('DELETE', `${SIGNING}/${added[1].sha256_fingerprint}`, { as: partner });
    assert.equal(byFingerprint.json().id, added[1].id);
    assert.equal((await request('DELETE', `${SIGNING}/${added[1].sha256_fingerprint}`, { as: partner })).statusCode, 404);
    assert.equal((await request('DELETE', `${SIGNING}/not-an-id`, { as: partner })).statusCode, 400);
    const audit = await t.database.pool.query(`SELECT action FROM audit_logs WHERE target_id = ANY($1) ORDER BY at, action`, [added.map((a: { id: string }) => a.id)]);
    assert.deepEqual(audit.rows.map((row) => row.action).sort(), ['evidence_trust_anchor.added', 'evidence_trust_anchor.added', 'evidence_trust_anchor.removed', 'evidence_trust_anchor.removed']);
  });

  test('a key without the evidence scope: 403', async () => {
    const unscoped = (await createPartner(t, { name: 'Bank', scopes: ['age_over_18'] })).api_key;
    assert.equal((await request('GET', SIGNING, { as: unscoped })).statusCode, 403);
  });
});

describe('TSA anchors', () => {
  test('the operator\'s apply to every partner, who sees but cannot remove them; a partner\'s own are its own', async () => {
    const operator = await t.app.inject({ method: 'PUT', url: '/api/admin/evidence/tsa-anchors', headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/x-pem-file' }, payload: await pem('tsa-root-ca.pem') });
    assert.equal(operator.statusCode, 200, operator.body);
    const operatorAnchor = operator.json().added[0];
    assert.equal(operatorAnchor.scope, 'operator');
    const own = (await put(TSA, await pem('untrusted-tsa-root-ca.pem'))).json().added[0];
    const listed = (await request('GET', TSA)).json().data;
    assert.deepEqual(listed.map((a: { id: string; scope: string }) => [a.id, a.scope]), [[operatorAnchor.id, 'operator'], [own.id, 'partner']]);
    assert.equal((await request('DELETE', `${TSA}/${operatorAnchor.id}`)).statusCode, 404);
    const other = (await createPartner(t, { name: 'Other', scopes: ['evidence'] })).api_key;
    assert.deepEqual((await request('GET', TSA, { as: other })).json().data.map((a: { id: string }) => a.id), [operatorAnchor.id]);
    assert.deepEqual((await t.admin('GET', '/api/admin/evidence/tsa-anchors')).json().data.map((a: { id: string }) => a.id), [operatorAnchor.id]);
    assert.equal((await request('GET', SIGNING, { as: other })).json().data.length, 0, 'TSA anchors are not signing anchors');
    const removed = await t.admin('DELETE', `/api/admin/evidence/tsa-anchors/${operatorAnchor.sha256_fingerprint}`);
    assert.equal(removed.statusCode, 200, removed.body);
  });
});
