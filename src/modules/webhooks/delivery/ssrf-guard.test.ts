import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AddressCategory, HostLookup } from './ssrf-guard.ts';
import { checkWebhookUrl, classifyAddress, isForbiddenAddress } from './ssrf-guard.ts';

// Expected categories come from the IANA special-purpose registries and the cloud providers'
// documented metadata addresses, including both edges of each range.
const NON_PUBLIC: ReadonlyArray<[string, AddressCategory]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'this-network'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.0', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['100.100.100.200', 'cloud-metadata'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'cloud-metadata'],
  ['169.254.170.2', 'cloud-metadata'],
  ['168.63.129.16', 'cloud-metadata'],
  ['169.254.0.1', 'link-local'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.255', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:169.254.169.254', 'cloud-metadata'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['64:ff9b::a00:1', 'private'], // NAT64 of 10.0.0.1
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'cloud-metadata'], // NAT64 of 169.254.169.254
  ['64:ff9b:1::a00:1', 'reserved'], // local-use NAT64 prefix
  ['::127.0.0.1', 'reserved'], // deprecated IPv4-compatible
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['::ffff:127.0.0.1%eth0', 'loopback'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'reserved'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fd00:ec2::254', 'cloud-metadata'],
  ['ff02::1', 'multicast'],
  ['100::1', 'reserved'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001::1', 'reserved'], // Teredo
  ['2002:a00:1::1', 'reserved'], // 6to4 of 10.0.0.1
  ['4000::1', 'reserved'], // outside global unicast
];

const PUBLIC = [
  '1.1.1.1',
  '8.8.8.8',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '169.253.255.255',
  '169.255.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.0',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001::200e',
  '2001:200::1', // just past 2001::/23
  '::ffff:8.8.8.8',
  '64:ff9b::808:808', // NAT64 of 8.8.8.8
  '2606:4700:4700::1111%eth0',
];

test('classifies special-purpose addresses by range', () => {
  for (const [address, category] of NON_PUBLIC) {
    const classification = classifyAddress(address);
    assert.equal(classification.public, false, address);
    assert.equal(!classification.public && classification.category, category, address);
  }
});

test('classifies global unicast addresses, plain or embedded, as public', () => {
  for (const address of PUBLIC) assert.deepEqual(classifyAddress(address), { public: true }, address);
});

test('classifyAddress throws for anything that is not an IP literal', () => {
  for (const input of ['', 'localhost', '127.1', '2130706433', '[::1]', '1.2.3.4.5']) {
    assert.throws(() => classifyAddress(input), TypeError, input);
  }
});

test('without private networks, every non-public address is forbidden', () => {
  const policy = { allowPrivateNetworks: false };
  for (const [address] of NON_PUBLIC) assert.equal(isForbiddenAddress(address, policy), true, address);
  for (const address of PUBLIC) assert.equal(isForbiddenAddress(address, policy), false, address);
  assert.equal(isForbiddenAddress('not-an-ip', policy), true);
});

test('allowing private networks still forbids cloud metadata', () => {
  const policy = { allowPrivateNetworks: true };
  for (const [address, category] of NON_PUBLIC) {
    assert.equal(isForbiddenAddress(address, policy), category === 'cloud-metadata', address);
  }
  assert.equal(isForbiddenAddress('not-an-ip', policy), true);
});

/** A lookup that answers from a table and records what it was asked. */
function fakeLookup(table: Record<string, string[]>): HostLookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}

const strict = { allowPrivateNetworks: false };

test('checkWebhookUrl rejects unsupported schemes, credentials and junk', async () => {
  const lookup = fakeLookup({ 'hooks.example.com': ['93.184.215.14'] });
  const cases: Array<[string, string]> = [
    ['ftp://hooks.example.com/in', 'URL_SCHEME_UNSUPPORTED'],
    ['file:///etc/passwd', 'URL_SCHEME_UNSUPPORTED'],
    ['javascript:alert(1)', 'URL_SCHEME_UNSUPPORTED'],
    ['https://user:pass@hooks.example.com/in', 'URL_HAS_CREDENTIALS'],
    ['https://user@hooks.example.com/in', 'URL_HAS_CREDENTIALS'],
    ['hooks.example.com/in', 'URL_MALFORMED'],
    ['https://', 'URL_MALFORMED'],
  ];
  for (const [url, code] of cases) {
    const result = await checkWebhookUrl(url, { ...strict, lookup });
    assert.equal(result.ok, false, url);
    assert.equal(!result.ok && result.code, code, url);
  }
  assert.deepEqual(lookup.calls, []);
});

test('checkWebhookUrl checks IP literals directly, in every spelling, without a lookup', async () => {
  const lookup = fakeLookup({});
  for (const url of [
    'http://127.0.0.1/',
    'http://127.1:8080/',
    'http://2130706433/', // decimal 127.0.0.1
    'http://0x7f.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a00:1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://10.0.0.1/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://[64:ff9b::a00:1]/',
  ]) {
    const result = await checkWebhookUrl(url, { ...strict, lookup });
    assert.equal(result.ok, false, url);
    assert.equal(!result.ok && result.code, 'ADDRESS_FORBIDDEN', url);
  }
  assert.deepEqual(await checkWebhookUrl('https://8.8.8.8/hook', { ...strict, lookup }), {
    ok: true,
    url: 'https://8.8.8.8/hook',
    addresses: ['8.8.8.8'],
  });
  assert.deepEqual(lookup.calls, []);
});

test('checkWebhookUrl resolves names and requires every address to be allowed', async () => {
  const lookup = fakeLookup({
    'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'internal.example.com': ['10.1.2.3'],
    'rebind.example.com': ['93.184.215.14', '127.0.0.1'],
    'metadata.example.com': ['169.254.169.254'],
    'localhost': ['127.0.0.1', '::1'],
    'empty.example.com': [],
    'garbage.example.com': ['not-an-address'],
  });
  assert.deepEqual(await checkWebhookUrl('https://hooks.example.com/in', { ...strict, lookup }), {
    ok: true,
    url: 'https://hooks.example.com/in',
    addresses: ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  });
  for (const host of ['internal.example.com', 'rebind.example.com', 'metadata.example.com', 'localhost', 'garbage.example.com']) {
    const result = await checkWebhookUrl(`https://${host}/in`, { ...strict, lookup });
    assert.equal(!result.ok && result.code, 'ADDRESS_FORBIDDEN', host);
    // The message must not reveal internal DNS data to the partner who typed the URL.
    assert.equal(!result.ok && /\d+\.\d+\.\d+\.\d+|::/.test(result.message), false, host);
  }
  for (const host of ['empty.example.com', 'unknown.example.com']) {
    const result = await checkWebhookUrl(`https://${host}/in`, { ...strict, lookup });
    assert.equal(!result.ok && result.code, 'HOST_UNRESOLVABLE', host);
  }
});

test('with private networks allowed, loopback and LAN names pass but metadata does not', async () => {
  const lookup = fakeLookup({ localhost: ['127.0.0.1', '::1'], 'metadata.example.com': ['169.254.169.254'] });
  const lan = { allowPrivateNetworks: true, lookup };
  assert.equal((await checkWebhookUrl('http://localhost:3000/hook', lan)).ok, true);
  assert.equal((await checkWebhookUrl('http://192.168.1.20/hook', lan)).ok, true);
  for (const url of ['http://169.254.169.254/', 'http://metadata.example.com/', 'http://[::ffff:169.254.169.254]/']) {
    const result = await checkWebhookUrl(url, lan);
    assert.equal(!result.ok && result.code, 'ADDRESS_FORBIDDEN', url);
  }
});
