import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { composeStatements, uniqueViolation } from './statement.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase({ migrate: false });
  await database.pool.query('CREATE TABLE claims (key text PRIMARY KEY, at int NOT NULL); CREATE TABLE notes (note text NOT NULL, n int NOT NULL)');
});
after(async () => database.drop());

const claim = (keys: string[], at: number) => ({ text: 'INSERT INTO claims (key, at) SELECT key, $2 FROM unnest($1::text[]) AS key', values: [keys, at] });
const note = (notes: string[], n: number) => ({ text: 'INSERT INTO notes (note, n) SELECT note, $2 FROM unnest($1::text[]) AS note', values: [notes, n] });

test('composed statements run as one, each with its own values (placeholders renumbered)', async () => {
  const composed = composeStatements([claim(['a', 'b'], 1), note(['x'], 2), note(['y', 'z'], 3)]);
  assert.equal(composed.values.length, 6);
  await database.pool.query(composed);
  assert.deepEqual((await database.pool.query('SELECT key, at FROM claims ORDER BY key')).rows, [{ key: 'a', at: 1 }, { key: 'b', at: 1 }]);
  assert.deepEqual((await database.pool.query('SELECT note, n FROM notes ORDER BY note')).rows, [{ note: 'x', n: 2 }, { note: 'y', n: 3 }, { note: 'z', n: 3 }]);
});

test('one part failing changes nothing: the composed statement is atomic', async () => {
  const before = await database.pool.query('SELECT count(*)::int AS n FROM notes');
  const error = await database.pool.query(composeStatements([note(['kept?'], 9), claim(['fresh', 'a'], 4)])).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  assert.equal(uniqueViolation(error), 'claims_pkey');
  assert.deepEqual((await database.pool.query('SELECT count(*)::int AS n FROM notes')).rows, before.rows);
  assert.equal((await database.pool.query(`SELECT 1 FROM claims WHERE key = 'fresh'`)).rowCount, 0);
});

test('the same parts compose to the same prepared statement name; other parts to another', () => {
  assert.equal(composeStatements([claim(['a'], 1), note(['b'], 2)]).name, composeStatements([claim(['c', 'd'], 5), note([], 6)]).name);
  assert.notEqual(composeStatements([claim(['a'], 1), note(['b'], 2)]).name, composeStatements([note(['b'], 2), claim(['a'], 1)]).name);
});

test('a placeholder beyond its part`s values is refused, not bound to a neighbour`s value', () => {
  assert.throws(() => composeStatements([{ text: 'SELECT $2', values: [1] }, note(['x'], 1)]), /\$2 in a statement with 1 values/);
  assert.throws(() => composeStatements([]), /no statements/);
});
