import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

/** node-postgres's own SCRAM client (what the pool runs against a password-checking server). */
type ScramSession = { clientNonce: string; response: string; message: string };
const sasl = createRequire(import.meta.url)('pg/lib/crypto/sasl.js') as {
  startSession(mechanisms: string[]): ScramSession;
  continueSession(session: ScramSession, password: string, serverData: string): Promise<void>;
  finalizeSession(session: ScramSession, serverData: string): void;
};

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/**
 * Whether a stored SCRAM-SHA-256 verifier (pg_authid.rolpassword) lets `password` in: the server's
 * side of the exchange (RFC 5802, as PostgreSQL does it) played against node-postgres's client, so
 * a verifier is checked by an implementation other than the one that made it. The client's proof is
 * checked with StoredKey, and the client checks the server's signature made with ServerKey.
 */
export async function scramAccepts(verifier: string, password: string): Promise<boolean> {
  const parts = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!parts) throw new Error(`not a SCRAM-SHA-256 verifier: ${verifier.slice(0, 14)}...`);
  const [, iterations, salt, storedKey, serverKey] = parts;
  const session = sasl.startSession(['SCRAM-SHA-256']);
  const clientFirstBare = session.response.replace(/^n,,/, '');
  const serverFirst = `r=${session.clientNonce}${randomBytes(18).toString('base64')},s=${salt},i=${iterations}`;
  await sasl.continueSession(session, password, serverFirst);
  const [, withoutProof, proof] = /^(.*),p=(.+)$/.exec(session.response)!;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(Buffer.from(storedKey!, 'base64'), authMessage);
  const clientKey = Buffer.from(proof!, 'base64').map((byte, i) => byte ^ signature[i]!);
  if (!timingSafeEqual(createHash('sha256').update(clientKey).digest(), Buffer.from(storedKey!, 'base64'))) return false;
  sasl.finalizeSession(session, `v=${hmac(Buffer.from(serverKey!, 'base64'), authMessage).toString('base64')}`);
  return true;
}
