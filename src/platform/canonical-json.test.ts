import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalize, canonicalJsonBytes } from './canonical-json.ts';

function doubleFromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

// RFC 8785 section 3.2.2 (input) and 3.2.3 (output); the UTF-8 bytes are section 3.2.4.
test('RFC 8785 section 3.2 example: numbers, escaping, literals', () => {
  const input = String.raw`{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  }`;
  const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
  assert.equal(canonicalize(JSON.parse(input)), expected);
  const expectedUtf8Hex =
    '7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b333333333333333333' +
    '2e333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c7530' +
    '3030665c6e4127425c225c5c5c5c5c222f227d';
  assert.equal(canonicalJsonBytes(JSON.parse(input)).toString('hex'), expectedUtf8Hex);
});

// RFC 8785 section 3.2.3: property names sort by UTF-16 code units, so the emoji (surrogate pair
// starting 0xD83D) sorts before U+FB33 although its code point is larger.
test('RFC 8785 section 3.2.3 example: property sorting by UTF-16 code units', () => {
  const input = String.raw`{
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  }`;
  const expected =
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
    '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
  assert.equal(canonicalize(JSON.parse(input)), expected);
});

// RFC 8785 Appendix B: IEEE 754 bit patterns and their required serialisation.
test('RFC 8785 Appendix B number serialisation samples', () => {
  const samples: [string, string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  for (const [bits, expected] of samples) {
    assert.equal(canonicalize(doubleFromBits(bits)), expected, bits);
  }
  // Appendix B rows for NaN and Infinity: no JSON representation.
  for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
    assert.throws(() => canonicalize([doubleFromBits(bits)]), TypeError, bits);
  }
});

// cyberphone/json-canonicalization testdata (the reference implementation's test suite).
test('JCS reference test data: structures, arrays, unicode, weird keys', () => {
  const cases: [string, string][] = [
    [
      '{"1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0}, "10": { }, "": "empty", "a": { }, "111": [ { } ], "A": { }}',
      '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}',
    ],
    ['[56, {"d": true, "10": null, "1": [ ]}]', '[56,{"1":[],"10":null,"d":true}]'],
    // Unicode is not normalised: U+1E0D U+0307 stays as is.
    ['{"Unnormalized Unicode":"\\u1e0d\\u0307"}', '{"Unnormalized Unicode":"\u1e0d\u0307"}'],
    [
      '{"\\u20ac": "Euro Sign", "1": "One", "\\u0080": "Control\\u007f", "\\ud83d\\ude02": "Smiley",' +
        ' "\\u00f6": "Latin Small Letter O With Diaeresis", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "</script>": "Browser Challenge"}',
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    ],
  ];
  for (const [input, expected] of cases) assert.equal(canonicalize(JSON.parse(input)), expected);
});

test('edge cases: -0, 1e21 boundary, nested arrays, key order independence', () => {
  assert.equal(canonicalize(-0), '0');
  assert.equal(canonicalize({ z: -0 }), '{"z":0}');
  assert.equal(canonicalize(1e21), '1e+21');
  assert.equal(canonicalize(1e20), '100000000000000000000');
  assert.equal(canonicalize(1e-7), '1e-7');
  assert.equal(canonicalize([[[]], [1, [2, [3, { b: [], a: [{}] }]]]]), '[[[]],[1,[2,[3,{"a":[{}],"b":[]}]]]]');
  assert.equal(canonicalize({ b: 1, a: { d: 2, c: 3 } }), canonicalize({ a: { c: 3, d: 2 }, b: 1 }));
  // Code-unit order, not locale order: uppercase before lowercase, "a" before "aa" before "b".
  assert.equal(canonicalize({ b: 0, aa: 0, a: 0, B: 0 }), '{"B":0,"a":0,"aa":0,"b":0}');
  // Astral characters above U+FFFF among BMP private-use characters: code units, not code points.
  assert.equal(canonicalize({ '\ue000': 1, '\u{1f600}': 2, a: 3 }), '{"a":3,"\u{1f600}":2,"\ue000":1}');
  assert.equal(canonicalize('\u2028\u2029\u001f\u007f'), '"\u2028\u2029\\u001f\u007f"');
  assert.equal(canonicalize(Object.assign(Object.create(null), { k: 'v' })), '{"k":"v"}');
});

test('values outside the JSON data model are rejected, not coerced', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const rejected: unknown[] = [
    undefined,
    { a: undefined },
    [undefined],
    new Array(2),
    NaN,
    Infinity,
    10n,
    new Date(0),
    new Map(),
    () => 1,
    Symbol('s'),
    '\ud800',
    { '\udc00': 1 },
    cyclic,
  ];
  for (const value of rejected) assert.throws(() => canonicalize(value), TypeError);
  // A repeated (non-cyclic) reference is fine.
  const shared = { x: 1 };
  assert.equal(canonicalize([shared, shared]), '[{"x":1},{"x":1}]');
});

test('bytes are the UTF-8 encoding of the canonical text', () => {
  const bytes = canonicalJsonBytes({ euro: '€' });
  assert.deepEqual([...bytes.subarray(9, 12)], [0xe2, 0x82, 0xac]);
  // Hash stability: the same logical value gives the same digest regardless of key order.
  const digest = (v: unknown) => createHash('sha256').update(canonicalJsonBytes(v)).digest('hex');
  assert.equal(digest({ a: 1, b: [true, null] }), digest({ b: [true, null], a: 1 }));
});
