import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { createNonceStateReader } from './read-nonce-states.ts';

let database: TestDatabase;

before(async () => {
  database = await createTestDatabase();
  await database.pool.query(`INSERT INTO api_clients (id, name, scopes) VALUES ('cli_a', 'A', '{age_over_18}'), ('cli_b', 'B', '{age_over_18}')`);
  await database.pool.query(`INSERT INTO used_nonces (client_id, nonce) VALUES ('cli_a', '0x01')`);
  await database.pool.query(
    `INSERT INTO proof_requests (id, client_id, claim_type, nonce, verifier_domain, params, expires_at)
     VALUES ('vrq_b', 'cli_b', 'age_over_18', '0x02', 'shop.example', '{"min_age": 18}', '2030-01-01T00:00:00Z')`,
  );
});
after(() => database.drop());

test('verifications asking together get each its own nonce state from one read', async () => {
  const queries: unknown[] = [];
  const counted = new Proxy(database.pool, {
    get: (pool, property) => (property === 'query' ? (...args: Parameters<typeof pool.query>) => (queries.push(args[0]), pool.query(...args)) : Reflect.get(pool, property)),
  });
  const read = createNonceStateReader({ pool: counted });
  const states = await Promise.all([read('0x01', 'cli_a'), read('0x01', 'cli_b'), read('0x02', 'cli_a'), read('0x02', 'cli_b'), read('0x03', 'cli_a')]);
  const request = { id: 'vrq_b', client_id: 'cli_b', claim_type: 'age_over_18', verifier_domain: 'shop.example', params: { min_age: 18 }, expires_at: new Date('2030-01-01T00:00:00Z') };
  assert.deepEqual(states, [
    { used: true, proofRequest: undefined },
    { used: false, proofRequest: undefined },
    { used: false, proofRequest: request },
    { used: false, proofRequest: request },
    { used: false, proofRequest: undefined },
  ]);
  assert.equal(queries.length, 1);
});
