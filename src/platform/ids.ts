import { randomFillSync } from 'node:crypto';

/**
 * Type-prefixed, time-ordered public ids in the TypeID shape: `<prefix>_<26 chars>`.
 * The 26 characters are the Crockford base32 form of a UUIDv7, so ids sort by creation
 * time (good for B-tree locality and cursor pagination) and carry 74 random bits.
 */
export const ID_PREFIXES = {
  client: 'cli',
  /** One of a partner's API keys (src/modules/clients, migration 0034). */
  apiKey: 'key',
  request: 'req',
  audit: 'aud',
  adminToken: 'adm',
  proof: 'prf',
  proofRequest: 'vrq',
  issuer: 'iss',
  circuit: 'cir',
  task: 'tsk',
  webhookDelivery: 'whk',
  webhookAttempt: 'wha',
  evidence: 'evd',
  trustAnchor: 'tra',
  certificate: 'crt',
  agentCa: 'aca',
  enrollment: 'aen',
  agent: 'agt',
  /** An agent of the public agent registry (src/modules/agents), not an enrolled evidence agent (`agt`). */
  registryAgent: 'agr',
  /** An ownership challenge a registry agent's controller signs. */
  registryChallenge: 'agc',
  /** A registry agent's work record, a validation of it, and feedback on the agent. */
  registryWork: 'wrk',
  registryValidation: 'val',
  registryFeedback: 'fbk',
  /** An x402 payment recorded (src/modules/x402). */
  x402Settlement: 'stl',
  notification: 'ntf',
  notificationAttempt: 'nta',
  /** One cycle of the global manager (src/modules/global-manager). */
  globalManagerCycle: 'gmc',
  /** A partner's monthly invoice (src/modules/billing/invoices). */
  invoice: 'inv',
  /** A transaction of a partner's prepaid balance ledger (src/modules/billing). */
  balanceTransaction: 'btx',
  /** A web console session (src/modules/console-sessions), a wallet and an OIDC identity linked to a partner for console sign-in. */
  consoleSession: 'ses',
  consoleWallet: 'wal',
  consoleOidcUser: 'oiu',
} as const;

export type IdPrefix = (typeof ID_PREFIXES)[keyof typeof ID_PREFIXES];

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

// A call into OpenSSL for every id cost ~2 % of the main thread under load (several ids a request):
// ids draw their random bytes from a buffer refilled 4 KiB at a time, as crypto.randomUUID does.
const RANDOM_POOL_BYTES = 4096;
const randomPool = Buffer.alloc(RANDOM_POOL_BYTES);
let randomPoolOffset = RANDOM_POOL_BYTES;

/** 16 random bytes of their own (copied out of the pool, which is never handed out twice). */
function random16(): Buffer {
  if (randomPoolOffset + 16 > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const bytes = Buffer.from(randomPool.subarray(randomPoolOffset, randomPoolOffset + 16));
  randomPoolOffset += 16;
  return bytes;
}

export function uuidV7Bytes(nowMs: number = Date.now()): Buffer {
  const bytes = random16();
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytes;
}

/**
 * 128 bits (16 bytes) -> 26 base32 characters, the first carrying the top 3 bits (TypeID encoding).
 * Five bits at a time from the last byte, with no BigInt: ids are made several times a request.
 */
export function encodeBase32(bytes: Uint8Array): string {
  const chars = new Array<string>(26);
  let buffer = 0;
  let bits = 0;
  let next = bytes.length - 1;
  for (let i = 25; i >= 0; i--) {
    if (bits < 5 && next >= 0) {
      buffer |= bytes[next--]! << bits;
      bits += 8;
    }
    chars[i] = CROCKFORD[buffer & 31]!;
    buffer >>>= 5;
    bits -= 5;
  }
  return chars.join('');
}

export function newId(prefix: IdPrefix, nowMs?: number): string {
  return `${prefix}_${encodeBase32(uuidV7Bytes(nowMs))}`;
}

const ID_PATTERN = /^[a-z]{2,8}_[0-7][0-9a-hjkmnp-tv-z]{25}$/;

export function isId(value: string, prefix: IdPrefix): boolean {
  return value.startsWith(prefix + '_') && ID_PATTERN.test(value);
}
