import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { certificateBody, generateCertificateKey } from '#test/support/certificates.ts';
import { canonicalize } from '#platform/canonical-json.ts';
import { signCertificate } from './sign-certificate.ts';
import { verifyCertificateJws } from './verify-certificate-jws.ts';

const key = generateCertificateKey();
const body = certificateBody();
const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** A JWS over any header and payload text, signed with the real key: what a confused or hostile signer could make. */
function signRaw(header: string, payload: string, privateKey = key.privateKey): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

const codeOf = (result: ReturnType<typeof verifyCertificateJws>) => (result.ok ? 'OK' : result.code);

test('a signed certificate verifies, and its payload is the canonical body under an EdDSA header naming the key', () => {
  const jws = signCertificate(body, key);
  assert.deepEqual(verifyCertificateJws(jws, [generateCertificateKey(), key]), { ok: true, body, keyId: key.id });
  const [header, payload] = jws.split('.') as [string, string];
  assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { alg: 'EdDSA', kid: key.id });
  assert.equal(Buffer.from(payload, 'base64url').toString(), canonicalize(body));
  assert.equal(signCertificate(body, key), jws, 'Ed25519 is deterministic: the same body gives the same JWS');
});

test('unknown key, another key under the same id, and tampered parts are refused', () => {
  const jws = signCertificate(body, key);
  assert.equal(codeOf(verifyCertificateJws(jws, [generateCertificateKey()])), 'UNKNOWN_KEY');
  assert.equal(codeOf(verifyCertificateJws(jws, [])), 'UNKNOWN_KEY');
  assert.equal(codeOf(verifyCertificateJws(jws, [{ id: key.id, publicKey: generateCertificateKey().publicKey }])), 'BAD_SIGNATURE');

  const [header, , signature] = jws.split('.') as [string, string, string];
  const forged = b64(canonicalize({ ...body, subject: { display_name: 'Someone else' } }));
  assert.equal(codeOf(verifyCertificateJws(`${header}.${forged}.${signature}`, [key])), 'BAD_SIGNATURE');
  const flipped = `${jws.slice(0, -2)}${jws.at(-2) === 'A' ? 'B' : 'A'}${jws.at(-1)}`;
  assert.equal(codeOf(verifyCertificateJws(flipped, [key])), 'BAD_SIGNATURE');
});

test('a validly signed payload that is not canonical JSON is refused: NOT_CANONICAL', () => {
  const header = canonicalize({ alg: 'EdDSA', kid: key.id });
  assert.equal(codeOf(verifyCertificateJws(signRaw(header, JSON.stringify(body, null, 2)), [key])), 'NOT_CANONICAL');
  assert.equal(codeOf(verifyCertificateJws(signRaw(header, JSON.stringify(body)), [key])), 'NOT_CANONICAL', 'key order as given, not sorted');
  const duplicateKey = canonicalize(body).replace('{', '{"type":"other",');
  assert.equal(codeOf(verifyCertificateJws(signRaw(header, duplicateKey), [key])), 'NOT_CANONICAL');
  assert.equal(codeOf(verifyCertificateJws(signRaw(header, canonicalize(body)), [key])), 'OK');
});

test('malformed JWS and signed payloads that are not certificates: MALFORMED, never a throw', () => {
  const header = canonicalize({ alg: 'EdDSA', kid: key.id });
  const jws = signCertificate(body, key);
  const variants: unknown[] = [
    '',
    'a.b',
    'a.b.c.d',
    `${jws}=`,
    jws.replace('.', '.+'),
    '😀.😀.😀',
    'x'.repeat(70_000),
    signRaw(canonicalize({ alg: 'ES256', kid: key.id }), canonicalize(body)),
    signRaw(canonicalize({ alg: 'none', kid: key.id }), canonicalize(body)),
    signRaw(canonicalize({ alg: 'EdDSA' }), canonicalize(body)),
    signRaw(canonicalize({ alg: 'EdDSA', crit: ['b64'], kid: key.id }), canonicalize(body)),
    signRaw('[]', canonicalize(body)),
    signRaw(header, 'not json'),
    signRaw(header, canonicalize({ ...body, type: 'veridity-evidence-certificate/v2' })),
    signRaw(header, canonicalize({ ...body, extra: true })),
    signRaw(header, canonicalize({ ...body, document: { ...body.document, sha256: 'ABC' } })),
    signRaw(header, canonicalize({ ...body, report: { ...body.report!, method: 'shred' } })),
    42,
    null,
  ];
  for (const variant of variants) assert.equal(codeOf(verifyCertificateJws(variant as string, [key])), 'MALFORMED', String(variant).slice(0, 80));
});

test('the platform never signs a body verifiers would refuse', () => {
  assert.throws(() => signCertificate({ ...body, issued_at: 'yesterday' }, key), /issued_at/);
  assert.throws(() => signCertificate(body, { id: 'p256', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }), /Ed25519/);
});

test('an opaque document certificate (no report, no timestamp) and an emoji subject round-trip exactly', () => {
  const opaque = certificateBody({ report: null, timestamp: null, subject: { display_name: 'Zoë 🚀 Ünïcødé Ltd' }, document: { ...body.document, media_type: 'application/pdf', schema: null } });
  assert.deepEqual(verifyCertificateJws(signCertificate(opaque, key), [key]), { ok: true, body: opaque, keyId: key.id });
});
