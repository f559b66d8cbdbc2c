import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { and, eq, gte, isNull, or } from 'drizzle-orm';
import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { Db } from '#platform/db/database.ts';
import { sealedColumn } from './sealed-columns.ts';
import type { SecretBox } from './secret-box.ts';

export const platformKeys = pgTable('platform_keys', {
  id: text('id').primaryKey(),
  purpose: text('purpose').notNull(),
  algorithm: text('algorithm').notNull(),
  publicKey: text('public_key').notNull(),
  privateKeySealed: text('private_key_sealed').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  retiredAt: timestamp('retired_at', { withTimezone: true }),
});

/** What a key signs; a key never serves two purposes (the purpose is bound into its sealed private half). Ed25519 keys. */
export type KeyPurpose = 'oauth' | 'ledger' | 'attestation-results' | 'certificates' | 'reputation-badges' | 'gateway-vault';
/**
 * Purposes whose keys are ECDSA P-256: the PDF signature of certificates (PDF readers and X.509
 * certificates take ECDSA or RSA, few take Ed25519).
 */
export type EcdsaKeyPurpose = 'certificate-pdf';
export type AnyKeyPurpose = KeyPurpose | EcdsaKeyPurpose;

/** An Ed25519 public key as a JWK (RFC 8037). */
export type Ed25519PublicJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string };
/** A P-256 public key as a JWK (RFC 7518 §6.2). */
export type EcP256PublicJwk = { kty: 'EC'; crv: 'P-256'; x: string; y: string };

type OpenedKey = {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key: anyone can recompute it. */
  id: string;
  publicKey: KeyObject;
  publicKeyPem: string;
  privateKey: KeyObject;
  createdAt: Date;
  retiredAt: Date | null;
};

export type PlatformKey = OpenedKey & { purpose: KeyPurpose; algorithm: 'Ed25519'; publicJwk: Ed25519PublicJwk };
export type EcdsaPlatformKey = OpenedKey & { purpose: EcdsaKeyPurpose; algorithm: 'ECDSA-P256'; publicJwk: EcP256PublicJwk };
/** The key type of a purpose: Ed25519 for every purpose but the ECDSA ones. */
export type PlatformKeyOf<P extends AnyKeyPurpose> = P extends EcdsaKeyPurpose ? EcdsaPlatformKey : PlatformKey;

export type PlatformKeys = {
  /** The active signing key of the purpose, created on first use; replicas starting together end up with one. */
  activeKey<P extends AnyKeyPurpose>(purpose: P): Promise<PlatformKeyOf<P>>;
  /** A key of the purpose by id, active or retired (to verify what it signed); undefined when there is none. */
  keyById<P extends AnyKeyPurpose>(purpose: P, id: string): Promise<PlatformKeyOf<P> | undefined>;
  /** The active key and the keys retired at or after `retiredSince`, oldest first (what a JWKS publishes). */
  publishedKeys<P extends AnyKeyPurpose>(purpose: P, retiredSince: Date): Promise<PlatformKeyOf<P>[]>;
};

type Algorithm = 'Ed25519' | 'ECDSA-P256';

const ECDSA_PURPOSES: readonly string[] = ['certificate-pdf' satisfies EcdsaKeyPurpose];

function algorithmOf(purpose: string): Algorithm {
  return ECDSA_PURPOSES.includes(purpose) ? 'ECDSA-P256' : 'Ed25519';
}

type PlatformKeyRow = typeof platformKeys.$inferSelect;

/** The purpose is bound too, so a sealed key copied to a row of another purpose (or id) does not open. */
function sealingContext(purpose: string, id: string): string {
  return `platform_keys:${purpose}:${id}`;
}

/** For `veridity rotate-encryption-key`. */
export const PLATFORM_KEY_SEALED_COLUMNS = [
  sealedColumn({ table: 'platform_keys', column: 'private_key_sealed', primaryKey: ['id'], contextColumns: ['purpose'], associatedData: (row) => sealingContext(row.purpose, row.id) }),
];

function publicJwkOf(publicKey: KeyObject): Ed25519PublicJwk | EcP256PublicJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  return publicKey.asymmetricKeyType === 'ec' ? { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } : { kty: 'OKP', crv: 'Ed25519', x: jwk.x! };
}

export function jwkThumbprint(jwk: Ed25519PublicJwk | EcP256PublicJwk): string {
  // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
  const canonical = jwk.kty === 'EC' ? JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }) : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical).digest('base64url');
}

function generateKeyPair(algorithm: Algorithm) {
  return algorithm === 'ECDSA-P256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
}

