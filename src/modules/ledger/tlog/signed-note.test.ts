import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateNoteKey, type NoteVerifier, openNote, parseSignerKey, parseVerifierKey, signNote } from './signed-note.ts';

// Known answers from golang.org/x/mod sumdb/note/note_test.go.
const PETER_SIGNER = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VERIFIER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VERIFIER = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

function verifier(key: string): NoteVerifier {
  const parsed = parseVerifierKey(key);
  assert.ok(parsed.ok, key);
  return parsed.verifier;
}

/** Go slices these strings by byte; do the same so the mangled positions match the original test. */
function insertAtByte(text: string, at: number, insert: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(insert), bytes.subarray(at)]).toString('utf8');
}

function everyManglingOf(key: string): string[] {
  const manglings: string[] = [];
  for (let i = 0; i <= key.length; i++) {
    for (let j = i + 1; j <= key.length; j++) if (i !== 0 || j !== key.length) manglings.push(key.slice(i, j));
  }
  for (let i = 0; i < key.length; i++) manglings.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1));
  return manglings;
}

test('Go vectors: verifier keys parse, and every substring or single-byte change of one is rejected', () => {
  assert.deepEqual({ name: verifier(PETER_VERIFIER).name, keyId: verifier(PETER_VERIFIER).keyId }, { name: 'PeterNeumann', keyId: 0xc74f20a3 });
  for (const bad of everyManglingOf(PETER_VERIFIER)) assert.equal(parseVerifierKey(bad).ok, false, bad);
  // Wrong key length and unknown algorithm, each with a matching key id.
  assert.equal(parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==').ok, false);
  assert.equal(parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW').ok, false);
});

test('Go vectors: signer keys parse, and every substring or single-byte change of one is rejected', () => {
  const parsed = parseSignerKey(PETER_SIGNER);
  assert.ok(parsed.ok);
  assert.equal(parsed.signer.keyId, 0xc74f20a3);
  for (const bad of everyManglingOf(PETER_SIGNER)) assert.equal(parseSignerKey(bad).ok, false, bad);
});

test('Go vectors: signing reproduces the reference signed note byte for byte (Ed25519 is deterministic)', () => {
  const parsed = parseSignerKey(PETER_SIGNER);
  assert.ok(parsed.ok);
  assert.equal(signNote(TEXT, [parsed.signer]), `${TEXT}\n${PETER_SIG}`);
  assert.throws(() => signNote('abc', [parsed.signer]), TypeError);
  assert.throws(() => signNote('a\u0001b\n', [parsed.signer]), TypeError);
  assert.throws(() => signNote(TEXT, []), TypeError);
});

test('Go vectors: opening notes with known, unknown and bad signatures', () => {
  const peter = verifier(PETER_VERIFIER);
  const enoch = verifier(ENOCH_VERIFIER);
  const both = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;

  assert.deepEqual(openNote(both, [peter]), { ok: true, text: TEXT, verifiedBy: [{ name: 'PeterNeumann', keyId: 0xc74f20a3 }] });
  assert.deepEqual(openNote(both, [peter, enoch]), {
    ok: true,
    text: TEXT,
    verifiedBy: [
      { name: 'PeterNeumann', keyId: 0xc74f20a3 },
      { name: 'EnochRoot', keyId: 0xaf0cfe78 },
    ],
  });
  assert.equal(openNote(Buffer.from(both), [enoch]).ok, true);
  const unknown = openNote(both, []);
  assert.equal(unknown.ok ? 'OK' : unknown.code, 'UNKNOWN_KEY');

  const invalid = openNote(`${TEXT}\n${insertAtByte(PETER_SIG, 60, 'ABCD')}`, [peter]);
  assert.equal(invalid.ok ? 'OK' : invalid.code, 'BAD_SIGNATURE');

  // Duplicates are fine; a corrupted signature by an unknown key is ignored.
  const duplicated = `${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${insertAtByte(ENOCH_SIG, 60, 'ABCD')}`;
  assert.deepEqual(openNote(duplicated, [peter]), { ok: true, text: TEXT, verifiedBy: [{ name: 'PeterNeumann', keyId: 0xc74f20a3 }] });

  const tooMany = openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter]);
  assert.equal(tooMany.ok ? 'OK' : tooMany.code, 'MALFORMED_NOTE');

  const malformed: (string | Uint8Array)[] = [
    TEXT,
    `${TEXT}\n`,
    `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
    `\u0001${TEXT}\n${PETER_SIG}`,
    Buffer.concat([Buffer.from([0xff]), Buffer.from(`${TEXT}\n${PETER_SIG}`)]),
    `${TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
    `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
    `\ud800${TEXT}\n${PETER_SIG}`,
    `${TEXT}\n${PETER_SIG.replace('=\n', '\n')}`,
  ];
  for (const note of malformed) {
    const result = openNote(note, [peter]);
    assert.equal(result.ok ? 'OK' : result.code, 'MALFORMED_NOTE', String(note));
  }
});

test('generated keys round-trip through the Go-compatible encodings', () => {
  const { signerKey, verifierKey } = generateNoteKey('veridity.example/ledger');
  assert.match(signerKey, /^PRIVATE\+KEY\+veridity\.example\/ledger\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
  assert.match(verifierKey, /^veridity\.example\/ledger\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
  assert.equal(signerKey.split('+')[3], verifierKey.split('+')[1]);
  const signer = parseSignerKey(signerKey);
  assert.ok(signer.ok);
  const note = signNote('hi\n', [signer.signer]);
  assert.equal(openNote(note, [verifier(verifierKey)]).ok, true);
  // A key of the same name but different material is "unknown", not "bad": its id differs.
  const other = openNote(note, [verifier(generateNoteKey('veridity.example/ledger').verifierKey)]);
  assert.equal(other.ok ? 'OK' : other.code, 'UNKNOWN_KEY');
  for (const bad of ['', 'a b', 'a+b', 'a\nb', 'tab\there', 'nbsp\u00a0', 'lone\ud800']) {
    assert.throws(() => generateNoteKey(bad), TypeError, JSON.stringify(bad));
  }
});
