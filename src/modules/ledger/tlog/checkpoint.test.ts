import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.ts';
import { hashLeaf } from './merkle-hash.ts';
import { generateNoteKey, parseSignerKey, signNote } from './signed-note.ts';

// A real checkpoint of the Go checksum database, signed by sum.golang.org's production key, as kept
// in transparency-dev/trillian-tessera internal/parse/parse_test.go; the verifier key is the one
// compiled into cmd/go (src/cmd/go/internal/modfetch/key.go).
const SUMDB_VERIFIER = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const SUMDB_CHECKPOINT =
  'go.sum database tree\n31700353\nqINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=\n\n' +
  '\u2014 sum.golang.org Az3grnmrIUEDFqHzAElIQCPNoRFRAAdFo47fooyWKMHb89k11GJh5zHIfNCOBmwn/C3YI8oW9/C8DJ87F61QqspBYwM=\n';

const codeOf = (result: { ok: boolean; code?: string }) => (result.ok ? 'OK' : result.code);

test('opens a real sum.golang.org checkpoint with the published key', () => {
  const opened = openCheckpoint(SUMDB_CHECKPOINT, SUMDB_VERIFIER);
  assert.ok(opened.ok);
  assert.equal(opened.checkpoint.origin, 'go.sum database tree');
  assert.equal(opened.checkpoint.treeSize, 31700353);
  assert.equal(opened.checkpoint.rootHash.toString('base64'), 'qINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=');
  assert.deepEqual(opened.checkpoint.extensions, []);
  // Trusting several keys (rotation) still finds it; a changed size breaks the signature.
  assert.equal(openCheckpoint(SUMDB_CHECKPOINT, [generateNoteKey('other').verifierKey, SUMDB_VERIFIER]).ok, true);
  assert.equal(codeOf(openCheckpoint(SUMDB_CHECKPOINT.replace('31700353', '31700354'), SUMDB_VERIFIER)), 'BAD_SIGNATURE');
  assert.equal(codeOf(openCheckpoint(SUMDB_CHECKPOINT, generateNoteKey('sum.golang.org').verifierKey)), 'UNKNOWN_KEY');
  assert.equal(codeOf(openCheckpoint(SUMDB_CHECKPOINT, 'sum.golang.org+033de0ae+garbage')), 'MALFORMED_KEY');
});

test('the tlog-checkpoint spec example body parses', () => {
  const parsed = parseCheckpoint('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
  assert.ok(parsed.ok);
  assert.equal(parsed.checkpoint.treeSize, 20852163);
});

test('sign and open round-trip, with and without extension lines', () => {
  const { signerKey, verifierKey } = generateNoteKey('veridity.example/ledger');
  const rootHash = hashLeaf(Buffer.from('root'));
  const plain = signCheckpoint({ origin: 'veridity.example/ledger', treeSize: 42, rootHash }, signerKey);
  assert.equal(
    plain.split('\n\n')[0] + '\n',
    `veridity.example/ledger\n42\n${rootHash.toString('base64')}\n`,
  );
  const opened = openCheckpoint(plain, verifierKey);
  assert.deepEqual(opened, { ok: true, checkpoint: { origin: 'veridity.example/ledger', treeSize: 42, rootHash, extensions: [] } });

  const extended = signCheckpoint({ origin: 'o', treeSize: 0, rootHash, extensions: ['ext one', 'ext two'] }, signerKey);
  const openedExtended = openCheckpoint(extended, verifierKey);
  assert.ok(openedExtended.ok);
  assert.deepEqual(openedExtended.checkpoint.extensions, ['ext one', 'ext two']);
  // Signed by another key: unknown. Signed by the key but altered: bad signature.
  assert.equal(codeOf(openCheckpoint(plain, generateNoteKey('veridity.example/ledger').verifierKey)), 'UNKNOWN_KEY');
  assert.equal(codeOf(openCheckpoint(plain.replace('\n42\n', '\n43\n'), verifierKey)), 'BAD_SIGNATURE');
});

test('validly signed but malformed checkpoint bodies are rejected', () => {
  const { signerKey, verifierKey } = generateNoteKey('log');
  const signer = parseSignerKey(signerKey);
  assert.ok(signer.ok);
  const root = hashLeaf(Buffer.from('r')).toString('base64');
  const bodies = [
    `log\n007\n${root}\n`,
    `log\n-1\n${root}\n`,
    `log\n9007199254740992\n${root}\n`,
    `log\n1\n`,
    `log\n1\n${root.replace('=', '')}\n`,
    `log\n1\n${Buffer.alloc(31).toString('base64')}\n`,
    `log\n1\n${root}\n\nextension after an empty line\n`,
  ];
  for (const body of bodies) {
    const result = openCheckpoint(signNote(body, [signer.signer]), verifierKey);
    assert.equal(codeOf(result), 'MALFORMED_CHECKPOINT', JSON.stringify(body));
  }
  assert.equal(codeOf(openCheckpoint('no signatures\n', verifierKey)), 'MALFORMED_NOTE');
});

test('formatting refuses values that cannot round-trip', () => {
  const rootHash = Buffer.alloc(32);
  assert.throws(() => formatCheckpoint({ origin: '', treeSize: 1, rootHash }), TypeError);
  assert.throws(() => formatCheckpoint({ origin: 'a\nb', treeSize: 1, rootHash }), TypeError);
  assert.throws(() => formatCheckpoint({ origin: 'a', treeSize: -1, rootHash }), RangeError);
  assert.throws(() => formatCheckpoint({ origin: 'a', treeSize: 1.5, rootHash }), RangeError);
  assert.throws(() => formatCheckpoint({ origin: 'a', treeSize: 1, rootHash: Buffer.alloc(31) }), RangeError);
  assert.throws(() => formatCheckpoint({ origin: 'a', treeSize: 1, rootHash, extensions: [''] }), TypeError);
  assert.throws(() => signCheckpoint({ origin: 'a', treeSize: 1, rootHash }, 'PRIVATE+KEY+nope'), TypeError);
});