/** Whether a private key is of the algorithm its row names (P-256 is `prime256v1` to OpenSSL). */
function isOfAlgorithm(privateKey: KeyObject, algorithm: Algorithm): boolean {
  if (algorithm === 'Ed25519') return privateKey.asymmetricKeyType === 'ed25519';
  return privateKey.asymmetricKeyType === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

function newKeyRow(purpose: AnyKeyPurpose, secretBox: SecretBox) {
  const algorithm = algorithmOf(purpose);
  const { publicKey, privateKey } = generateKeyPair(algorithm);
  const id = jwkThumbprint(publicJwkOf(publicKey));
  return {
    id,
    purpose,
    algorithm,
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privateKeySealed: secretBox.encrypt(privateKey.export({ format: 'der', type: 'pkcs8' }), sealingContext(purpose, id)),
  };
}

/**
 * Opens a stored key. The public half is derived from the decrypted private half, never taken from
 * the row alone: whoever can write the table but lacks the encryption key cannot plant a key.
 * A row that does not add up is corruption or tampering, hence a throw.
 */
function openKeyRow(row: PlatformKeyRow, secretBox: SecretBox): PlatformKey | EcdsaPlatformKey {
  const algorithm = algorithmOf(row.purpose);
  if (row.algorithm !== algorithm) throw new Error(`platform key ${row.id}: unsupported algorithm ${row.algorithm} for ${row.purpose}`);
  const der = secretBox.decrypt(row.privateKeySealed, sealingContext(row.purpose, row.id));
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  if (!isOfAlgorithm(privateKey, algorithm)) throw new Error(`platform key ${row.id}: not an ${algorithm} key`);
  const publicKey = createPublicKey(privateKey);
  const publicJwk = publicJwkOf(publicKey);
  const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const storedPublicKey = createPublicKey(row.publicKey);
  if (jwkThumbprint(publicJwk) !== row.id || !storedPublicKey.equals(publicKey)) {
    throw new Error(`platform key ${row.id}: public key does not match the sealed private key`);
  }
  const opened = { id: row.id, publicKey, publicKeyPem, privateKey, createdAt: row.createdAt, retiredAt: row.retiredAt };
  return publicJwk.kty === 'EC'
    ? { ...opened, purpose: row.purpose as EcdsaKeyPurpose, algorithm: 'ECDSA-P256', publicJwk }
    : { ...opened, purpose: row.purpose as KeyPurpose, algorithm: 'Ed25519', publicJwk };
}

/**
 * Platform signing keys (Ed25519; ECDSA P-256 for the purposes that need it), private halves sealed with the SecretBox. One instance per
 * process: opened keys are cached in memory. A key retired by another replica keeps being used
 * for signing here until this process restarts; its signatures stay verifiable (`keyById`).
 */
export function createPlatformKeys(deps: { db: Db; secretBox: SecretBox }): PlatformKeys {
  type AnyKey = PlatformKey | EcdsaPlatformKey;
  const active = new Map<AnyKeyPurpose, Promise<AnyKey>>();
  const opened = new Map<string, AnyKey>();

  function open(row: PlatformKeyRow): AnyKey {
    let key = opened.get(row.id);
    if (!key) {
      key = openKeyRow(row, deps.secretBox);
      opened.set(row.id, key);
    }
    // A retirement seen later in the database wins over the cached copy.
    return key.retiredAt?.getTime() === row.retiredAt?.getTime() ? key : { ...key, retiredAt: row.retiredAt };
  }

  async function selectActive(purpose: AnyKeyPurpose): Promise<PlatformKeyRow | undefined> {
    const [row] = await deps.db
      .select()
      .from(platformKeys)
      .where(and(eq(platformKeys.purpose, purpose), isNull(platformKeys.retiredAt)));
    return row;
  }

  async function getOrCreateActive(purpose: AnyKeyPurpose): Promise<AnyKey> {
    const existing = await selectActive(purpose);
    if (existing) return open(existing);
    // The partial unique index admits one active key per purpose: a concurrent creator's row wins
    // (ON CONFLICT waits for its transaction), and everybody then reads the same row.
    await deps.db
      .insert(platformKeys)
      .values(newKeyRow(purpose, deps.secretBox))
      .onConflictDoNothing({ target: platformKeys.purpose, where: isNull(platformKeys.retiredAt) });
    const row = await selectActive(purpose);
    if (!row) throw new Error(`no active ${purpose} key after creating one (retired concurrently?)`);
    return open(row);
  }

  // Each key is opened from a row of its purpose, and a purpose has one algorithm: the casts say what openKeyRow checked.
  return {
    activeKey<P extends AnyKeyPurpose>(purpose: P) {
      let pending = active.get(purpose);
      if (!pending) {
        pending = getOrCreateActive(purpose);
        active.set(purpose, pending);
        pending.catch(() => active.delete(purpose));
      }
      return pending as Promise<PlatformKeyOf<P>>;
    },

    async keyById<P extends AnyKeyPurpose>(purpose: P, id: string) {
      const cached = opened.get(id);
      if (cached) return (cached.purpose === purpose ? cached : undefined) as PlatformKeyOf<P> | undefined;
      const [row] = await deps.db
        .select()
        .from(platformKeys)
        .where(and(eq(platformKeys.id, id), eq(platformKeys.purpose, purpose)));
      return (row ? open(row) : undefined) as PlatformKeyOf<P> | undefined;
    },

    async publishedKeys<P extends AnyKeyPurpose>(purpose: P, retiredSince: Date) {
      const rows = await deps.db
        .select()
        .from(platformKeys)
        .where(and(eq(platformKeys.purpose, purpose), or(isNull(platformKeys.retiredAt), gte(platformKeys.retiredAt, retiredSince))))
        .orderBy(platformKeys.createdAt, platformKeys.id);
      return rows.map(open) as PlatformKeyOf<P>[];
    },
  };
}
