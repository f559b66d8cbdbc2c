import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startChangeFeed } from '#platform/db/change-feed.ts';
import { wrapPool } from '#platform/db/database.ts';
import { createPool } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { systemClock } from '#platform/clock.ts';
import { freePort } from '#platform/net/free-port.ts';
import { CLI_ACTOR } from '#modules/audit/record-audit.ts';
import { createClientAuthCache } from '#modules/clients/client-auth-cache.ts';
import { disableClient } from '#modules/clients/disable-client.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver } from '#test/support/holder.ts';
import { waitFor } from '#test/support/processes.ts';
import { createPartner, createTestApp, type TestApp } from '#test/support/test-app.ts';

const silent = createLogger('silent');

describe('rows served from memory while the change feed is live', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ bundledCircuits: true });
  });
  after(async () => {
    await releaseProver();
    await t.close();
  });

  const me = (apiKey: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-api-key': apiKey } });

  it('a partner disabled by another process (an operator command) is refused as soon as the database announces it', async () => {
    const partner = await createPartner(t);
    assert.equal((await me(partner.api_key)).statusCode, 200);
    assert.equal((await me(partner.api_key)).statusCode, 200, 'served again, now from memory');

    // Its own pool, as `veridity admin disable-client` has: the API process hears of it only from PostgreSQL.
    const operatorPool = createPool(t.database.url, { max: 1, log: silent });
    try {
      await disableClient({ db: wrapPool(operatorPool), clock: systemClock }, partner.id, CLI_ACTOR);
    } finally {
      await operatorPool.end();
    }
    await waitFor(async () => (await me(partner.api_key)).statusCode === 401, 5_000, 'the disabled key to be refused');
  });

  it('a circuit disabled by another process is refused by the verify path as soon as the database announces it', async () => {
    const partner = await createPartner(t);
    // Refused after the circuit lookup: MALFORMED_PROOF while the circuit is enabled, UNKNOWN_CIRCUIT once it is not.
    const verifyCode = async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/verify',
        headers: { 'x-api-key': partner.api_key },
        payload: {
          claim_type: 'age_over_18',
          circuit_version: '1.0.0',
          proof: { pi_a: ['1', '2', '1'], pi_b: [['1', '2'], ['3', '4'], ['1', '0']], pi_c: ['1', '2', '1'], protocol: 'groth16', curve: 'bn128' },
          public_signals: ['1', '1', '1', '1', '1', '1', '1'],
          request: { nonce: '0x0123456789abcdef0123', verifier_domain: 'bank.example' },
        },
      });
      return response.json().error_code as string;
    };
    assert.equal(await verifyCode(), 'MALFORMED_PROOF');
    assert.equal(await verifyCode(), 'MALFORMED_PROOF', 'served again, now from memory');
    const operatorPool = createPool(t.database.url, { max: 1, log: silent });
    try {
      await operatorPool.query("UPDATE circuit_versions SET enabled = false WHERE claim_type = 'age_over_18' AND semver = '1.0.0'");
    } finally {
      await operatorPool.end();
    }
    await waitFor(async () => (await verifyCode()) === 'UNKNOWN_CIRCUIT', 5_000, 'the disabled circuit to be refused');
  });

  // Two ways to stop trusting an issuer: the operator API in this process (its cache forgets at
  // once), or another process (heard from PostgreSQL). A proof its credential made, sent by a new
  // partner each time (a nonce is single-use per partner), shows whether it is still trusted.
  for (const [way, nonce] of [['by the operator API of this process', 'cached-issuer-trust-0001'], ['by another process', 'cached-issuer-trust-0002']] as const) {
    it(`an issuer disabled ${way}: its credentials are untrusted as soon as it is known`, async () => {
      const issuer = await generateIssuerKey();
      const registered = await t.admin('POST', '/api/admin/issuers', { name: 'Cached Registry', public_key: issuer.publicKey, claim_types: ['age_over_21'] });
      assert.equal(registered.statusCode, 201, registered.body);
      const holder = await prove(await issueCredential(issuer, attributes()), 'age_over_21', { nonce, verifierDomain: 'bank.example', param: 21n });
      const verifyAsNewPartner = async () => {
        const partner = await createPartner(t, { scopes: ['age_over_21'] });
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/verify',
          headers: { 'x-api-key': partner.api_key },
          payload: { claim_type: 'age_over_21', circuit_version: '1.0.0', proof: holder.proof, public_signals: holder.publicSignals, request: { nonce, verifier_domain: 'bank.example' } },
        });
        return response.statusCode === 200 ? 'verified' : (response.json().error_code as string);
      };
      assert.equal(await verifyAsNewPartner(), 'verified');
      assert.equal(await verifyAsNewPartner(), 'verified', 'trusted again, now from memory');
      if (way === 'by the operator API of this process') {
        assert.equal((await t.admin('DELETE', `/api/admin/issuers/${registered.json().id}`)).statusCode, 200);
        assert.equal(await verifyAsNewPartner(), 'UNTRUSTED_ISSUER');
        return;
      }
      const operatorPool = createPool(t.database.url, { max: 1, log: silent });
      try {
        await operatorPool.query('UPDATE issuers SET disabled_at = now() WHERE id = $1', [registered.json().id]);
      } finally {
        await operatorPool.end();
      }
      await waitFor(async () => (await verifyAsNewPartner()) === 'UNTRUSTED_ISSUER', 5_000, 'the disabled issuer to be untrusted');
    });
  }

  it('serves from memory only while the feed is live, and keeps no read that raced a change', async () => {
    const partner = await createPartner(t);
    const feed = startChangeFeed({ connectionString: t.database.url, log: silent });
    try {
      await waitFor(async () => feed.live(), 5_000, 'the feed to listen');
      const cache = createClientAuthCache<{ id: string; reads: number }>(feed);
      let reads = 0;
      const find = () => cache.find(`id:${partner.id}`, async () => ({ id: partner.id, reads: ++reads }), (lookup) => lookup.id);
      assert.equal((await find()).reads, 1);
      assert.equal((await find()).reads, 1, 'the second lookup is served from memory');

      await t.database.pool.query("UPDATE api_clients SET scopes = '{age_over_21}' WHERE id = $1", [partner.id]);
      await waitFor(async () => (await find()).reads > 1, 5_000, 'the change to evict the entry');

      // A change heard while a read is in flight: that read is answered but not kept.
      cache.forget(partner.id);
      const racing = cache.find(`id:${partner.id}`, async () => {
        cache.forget(partner.id);
        return { id: partner.id, reads: ++reads };
      }, (lookup) => lookup.id);
      const raced = (await racing).reads;
      assert.equal((await find()).reads, raced + 1, 'the raced read was not kept');
    } finally {
      await feed.close();
    }
    assert.equal(feed.live(), false);
  });

  it('concurrent lookups of one key share one read, unless a change was heard since it started', async () => {
    const partner = await createPartner(t);
    const feed = startChangeFeed({ connectionString: t.database.url, log: silent });
    try {
      await waitFor(async () => feed.live(), 5_000, 'the feed to listen');
      const cache = createClientAuthCache<{ id: string; read: number }>(feed);
      let reads = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slowFind = () => cache.find(`id:${partner.id}`, async () => {
        const read = ++reads;
        await gate;
        return { id: partner.id, read };
      }, (lookup) => lookup.id);
      const first = [slowFind(), slowFind(), slowFind()];
      cache.forget('cli_another_row'); // a change heard meanwhile: a later lookup reads for itself
      const afterChange = slowFind();
      release();
      assert.deepEqual((await Promise.all(first)).map((lookup) => lookup.read), [1, 1, 1]);
      assert.equal((await afterChange).read, 2);
      assert.equal(reads, 2);
    } finally {
      await feed.close();
    }
  });

  it('without a database to listen to, every lookup reads through', async () => {
    const feed = startChangeFeed({ connectionString: `postgres://nobody@127.0.0.1:${await freePort()}/none`, log: silent });
    try {
      const cache = createClientAuthCache<{ id: string; reads: number }>(feed);
      let reads = 0;
      const find = () => cache.find('id:cli_x', async () => ({ id: 'cli_x', reads: ++reads }), (lookup) => lookup.id);
      await find();
      await find();
      assert.equal(reads, 2);
    } finally {
      await feed.close();
    }
  });
});
