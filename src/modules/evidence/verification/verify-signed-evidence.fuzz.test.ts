/**
 * Mutation fuzzing of the module boundary: at least 10,000 inputs derived from the openssl
 * vectors (bit flips, byte overwrites, truncations, length-byte changes, insertions, deletions,
 * duplications, splices of two vectors, deep nesting, 10 MB, random bytes) go through
 * verifySignedEvidence and inspectTrustAnchor; none may throw, every result must be a
 * well-formed member of its union, and none may come from a boundary's catch-all. Seeded: EVIDENCE_FUZZ_SEED=<n> reproduces a run,
 * EVIDENCE_FUZZ_INPUTS=<n> changes its length.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { createRng, type Rng } from '#test/support/seeded-random.ts';
import { inspectTrustAnchor, type TrustAnchorInspection } from './inspect-trust-anchor.ts';
import { deeplyNested, platformEvidenceKey, readPemVector, readVector, vectorsTrust } from './test-vectors.ts';
import { EVIDENCE_REJECTION_CODES, type EvidenceRejection, type VerifiedEvidence } from './types.ts';
import { verifySignedEvidence } from './verify-signed-evidence.ts';

const SEED = Number(process.env.EVIDENCE_FUZZ_SEED ?? 12);
const INPUTS = Number(process.env.EVIDENCE_FUZZ_INPUTS ?? 10_000);


const FIXTURES = new URL('./fixtures/', import.meta.url);
const cmsVectors = readdirSync(FIXTURES).filter((name) => name.endsWith('.der')).map((name) => readVector(name));
const pemVectors = readdirSync(FIXTURES).filter((name) => name.endsWith('.pem') && !name.includes('TEST-KEY')).map((name) => readPemVector(name));
const corpus = [...cmsVectors, ...pemVectors];
const report = readVector('erasure-report.json');
const TEN_MEGABYTES = new Uint8Array(10 * 1024 * 1024);
/** Tag bytes after which a length byte follows in these DER files. */
const TAGS = new Set([0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x18, 0x30, 0x31, 0xa0, 0xa1, 0xa2, 0xa3]);

type Mutation = (bytes: Uint8Array, random: Rng) => Uint8Array;

