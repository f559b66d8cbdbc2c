import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { and, eq, gte, isNull, or } from 'drizzle-orm';
import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { Db } from '#platform/db/database.ts';
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

/** What a key signs; a key never serves two purposes (the purpose is bound into its sealed private half). */
export type KeyPurpose = 'oauth' | 'ledger' | 'attestation-results';

/** An Ed25519 public key as a JWK (RFC 8037). */
export type Ed25519PublicJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string };

export type PlatformKey = {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key: anyone can recompute it. */
  id: string;
  purpose: KeyPurpose;
  algorithm: 'Ed25519';
  publicKey: KeyObject;
  publicKeyPem: string;
  publicJwk: Ed25519PublicJwk;
  privateKey: KeyObject;
  createdAt: Date;
  retiredAt: Date | null;
};

export type PlatformKeys = {
  /** The active signing key of the purpose, created on first use; replicas starting together end up with one. */
  activeKey(purpose: KeyPurpose): Promise<PlatformKey>;
  /** A key of the purpose by id, active or retired (to verify what it signed); undefined when there is none. */
  keyById(purpose: KeyPurpose, id: string): Promise<PlatformKey | undefined>;
  /** The active key and the keys retired at or after `retiredSince`, oldest first (what a JWKS publishes). */
  publishedKeys(purpose: KeyPurpose, retiredSince: Date): Promise<PlatformKey[]>;
};

const ALGORITHM = 'Ed25519';

type PlatformKeyRow = typeof platformKeys.$inferSelect;

/** The purpose is bound too, so a sealed key copied to a row of another purpose (or id) does not open. */
function sealingContext(purpose: string, id: string): string {
  return `platform_keys:${purpose}:${id}`;
}

function publicJwkOf(publicKey: KeyObject): Ed25519PublicJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x! };
}

export function jwkThumbprint(jwk: Ed25519PublicJwk): string {
  // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical).digest('base64url');
}

function newKeyRow(purpose: KeyPurpose, secretBox: SecretBox) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const id = jwkThumbprint(publicJwkOf(publicKey));
  return {
    id,
    purpose,
    algorithm: ALGORITHM,
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privateKeySealed: secretBox.encrypt(privateKey.export({ format: 'der', type: 'pkcs8' }), sealingContext(purpose, id)),
  };
}

/**
 * Opens a stored key. The public half is derived from the decrypted private half, never taken from
 * the row alone: whoever can write the table but lacks the encryption key cannot plant a key.
 * A row that does not add up is corruption or tampering, hence a throw.
 */
function openKeyRow(row: PlatformKeyRow, secretBox: SecretBox): PlatformKey {
  if (row.algorithm !== ALGORITHM) throw new Error(`platform key ${row.id}: unsupported algorithm ${row.algorithm}`);
  const der = secretBox.decrypt(row.privateKeySealed, sealingContext(row.purpose, row.id));
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`platform key ${row.id}: not an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  const publicJwk = publicJwkOf(publicKey);
  const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const storedPublicKey = createPublicKey(row.publicKey);
  if (jwkThumbprint(publicJwk) !== row.id || !storedPublicKey.equals(publicKey)) {
    throw new Error(`platform key ${row.id}: public key does not match the sealed private key`);
  }
  return {
    id: row.id,
    purpose: row.purpose as KeyPurpose,
    algorithm: ALGORITHM,
    publicKey,
    publicKeyPem,
    publicJwk,
    privateKey,
    createdAt: row.createdAt,
    retiredAt: row.retiredAt,
  };
}

/**
 * Platform signing keys (Ed25519), private halves sealed with the SecretBox. One instance per
 * process: opened keys are cached in memory. A key retired by another replica keeps being used
 * for signing here until this process restarts; its signatures stay verifiable (`keyById`).
 */
export function createPlatformKeys(deps: { db: Db; secretBox: SecretBox }): PlatformKeys {
  const active = new Map<KeyPurpose, Promise<PlatformKey>>();
  const opened = new Map<string, PlatformKey>();

  function open(row: PlatformKeyRow): PlatformKey {
    let key = opened.get(row.id);
    if (!key) {
      key = openKeyRow(row, deps.secretBox);
      opened.set(row.id, key);
    }
    // A retirement seen later in the database wins over the cached copy.
    return key.retiredAt?.getTime() === row.retiredAt?.getTime() ? key : { ...key, retiredAt: row.retiredAt };
  }

  async function selectActive(purpose: KeyPurpose): Promise<PlatformKeyRow | undefined> {
    const [row] = await deps.db
      .select()
      .from(platformKeys)
      .where(and(eq(platformKeys.purpose, purpose), isNull(platformKeys.retiredAt)));
    return row;
  }

  async function getOrCreateActive(purpose: KeyPurpose): Promise<PlatformKey> {
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

  return {
    activeKey(purpose) {
      let pending = active.get(purpose);
      if (!pending) {
        pending = getOrCreateActive(purpose);
        active.set(purpose, pending);
        pending.catch(() => active.delete(purpose));
      }
      return pending;
    },

    async keyById(purpose, id) {
      const cached = opened.get(id);
      if (cached) return cached.purpose === purpose ? cached : undefined;
      const [row] = await deps.db
        .select()
        .from(platformKeys)
        .where(and(eq(platformKeys.id, id), eq(platformKeys.purpose, purpose)));
      return row ? open(row) : undefined;
    },

    async publishedKeys(purpose, retiredSince) {
      const rows = await deps.db
        .select()
        .from(platformKeys)
        .where(and(eq(platformKeys.purpose, purpose), or(isNull(platformKeys.retiredAt), gte(platformKeys.retiredAt, retiredSince))))
        .orderBy(platformKeys.createdAt, platformKeys.id);
      return rows.map(open);
    },
  };
}
