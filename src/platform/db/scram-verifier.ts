import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** Printable ASCII: SASLprep leaves such a password as it is, so the verifier below is PostgreSQL's own. */
export const SCRAM_PASSWORD = /^[\x20-\x7e]{1,1024}$/;

/**
 * PostgreSQL's SCRAM-SHA-256 verifier of a password, as psql's `\password` computes it client-side:
 * `ALTER ROLE ... PASSWORD '<verifier>'` then never sends the password itself, so it cannot land in
 * the server's log or in pg_stat_statements. Only for SCRAM_PASSWORD passwords.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  if (!SCRAM_PASSWORD.test(password)) throw new Error('a SCRAM verifier is computed here for printable ASCII passwords only');
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
