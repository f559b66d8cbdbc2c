// The naive baseline, as a team would write it from the seed API: POST /api/v1/verify checks the
// X-Api-Key, calls snarkjs.groth16.verify and inserts one row per request with `pg`. Nothing else:
// no nonce store, no ledger, no metering, no webhooks, no semantic checks of the public signals.
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import * as snarkjs from 'snarkjs';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS partners (id serial PRIMARY KEY, api_key_hash text UNIQUE NOT NULL, scopes text[] NOT NULL);
  CREATE TABLE IF NOT EXISTS verifications (
    id bigserial PRIMARY KEY, partner_id int NOT NULL REFERENCES partners(id), claim_type text NOT NULL,
    circuit_version text NOT NULL, valid boolean NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`;

/** The seed's ProofVerifyRequest, as a JSON schema for Fastify's own validation. */
const VERIFY_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['claim_type', 'circuit_version', 'proof', 'public_signals', 'request'],
  properties: {
    claim_type: { type: 'string', enum: ['age_over_18', 'age_over_21', 'citizenship', 'education', 'income_gte'] },
    circuit_version: { type: 'string' },
    proof: { type: 'object' },
    public_signals: { type: 'array', items: { type: 'string' } },
    request: { type: 'object', required: ['nonce', 'verifier_domain'], properties: { nonce: { type: 'string' }, verifier_domain: { type: 'string' } } },
  },
} as const;

type VerifyBody = { claim_type: string; circuit_version: string; proof: snarkjs.Groth16Proof; public_signals: string[] };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function createSchema(pool: pg.Pool): Promise<void> {
  await pool.query(SCHEMA);
}

export function buildBaselineApp(pool: pg.Pool, verificationKey: snarkjs.VerificationKey) {
  const app = Fastify({ logger: { level: 'warn' } });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.post<{ Body: VerifyBody }>('/api/v1/verify', { schema: { body: VERIFY_BODY } }, async (request, reply) => {
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey !== 'string') return reply.code(401).send({ error: 'missing API key' });
    const partner = await pool.query<{ id: number; scopes: string[] }>('SELECT id, scopes FROM partners WHERE api_key_hash = $1', [sha256(apiKey)]);
    const row = partner.rows[0];
    if (!row) return reply.code(401).send({ error: 'invalid API key' });
    const { claim_type, circuit_version, proof, public_signals } = request.body;
    if (!row.scopes.includes(claim_type)) return reply.code(403).send({ error: `not allowed: ${claim_type}` });
    let valid: boolean;
    try {
      valid = await snarkjs.groth16.verify(verificationKey, public_signals, proof);
    } catch {
      return reply.code(400).send({ error: 'malformed proof' });
    }
    await pool.query('INSERT INTO verifications (partner_id, claim_type, circuit_version, valid) VALUES ($1, $2, $3, $4)', [row.id, claim_type, circuit_version, valid]);
    return reply.code(valid ? 200 : 422).send({ status: valid ? 'verified' : 'failed' });
  });
  return app;
}

/** Partners are the bench's: their API keys stored hashed, as the real server does. */
export async function insertPartners(pool: pg.Pool, apiKeys: string[], scopes: string[]): Promise<void> {
  await pool.query('INSERT INTO partners (api_key_hash, scopes) SELECT unnest($1::text[]), $2', [apiKeys.map(sha256), scopes]);
}
