import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import type { Clock } from '#platform/clock.ts';
import type { EcdsaPlatformKey, PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { Db } from '#platform/db/database.ts';
import { loadCertificateDocuments } from './load-certificate-documents.ts';
import { certificatePdfSigners } from './tables.ts';

/** The platform key that signs certificate PDFs (ECDSA P-256; its X.509 certificate in certificate_pdf_signers). */
export const PDF_SIGNING_KEY_PURPOSE = 'certificate-pdf';
/** A PDF signature stays checkable for as long as its certificate is valid: retire the key to replace it sooner. */
const CERTIFICATE_VALIDITY_YEARS = 10;
/** Back-dated a little, so a verifier whose clock is behind ours does not find it not yet valid. */
const CLOCK_SKEW_MS = 60 * 60 * 1000;

export type PdfSigningMaterial = { keyId: string; privateKey: KeyObject; certificateDer: Uint8Array };
export type PublishedPdfSigner = { keyId: string; certificateDer: Uint8Array; sha256Fingerprint: string };

export type PdfSignerDeps = { db: Db; platformKeys: PlatformKeys; clock: Clock; platformName: string };

/**
 * Whether the certificate certifies this key: a row someone wrote into the table with another
 * key in it (one they hold) is never used or published, as platform keys never trust a stored public half.
 */
function certifiesKey(der: Uint8Array, publicKey: KeyObject): boolean {
  return new X509Certificate(der).publicKey.equals(publicKey);
}

async function storedCertificate(db: Db, key: EcdsaPlatformKey): Promise<Uint8Array | undefined> {
  const [row] = await db.select().from(certificatePdfSigners).where(eq(certificatePdfSigners.keyId, key.id));
  if (row && !certifiesKey(row.certificateDer, key.publicKey)) throw new Error(`the stored PDF-signing certificate of key ${key.id} certifies another key`);
  return row?.certificateDer;
}

/**
 * The self-signed certificate of the active PDF-signing key, made on first use. Certificates
 * differ at every making (random serial, ECDSA nonces), so the first replica's row wins and every
 * replica signs with that one.
 */
async function certificateOf(deps: PdfSignerDeps, key: EcdsaPlatformKey): Promise<Uint8Array> {
  const existing = await storedCertificate(deps.db, key);
  if (existing) return existing;
  const now = deps.clock.now().getTime();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CERTIFICATE_VALIDITY_YEARS);
  const { createPdfSigningCertificate } = await loadCertificateDocuments();
  const der = createPdfSigningCertificate(key.privateKey, { commonName: `${deps.platformName} certificate signing`, notBefore: new Date(now - CLOCK_SKEW_MS), notAfter });
  await deps.db.insert(certificatePdfSigners).values({ keyId: key.id, certificateDer: Buffer.from(der) }).onConflictDoNothing();
  const stored = await storedCertificate(deps.db, key);
  if (!stored) throw new Error(`no PDF-signing certificate for key ${key.id} after storing one`);
  return stored;
}

/** Signs certificate PDFs: the active key and its certificate, each opened or made once per process. */
export function createPdfSigner(deps: PdfSignerDeps): { material(): Promise<PdfSigningMaterial>; published(): Promise<PublishedPdfSigner[]> } {
  const certificates = new Map<string, Promise<Uint8Array>>();
  const cachedCertificate = (key: EcdsaPlatformKey) => {
    let pending = certificates.get(key.id);
    if (!pending) {
      pending = certificateOf(deps, key);
      certificates.set(key.id, pending);
      pending.catch(() => certificates.delete(key.id));
    }
    return pending;
  };
  return {
    async material() {
      const key = await deps.platformKeys.activeKey(PDF_SIGNING_KEY_PURPOSE);
      return { keyId: key.id, privateKey: key.privateKey, certificateDer: await cachedCertificate(key) };
    },
    /** Every PDF-signing certificate, active and retired: a PDF stays meaningful long after it was signed. */
    async published() {
      await cachedCertificate(await deps.platformKeys.activeKey(PDF_SIGNING_KEY_PURPOSE));
      const keys = await deps.platformKeys.publishedKeys(PDF_SIGNING_KEY_PURPOSE, new Date(0));
      const rows = await deps.db.select().from(certificatePdfSigners).where(inArray(certificatePdfSigners.keyId, keys.map((key) => key.id)));
      return keys.flatMap((key) => {
        const der = rows.find((row) => row.keyId === key.id)?.certificateDer;
        if (!der || !certifiesKey(der, key.publicKey)) return [];
        return [{ keyId: key.id, certificateDer: der, sha256Fingerprint: createHash('sha256').update(der).digest('hex') }];
      });
    },
  };
}

export type PdfSigner = ReturnType<typeof createPdfSigner>;