const MUTATIONS: Record<string, Mutation> = {
  flipBits(bytes, random) {
    const copy = new Uint8Array(bytes);
    // Mostly one bit, so that many inputs still parse and reach the signature and path checks.
    for (let count = random.int(4) === 0 ? 2 + random.int(7) : 1; count > 0; count--) copy[random.int(copy.length)]! ^= 1 << random.int(8);
    return copy;
  },
  overwriteBytes(bytes, random) {
    const copy = new Uint8Array(bytes);
    for (let count = 1 + random.int(4); count > 0; count--) copy[random.int(copy.length)] = random.pick([0x00, 0x7f, 0x80, 0x81, 0xff, random.int(256)]);
    return copy;
  },
  truncate(bytes, random) {
    return bytes.subarray(0, random.int(bytes.length));
  },
  changeLengthByte(bytes, random) {
    const copy = new Uint8Array(bytes);
    const start = random.int(copy.length - 1);
    let at = start;
    while (at < copy.length - 1 && !TAGS.has(copy[at]!)) at++;
    copy[Math.min(at + 1, copy.length - 1)] = random.pick([0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x88, 0xff, (copy[at + 1]! + 1) & 0xff, (copy[at + 1]! - 1) & 0xff]);
    return copy;
  },
  insertBytes(bytes, random) {
    const at = random.int(bytes.length);
    const inserted = Uint8Array.from({ length: 1 + random.int(16) }, () => random.int(256));
    return concat(bytes.subarray(0, at), inserted, bytes.subarray(at));
  },
  deleteRange(bytes, random) {
    const at = random.int(bytes.length);
    return concat(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + random.int(64))));
  },
  duplicateRange(bytes, random) {
    const at = random.int(bytes.length);
    const end = Math.min(bytes.length, at + 1 + random.int(256));
    return concat(bytes.subarray(0, end), bytes.subarray(at, end), bytes.subarray(end));
  },
  splice(bytes, random) {
    const other = random.pick(corpus);
    return concat(bytes.subarray(0, random.int(bytes.length)), other.subarray(random.int(other.length)));
  },
  deepNesting(_bytes, random) {
    return deeplyNested(random.pick([63, 64, 65, 200, 5000, 200_000]));
  },
  randomBytes(_bytes, random) {
    return Uint8Array.from({ length: random.int(512) }, () => random.int(256));
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function asPem(der: Uint8Array, label: string): Uint8Array {
  return Buffer.from(`-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`);
}

/** The messages of the catch-alls at the two boundaries. */
const UNEXPECTED_EXCEPTION = 'the evidence could not be processed';
const UNEXPECTED_INSPECTION_EXCEPTION = 'the input could not be processed';
const REJECTION_CODES = new Set(Object.keys(EVIDENCE_REJECTION_CODES));
const MEDIA_TYPES = new Set(['application/json', 'application/pdf', 'text/plain', 'application/octet-stream']);
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const HEX_64 = /^[0-9a-f]{64}$/;

function assertWellFormedVerification(result: VerifiedEvidence | EvidenceRejection, context: string): void {
  assert.equal(typeof result, 'object', context);
  if (!result.ok) {
    assert.equal(result.ok, false, context);
    assert.ok(REJECTION_CODES.has(result.code), `${context}: unknown code ${result.code}`);
    assert.ok(typeof result.message === 'string' && result.message.length > 0, `${context}: message`);
    assert.ok(result.path === undefined || (result.code === 'CONTENT_INVALID' && typeof result.path === 'string'), `${context}: path`);
    // The boundary's catch-all turns an exception into MALFORMED_CMS; reaching it means some
    // malformed shape is not recognised where it occurs. The run fails so that it gets handled.
    assert.ok(!result.message.startsWith(UNEXPECTED_EXCEPTION), `${context}: ${result.message}`);
    return;
  }
  assert.ok(result.content instanceof Uint8Array, context);
  assert.equal(result.contentSha256, createHash('sha256').update(result.content).digest('hex'), context);
  assert.ok(MEDIA_TYPES.has(result.mediaType), context);
  assert.equal(typeof result.contentType, 'string', context);
  assert.ok(result.document.schema === null || (result.document.schema === 'erasure-report/v1' && typeof result.document.report === 'object'), context);
  assert.ok(result.signers.length > 0, context);
  for (const signer of result.signers) {
    assert.ok(typeof signer.subject === 'string' && typeof signer.issuer === 'string' && typeof signer.signatureAlgorithm === 'string', context);
    assert.match(signer.serialNumber, /^[0-9a-f]+$/, context);
    assert.match(signer.sha256Fingerprint, HEX_64, context);
    assert.ok(signer.signingTime === null || ISO_TIME.test(signer.signingTime), context);
    assert.ok(signer.timestamp === null || (ISO_TIME.test(signer.timestamp.time) && typeof signer.timestamp.tsa === 'string'), context);
  }
  assert.equal(typeof result.encrypted, 'boolean', context);
  assert.match(result.validatedAt, ISO_TIME, context);
}

function assertWellFormedInspection(results: TrustAnchorInspection[], context: string): void {
  assert.ok(Array.isArray(results) && results.length > 0, context);
  for (const result of results) {
    if (!result.ok) {
      assert.ok(typeof result.reason === 'string' && typeof result.message === 'string' && result.message.length > 0, context);
      assert.ok(!result.message.startsWith(UNEXPECTED_INSPECTION_EXCEPTION), `${context}: ${result.message}`);
    } else if (result.kind === 'certificate') {
      assert.ok(result.der instanceof Uint8Array && ISO_TIME.test(result.notBefore) && ISO_TIME.test(result.notAfter), context);
      assert.match(result.sha256Fingerprint, HEX_64, context);
      assert.equal(typeof result.selfSigned, 'boolean', context);
    } else {
      assert.equal(result.kind, 'crl', context);
      assert.ok(ISO_TIME.test(result.thisUpdate) && (result.nextUpdate === null || ISO_TIME.test(result.nextUpdate)), context);
    }
  }
}

test(`${INPUTS} mutated inputs through verifySignedEvidence and inspectTrustAnchor (seed ${SEED})`, async (t) => {
  const random = createRng(SEED);
  const trusts = [vectorsTrust(), vectorsTrust({ decryption: platformEvidenceKey('ec') })];
  const outcomes = new Map<string, number>();
  const started = performance.now();
  for (let index = 0; index < INPUTS; index++) {
    const mutation = random.pick(MUTATION_NAMES);
    const base = random.pick(corpus);
    // A few 10 MB inputs; the rest small, so the run checks many shapes rather than a few sizes.
    const der = index % 2500 === 7 ? TEN_MEGABYTES : MUTATIONS[mutation]!(base, random);
    const context = `seed ${SEED}, input ${index} (${index % 2500 === 7 ? '10 MB' : mutation})`;
    const detachedContent = random.int(4) === 0 ? report : undefined;

    let verification: VerifiedEvidence | EvidenceRejection;
    try {
      verification = await verifySignedEvidence({ der, ...(detachedContent ? { detachedContent } : {}) }, trusts[index % 2]!);
    } catch (error) {
      assert.fail(`${context}: verifySignedEvidence threw ${String(error)}`);
    }
    assertWellFormedVerification(verification, context);
    const outcome = verification.ok ? 'verified' : verification.code;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

    const anchorInput = random.int(3) === 0 ? asPem(der, random.pick(['CERTIFICATE', 'X509 CRL'])) : der;
    let inspections: TrustAnchorInspection[];
    try {
      inspections = inspectTrustAnchor(anchorInput, trusts[0]!.now);
    } catch (error) {
      assert.fail(`${context}: inspectTrustAnchor threw ${String(error)}`);
    }
    assertWellFormedInspection(inspections, context);
  }
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`${INPUTS} inputs in ${seconds.toFixed(1)} s; outcomes: ${[...outcomes].sort((a, b) => b[1] - a[1]).map(([code, count]) => `${code} ${count}`).join(', ')}`);
  // The mutations must reach past the parser, not only bounce off it.
  for (const code of ['MALFORMED_CMS', 'SIGNATURE_INVALID', 'CONTENT_DIGEST_MISMATCH', 'DECRYPT_FAILED']) {
    assert.ok((outcomes.get(code) ?? 0) > 0, `no input ended in ${code}`);
  }
});
