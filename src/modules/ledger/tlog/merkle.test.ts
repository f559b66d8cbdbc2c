import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MemoryHashStore } from './hash-store.ts';
import { emptyTreeRoot, hashChildren, hashLeaf } from './merkle-hash.ts';
import { prepareAppend } from './prepare-append.ts';
import { consistencyProof, inclusionProof, treeRoot } from './prove.ts';
import { subtreeIds } from './subtrees.ts';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify-proof.ts';

const hex = (s: string) => Buffer.from(s, 'hex');

// Known answers from transparency-dev/merkle proof/verify_test.go (the RFC 6962 reference tree of
// google/certificate-transparency's merkle_tree tests): eight leaves, the root for each size 1..8,
// inclusion proofs as (1-based leaf, size) and consistency proofs as (size1, size2).
const KAT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const KAT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);
const KAT_INCLUSION: { leaf: number; size: number; proof: string[] }[] = [
  { leaf: 1, size: 1, proof: [] },
  {
    leaf: 1,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leaf: 6,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leaf: 3, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leaf: 2,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const KAT_CONSISTENCY: { size1: number; size2: number; proof: string[] }[] = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

/**
 * Test oracle: RFC 6962 section 2.1 definitions (MTH, PATH, SUBPROOF) written recursively over
 * the leaf hashes, memoised per range. Besides the hashes it records each proof element's side,
 * the "shape" that decides which (index, size) pairs a proof can verify for.
 */
class ReferenceTree {
  readonly #leafHashes: Buffer[];
  readonly #memo = new Map<string, Buffer>();

  constructor(leafHashes: Buffer[]) {
    this.#leafHashes = leafHashes;
  }

  static #split(n: number): number {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  mth(begin: number, size: number): Buffer {
    if (size === 0) return createHash('sha256').digest();
    if (size === 1) return this.#leafHashes[begin]!;
    const key = `${begin}:${size}`;
    let hash = this.#memo.get(key);
    if (hash === undefined) {
      const k = ReferenceTree.#split(size);
      hash = hashChildren(this.mth(begin, k), this.mth(begin + k, size - k));
      this.#memo.set(key, hash);
    }
    return hash;
  }

  /** PATH(m, D[begin:begin+n]) with sides: 'R' = sibling on the right, 'L' = on the left. */
  path(m: number, n: number, begin = 0): { hashes: Buffer[]; shape: string } {
    if (n === 1) return { hashes: [], shape: '' };
    const k = ReferenceTree.#split(n);
    if (m < k) {
      const inner = this.path(m, k, begin);
      return { hashes: [...inner.hashes, this.mth(begin + k, n - k)], shape: `${inner.shape}R` };
    }
    const inner = this.path(m - k, n - k, begin + k);
    return { hashes: [...inner.hashes, this.mth(begin, k)], shape: `${inner.shape}L` };
  }

  /** SUBPROOF(m, D[begin:begin+n], b) with sides; 'S' marks the starting subtree. */
  subproof(m: number, n: number, b = true, begin = 0): { hashes: Buffer[]; shape: string } {
    if (m === n) return b ? { hashes: [], shape: '' } : { hashes: [this.mth(begin, n)], shape: 'S' };
    const k = ReferenceTree.#split(n);
    if (m <= k) {
      const inner = this.subproof(m, k, b, begin);
      return { hashes: [...inner.hashes, this.mth(begin + k, n - k)], shape: `${inner.shape}R` };
    }
    const inner = this.subproof(m - k, n - k, false, begin + k);
    return { hashes: [...inner.hashes, this.mth(begin, k)], shape: `${inner.shape}L` };
  }
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function flipBit(hashes: readonly Buffer[], element: number, bit: number): Buffer[] {
  return hashes.map((h, i) => {
    if (i !== element) return h;
    const copy = Buffer.from(h);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    return copy;
  });
}

function flipped(hash: Buffer, bit: number): Buffer {
  return flipBit([hash], 0, bit)[0]!;
}

async function storeWith(leafHashes: Buffer[]): Promise<MemoryHashStore> {
  const store = new MemoryHashStore();
  const prepared = await prepareAppend(store, 0, leafHashes);
  store.putNodes(prepared.nodes);
  return store;
}

test('known answers: RFC 6962 reference tree roots, inclusion and consistency proofs', async () => {
  assert.equal(emptyTreeRoot().toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  const leafHashes = KAT_LEAVES.map(hashLeaf);
  const store = await storeWith(leafHashes);
  const empty = new MemoryHashStore();
  assert.deepEqual(await treeRoot(empty, 0), emptyTreeRoot());

  for (let size = 1; size <= 8; size++) {
    assert.equal((await treeRoot(store, size)).toString('hex'), KAT_ROOTS[size - 1]!.toString('hex'), `root ${size}`);
  }

  for (const kat of KAT_INCLUSION) {
    const index = kat.leaf - 1;
    const proof = await inclusionProof(store, index, kat.size);
    assert.deepEqual(proof.map((h) => h.toString('hex')), kat.proof, `inclusion ${index}/${kat.size}`);
    const claim = { leafHash: leafHashes[index]!, index, treeSize: kat.size, proof: kat.proof.map(hex), rootHash: KAT_ROOTS[kat.size - 1]! };
    assert.deepEqual(verifyInclusion(claim), { ok: true });
    // The corruptions transparency-dev checks on these vectors.
    const probes = [
      { ...claim, index: index + 1 },
      { ...claim, index: index ^ 2 },
      { ...claim, treeSize: kat.size * 2 },
      { ...claim, treeSize: Math.floor(kat.size / 2) },
      { ...claim, leafHash: hashLeaf(Buffer.from('WrongLeaf')) },
      { ...claim, rootHash: emptyTreeRoot() },
      { ...claim, proof: [...claim.proof, claim.rootHash] },
      { ...claim, proof: [claim.rootHash, ...claim.proof] },
      ...(index > 0 ? [{ ...claim, index: index - 1 }] : []),
      ...(claim.proof.length > 0 ? [{ ...claim, proof: claim.proof.slice(0, -1) }] : []),
      ...claim.proof.map((_, i) => ({ ...claim, proof: flipBit(claim.proof, i, 3) })),
    ];
    for (const probe of probes) assert.equal(verifyInclusion(probe).ok, false, JSON.stringify({ index: probe.index, size: probe.treeSize }));
  }

  for (const kat of KAT_CONSISTENCY) {
    const proof = await consistencyProof(store, kat.size1, kat.size2);
    assert.deepEqual(proof.map((h) => h.toString('hex')), kat.proof, `consistency ${kat.size1}->${kat.size2}`);
    const claim = {
      size1: kat.size1,
      size2: kat.size2,
      proof: kat.proof.map(hex),
      root1: KAT_ROOTS[kat.size1 - 1]!,
      root2: KAT_ROOTS[kat.size2 - 1]!,
    };
    assert.deepEqual(verifyConsistency(claim), { ok: true });
    if (claim.proof.length === 0) continue;
    const probes = [
      { ...claim, size1: kat.size1 - 1 },
      { ...claim, size1: kat.size1 + 1 },
      { ...claim, size1: kat.size1 ^ 2 },
      { ...claim, size2: kat.size2 * 2 },
      { ...claim, size2: Math.floor(kat.size2 / 2) },
      { ...claim, root1: claim.root2, root2: claim.root1 },
      { ...claim, proof: [] },
      { ...claim, proof: [...claim.proof, claim.root1] },
      { ...claim, proof: [claim.root2, ...claim.proof] },
      { ...claim, proof: [claim.proof[0]!, ...claim.proof] },
      { ...claim, proof: claim.proof.slice(0, -1) },
      ...claim.proof.map((_, i) => ({ ...claim, proof: flipBit(claim.proof, i, 4) })),
    ];
    for (const probe of probes) assert.equal(verifyConsistency(probe).ok, false, JSON.stringify({ m: probe.size1, n: probe.size2 }));
  }
});

test('verifier edge cases and failure codes', () => {
  const leaf = hashLeaf(Buffer.from('data'));
  // A one-leaf tree: the root is the leaf hash and the proof is empty.
  assert.deepEqual(verifyInclusion({ leafHash: leaf, index: 0, treeSize: 1, proof: [], rootHash: leaf }), { ok: true });
  const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'OK' : r.code);
  assert.equal(codeOf(verifyInclusion({ leafHash: leaf, index: 0, treeSize: 0, proof: [], rootHash: leaf })), 'INVALID_SIZE');
  assert.equal(codeOf(verifyInclusion({ leafHash: leaf, index: 2, treeSize: 1, proof: [], rootHash: leaf })), 'INVALID_SIZE');
  assert.equal(codeOf(verifyInclusion({ leafHash: leaf, index: -1, treeSize: 1, proof: [], rootHash: leaf })), 'INVALID_SIZE');
  assert.equal(codeOf(verifyInclusion({ leafHash: leaf, index: 0, treeSize: 1, proof: [], rootHash: Buffer.alloc(0) })), 'BAD_HASH_LENGTH');
  assert.equal(codeOf(verifyInclusion({ leafHash: leaf, index: 0, treeSize: 1, proof: [leaf], rootHash: leaf })), 'WRONG_PROOF_LENGTH');
  assert.equal(codeOf(verifyInclusion({ leafHash: leaf, index: 0, treeSize: 2, proof: [], rootHash: leaf })), 'WRONG_PROOF_LENGTH');
  assert.equal(codeOf(verifyInclusion({ leafHash: leaf, index: 0, treeSize: 1, proof: [], rootHash: emptyTreeRoot() })), 'ROOT_MISMATCH');

  const other = hashLeaf(Buffer.from('other'));
  const consistency = (size1: number, size2: number, proof: Buffer[], root1: Buffer, root2: Buffer) =>
    codeOf(verifyConsistency({ size1, size2, proof, root1, root2 }));
  assert.equal(consistency(0, 0, [], emptyTreeRoot(), emptyTreeRoot()), 'OK');
  assert.equal(consistency(0, 5, [], emptyTreeRoot(), other), 'OK');
  assert.equal(consistency(0, 5, [], leaf, other), 'ROOT_MISMATCH');
  assert.equal(consistency(0, 5, [leaf], emptyTreeRoot(), other), 'WRONG_PROOF_LENGTH');
  assert.equal(consistency(3, 3, [], leaf, leaf), 'OK');
  assert.equal(consistency(3, 3, [], leaf, other), 'ROOT_MISMATCH');
  assert.equal(consistency(3, 3, [leaf], leaf, leaf), 'WRONG_PROOF_LENGTH');
  assert.equal(consistency(2, 1, [], leaf, leaf), 'INVALID_SIZE');
  assert.equal(consistency(1, 2, [], leaf, other), 'WRONG_PROOF_LENGTH');
  assert.equal(consistency(1, 2, [Buffer.alloc(31)], leaf, other), 'BAD_HASH_LENGTH');
});

test('property: every inclusion and consistency proof up to 64 leaves verifies, and nothing else does', async () => {
  const N = 64;
  // The oracle gets twice the leaves so it can answer shape questions for sizes up to 2N.
  const leafHashes = Array.from({ length: 2 * N }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));
  const reference = new ReferenceTree(leafHashes);
  const store = await storeWith(leafHashes.slice(0, N));
  const roots = [emptyTreeRoot()];
  for (let n = 1; n <= N; n++) {
    roots.push(await treeRoot(store, n));
    assert.deepEqual(roots[n], reference.mth(0, n), `root ${n}`);
  }
  const random = prng(64);
  // Every bit of every element for trees up to 8 leaves; one random bit per element beyond.
  // Every alternative value up to 32 leaves; beyond, neighbours, mirror image and random picks.
  const othersThan = (value: number, min: number, max: number): number[] => {
    const candidates =
      max - min < 32
        ? Array.from({ length: max - min + 1 }, (_, i) => min + i)
        : [value - 1, value + 1, value ^ 1, max + min - value, ...Array.from({ length: 4 }, () => min + Math.floor(random() * (max - min + 1)))];
    return [...new Set(candidates)].filter((v) => v !== value && v >= min && v <= max);
  };
  const bitsToFlip = (n: number) => (n <= 8 ? Array.from({ length: 256 }, (_, b) => b) : [Math.floor(random() * 256)]);

  for (let n = 1; n <= N; n++) {
    for (let index = 0; index < n; index++) {
      const proof = await inclusionProof(store, index, n);
      const expected = reference.path(index, n);
      assert.deepEqual(proof, expected.hashes, `inclusion ${index}/${n}`);
      const claim = { leafHash: leafHashes[index]!, index, treeSize: n, proof, rootHash: roots[n]! };
      assert.deepEqual(verifyInclusion(claim), { ok: true });

      for (const bit of bitsToFlip(n)) {
        for (let e = 0; e < proof.length; e++) assert.equal(verifyInclusion({ ...claim, proof: flipBit(proof, e, bit) }).ok, false);
        assert.equal(verifyInclusion({ ...claim, leafHash: flipped(claim.leafHash, bit) }).ok, false);
        assert.equal(verifyInclusion({ ...claim, rootHash: flipped(claim.rootHash, bit) }).ok, false);
      }
      // Another index of the same tree never verifies.
      for (const other of othersThan(index, 0, n - 1)) {
        assert.equal(verifyInclusion({ ...claim, index: other }).ok, false, `index ${other} for ${index}/${n}`);
      }
      // Another size verifies exactly when the proof has the same shape: the tree size itself is
      // only pinned by the signed checkpoint that carries the root.
      for (const size of [n - 1, n + 1, 2 * n]) {
        if (size <= index) continue;
        const sameShape = reference.path(index, size).shape === expected.shape;
        assert.equal(verifyInclusion({ ...claim, treeSize: size }).ok, sameShape, `size ${size} for ${index}/${n}`);
      }
      if (proof.length > 0) assert.equal(verifyInclusion({ ...claim, proof: proof.slice(1) }).ok, false);
      assert.equal(verifyInclusion({ ...claim, proof: [...proof, roots[n]!] }).ok, false);
    }

    for (let m = 1; m <= n; m++) {
      const proof = await consistencyProof(store, m, n);
      const expected = m === n ? { hashes: [], shape: '' } : reference.subproof(m, n);
      assert.deepEqual(proof, expected.hashes, `consistency ${m}->${n}`);
      const claim = { size1: m, size2: n, proof, root1: roots[m]!, root2: roots[n]! };
      assert.deepEqual(verifyConsistency(claim), { ok: true });

      for (const bit of bitsToFlip(n)) {
        for (let e = 0; e < proof.length; e++) assert.equal(verifyConsistency({ ...claim, proof: flipBit(proof, e, bit) }).ok, false);
        assert.equal(verifyConsistency({ ...claim, root1: flipped(claim.root1, bit) }).ok, false);
        assert.equal(verifyConsistency({ ...claim, root2: flipped(claim.root2, bit) }).ok, false);
      }
      for (const other of othersThan(m, 1, n)) {
        assert.equal(verifyConsistency({ ...claim, size1: other }).ok, false, `size1 ${other} for ${m}->${n}`);
      }
      if (m < n) {
        for (const size of [n - 1, n + 1, 2 * n]) {
          if (size <= m) continue;
          const sameShape = reference.subproof(m, size).shape === expected.shape;
          assert.equal(verifyConsistency({ ...claim, size2: size }).ok, sameShape, `size2 ${size} for ${m}->${n}`);
        }
        assert.equal(verifyConsistency({ ...claim, proof: proof.slice(0, -1) }).ok, false);
        assert.equal(verifyConsistency({ ...claim, proof: [...proof, roots[n]!] }).ok, false);
      }
    }
  }
});

test('property: ~5000 leaves appended in random batches; roots and random proofs match the RFC definitions', async () => {
  const N = 5000;
  const random = prng(5000);
  const leafHashes = Array.from({ length: N }, (_, i) => hashLeaf(Buffer.from(`entry-${i}`)));
  const reference = new ReferenceTree(leafHashes);

  const batched = new MemoryHashStore();
  let size = 0;
  while (size < N) {
    const batch = Math.min(N - size, 1 + Math.floor(random() * 100));
    const readsBefore = batched.nodesRead;
    const prepared = await prepareAppend(batched, size, leafHashes.slice(size, size + batch));
    // O(log n) reads (the old frontier) and O(batch + log n) writes.
    assert.ok(batched.nodesRead - readsBefore <= Math.log2(size + 1) + 1);
    assert.ok(prepared.nodes.length <= 2 * batch + Math.log2(size + batch) + 1);
    assert.deepEqual(prepared.rootHash, reference.mth(0, size + batch), `root after append to ${size + batch}`);
    batched.putNodes(prepared.nodes);
    size = prepared.treeSize;
  }
  // The same nodes result from one leaf at a time (putNodes refuses any node that would change).
  const single = new MemoryHashStore();
  for (let i = 0; i < N; i++) single.putNodes((await prepareAppend(single, i, [leafHashes[i]!])).nodes);
  assert.equal(single.size, batched.size);
  batched.putNodes((await prepareAppend(single, 0, leafHashes)).nodes);
  assert.equal(batched.size, single.size);

  for (let n = 1; n <= N; n++) assert.deepEqual(await treeRoot(batched, n), reference.mth(0, n), `root ${n}`);

  const readBound = (n: number) => 2 * Math.ceil(Math.log2(n)) + 2;
  for (let trial = 0; trial < 400; trial++) {
    const n = 1 + Math.floor(random() * N);
    const index = Math.floor(random() * n);
    const readsBefore = batched.nodesRead;
    const proof = await inclusionProof(batched, index, n);
    assert.ok(batched.nodesRead - readsBefore <= readBound(n), `inclusion reads for ${index}/${n}`);
    assert.deepEqual(proof, reference.path(index, n).hashes);
    const rootHash = reference.mth(0, n);
    assert.deepEqual(verifyInclusion({ leafHash: leafHashes[index]!, index, treeSize: n, proof, rootHash }), { ok: true });
    const computed = rootFromInclusionProof({ leafHash: leafHashes[index]!, index, treeSize: n, proof });
    assert.ok(computed.ok && computed.rootHash.equals(rootHash));
    if (proof.length > 0) {
      const e = Math.floor(random() * proof.length);
      const bad = flipBit(proof, e, Math.floor(random() * 256));
      assert.equal(verifyInclusion({ leafHash: leafHashes[index]!, index, treeSize: n, proof: bad, rootHash }).ok, false);
    }
    const wrongIndex = (index + 1 + Math.floor(random() * (n - 1))) % n;
    if (wrongIndex !== index) {
      assert.equal(verifyInclusion({ leafHash: leafHashes[index]!, index: wrongIndex, treeSize: n, proof, rootHash }).ok, false);
    }

    const m = 1 + Math.floor(random() * n);
    const before = batched.nodesRead;
    const cproof = await consistencyProof(batched, m, n);
    assert.ok(batched.nodesRead - before <= readBound(n), `consistency reads for ${m}->${n}`);
    assert.deepEqual(cproof, m === n ? [] : reference.subproof(m, n).hashes);
    const claim = { size1: m, size2: n, proof: cproof, root1: reference.mth(0, m), root2: rootHash };
    assert.deepEqual(verifyConsistency(claim), { ok: true });
    if (cproof.length > 0) {
      const bad = flipBit(cproof, Math.floor(random() * cproof.length), Math.floor(random() * 256));
      assert.equal(verifyConsistency({ ...claim, proof: bad }).ok, false);
    }
  }
});

test('storage contract: misuse throws, and a store missing nodes is reported, not papered over', async () => {
  const store = await storeWith([hashLeaf(Buffer.from('a')), hashLeaf(Buffer.from('b')), hashLeaf(Buffer.from('c'))]);
  await assert.rejects(inclusionProof(store, 3, 3), RangeError);
  await assert.rejects(inclusionProof(store, 0, 0), RangeError);
  await assert.rejects(consistencyProof(store, 3, 2), RangeError);
  await assert.rejects(treeRoot(store, -1), RangeError);
  await assert.rejects(treeRoot(store, 1.5), RangeError);
  assert.deepEqual(await consistencyProof(store, 0, 3), []);
  assert.deepEqual(await consistencyProof(store, 3, 3), []);
  // Size 4 was never appended: its subtree (2, 0) is not stored.
  await assert.rejects(treeRoot(store, 4), /not stored/);
  await assert.rejects(prepareAppend(store, 0, [Buffer.alloc(31)]), RangeError);
  // Nodes are immutable: a different leaf at an existing position is refused.
  const conflicting = await prepareAppend(new MemoryHashStore(), 0, [hashLeaf(Buffer.from('x'))]);
  assert.throws(() => store.putNodes(conflicting.nodes), /would change/);
  // A reader returning too few hashes is caught before it can produce a plausible wrong proof.
  const lossy = { getNodes: async (ids: readonly unknown[]) => (await store.getNodes(ids as never)).slice(1) };
  await assert.rejects(treeRoot(lossy, 3), /returned 1 hashes for 2 nodes/);
  // An empty append reads the frontier and reports the unchanged head.
  const unchanged = await prepareAppend(store, 3, []);
  assert.equal(unchanged.treeSize, 3);
  assert.deepEqual(unchanged.nodes, []);
  assert.deepEqual(unchanged.rootHash, await treeRoot(store, 3));
});

test('node ids stay exact up to 2^53 - 1 leaves', () => {
  const size = Number.MAX_SAFE_INTEGER; // 53 one-bits: one subtree per level
  const ids = subtreeIds({ begin: 0, size });
  assert.equal(ids.length, 53);
  let begin = 0;
  for (const [i, id] of ids.entries()) {
    assert.equal(id.level, 52 - i);
    assert.equal(id.index * 2 ** id.level, begin);
    begin += 2 ** id.level;
  }
  assert.equal(begin, size);
  // The last leaf's path in that tree: no sibling at any level, so the rightmost subtrees are the proof.
  const leafHash = hashLeaf(Buffer.from('last'));
  const proof = ids.slice(0, -1).reverse().map((id) => hashLeaf(Buffer.from(`${id.level}`)));
  const computed = rootFromInclusionProof({ leafHash, index: size - 1, treeSize: size, proof });
  assert.ok(computed.ok);
  assert.equal(rootFromInclusionProof({ leafHash, index: size - 1, treeSize: size, proof: proof.slice(1) }).ok, false);
  assert.throws(() => subtreeIds({ begin: 1, size: 2 }), RangeError);
});
