import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmailAddress } from './schema.ts';

test('one plain mailbox is an address; display names, lists, line breaks and bare hosts are not', () => {
  for (const ok of ['ops@acme.example', 'first.last+tag@mail.acme.example', "o'brien@x.co", 'a@xn--bcher-kva.example']) assert.ok(EmailAddress.safeParse(ok).success, ok);
  for (const bad of ['', 'ops', 'ops@', '@acme.example', 'ops@localhost', 'ops@acme..example', 'ops..x@acme.example', 'ops.@acme.example', 'Ops <ops@acme.example>', 'a@acme.example,b@acme.example', 'a@acme.example\r\nBcc: b@acme.example', 'a b@acme.example', `${'a'.repeat(65)}@acme.example`, `a@${'b'.repeat(250)}.example`, 'ops@-acme.example']) {
    assert.ok(!EmailAddress.safeParse(bad).success, JSON.stringify(bad));
  }
});
