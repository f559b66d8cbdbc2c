import { generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import type { CertificateJson } from '#modules/certificates/document/certificate-json.ts';
import { createPdfSigningCertificate } from '#modules/certificates/document/create-pdf-signing-certificate.ts';
import { renderCertificatePdf } from '#modules/certificates/document/render-certificate-pdf.ts';
import { signCertificate } from '#modules/certificates/document/sign-certificate.ts';
import {
  buildReceipt,
  generateNoteKey,
  hashLeaf,
  inclusionProof,
  type LedgerLeafFields,
  ledgerLeaf,
  MemoryHashStore,
  type NoteKeyPair,
  prepareAppend,
  signCheckpoint,
} from '#modules/ledger/tlog/index.ts';
import { jwkThumbprint } from '#platform/crypto/platform-keys.ts';

/**
 * Evidence certificates for tests, made with real keys: an Ed25519 certificates key (id = its JWK
 * thumbprint, as platform keys are named), an ECDSA P-256 PDF signing key with its self-signed
 * certificate, and a ledger built with the pure tlog functions, whose signed checkpoint and
 * inclusion proof make a real receipt for the certificate's entry.
 */
export const LEDGER_ORIGIN = 'veridity.test/ledger/certificates';
export const PUBLIC_ID = 'c7k2m4q8r1t5v9x3z6b0d2f4h8jm5npq';
export const VERIFY_URL = `https://veridity.example/verify/${PUBLIC_ID}`;

export function certificateBody(overrides: Partial<CertificateJson> = {}): CertificateJson {
  return {
    type: 'veridity-evidence-certificate/v1',
    public_id: PUBLIC_ID,
    issued_at: '2025-06-01T10:20:30.123Z',
    platform: { name: 'Veridity (test)', url: 'https://veridity.example' },
    subject: { display_name: 'Acme Erasure GmbH' },
    document: { sha256: '5f3c9a1e8b7d6c2a4f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4', media_type: 'application/json', schema: 'erasure-report/v1' },
    report: {
      device: { type: 'ssd', manufacturer: 'Samsung', model: '870 EVO', serial: 'S5Y1NX0T123456', capacity: 500107862016 },
      method: 'purge',
      result: 'success',
      started_at: '2025-05-31T08:00:00.000Z',
      ended_at: '2025-05-31T09:12:03.000Z',
    },
    signer: {
      subject: 'CN=Erasure station 12,O=Acme Erasure GmbH',
      issuer: 'CN=Acme Issuing CA,O=Acme Erasure GmbH',
      serial_number: '1a2b3c4d5e6f',
      sha256_fingerprint: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
    },
    timestamp: { time: '2025-05-31T09:12:05.000Z', tsa: 'CN=Test TSA' },
    ledger: { kind: 'certificate', public_id: PUBLIC_ID },
    ...overrides,
  };
}

export type CertificateKey = { id: string; privateKey: KeyObject; publicKey: KeyObject };

export function generateCertificateKey(): CertificateKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { id: jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: publicKey.export({ format: 'jwk' }).x! }), privateKey, publicKey };
}

export type PdfSigningKey = { privateKey: KeyObject; certificateDer: Uint8Array; certificatePem: string };

export function generatePdfSigningKey(commonName = 'Veridity certificate signing'): PdfSigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificateDer = createPdfSigningCertificate(privateKey, { commonName, notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') });
  return { privateKey, certificateDer, certificatePem: new X509Certificate(certificateDer).toString() };
}

/** The ledger entry a certificate's receipt proves (what the certificates service appends). */
export function certificateLeaf(body: CertificateJson, overrides: Partial<LedgerLeafFields> = {}): Buffer {
  return ledgerLeaf({ kind: body.ledger.kind, public_id: body.ledger.public_id, claim_type: null, status: 'issued', public_hash: body.document.sha256, ts: body.issued_at, ...overrides });
}

/** A ledger of other entries with `leaf` at index 5, checkpointed; the receipt for that entry. */
export async function receiptFor(leaf: Buffer, ledgerKey: NoteKeyPair): Promise<{ receipt: string; index: number }> {
  const index = 5;
  const others = Array.from({ length: 8 }, (_, i) =>
    ledgerLeaf({ kind: 'zk_proof', public_id: `prf_${String(i).padStart(26, '0')}`, claim_type: 'age_over_18', status: 'verified', public_hash: hashLeaf(Buffer.from(`inputs ${i}`)).toString('hex'), ts: new Date(Date.UTC(2025, 5, 1, 0, 0, i)) }),
  );
  const leaves = [...others.slice(0, index), leaf, ...others.slice(index)];
  const store = new MemoryHashStore();
  const prepared = await prepareAppend(store, 0, leaves.map(hashLeaf));
  store.putNodes(prepared.nodes);
  const checkpoint = signCheckpoint({ origin: LEDGER_ORIGIN, treeSize: prepared.treeSize, rootHash: prepared.rootHash }, ledgerKey.signerKey);
  return { receipt: buildReceipt({ index, inclusionProof: await inclusionProof(store, index, prepared.treeSize), checkpoint, leaf }), index };
}

export type CertificateFixture = {
  body: CertificateJson;
  certificateKey: CertificateKey;
  pdfKey: PdfSigningKey;
  ledgerKey: NoteKeyPair;
  jws: string;
  receipt: string;
  ledgerIndex: number;
  pdf: Uint8Array;
};

/** A certificate issued end to end: body, JWS, receipt, and the signed PDF embedding them. */
export async function issueCertificate(options: { body?: CertificateJson; status?: 'valid' | 'revoked' } = {}): Promise<CertificateFixture> {
  const body = options.body ?? certificateBody();
  const certificateKey = generateCertificateKey();
  const pdfKey = generatePdfSigningKey();
  const ledgerKey = generateNoteKey(LEDGER_ORIGIN);
  const jws = signCertificate(body, certificateKey);
  const { receipt, index } = await receiptFor(certificateLeaf(body), ledgerKey);
  const pdf = await renderCertificatePdf(
    { body, jws, receipt, ledgerIndex: index, verifyUrl: VERIFY_URL, status: options.status ?? 'valid', anchor: null },
    { privateKey: pdfKey.privateKey, certificateChainDer: [pdfKey.certificateDer], signingTime: new Date('2025-06-01T10:20:31Z') },
  );
  return { body, certificateKey, pdfKey, ledgerKey, jws, receipt, ledgerIndex: index, pdf };
}
