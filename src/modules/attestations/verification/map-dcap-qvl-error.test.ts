import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { mapDcapQvlError } from './map-dcap-qvl-error.ts';

// The library files whose errors can surface from verify(): quote parsing errors are wrapped as
// "Failed to decode quote" there, and collateral.js / crypto-compat.js are network and browser code.
const VERIFY_PATH_FILES = ['verify.js', 'utils.js'];

function thrownMessages(source: string): string[] {
  const messages: string[] = [];
  for (const match of source.matchAll(/throw new Error\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)) {
    // Keep the static prefix of template literals: the rules match message starts.
    messages.push(match[2]!.split('${')[0]!);
  }
  return messages;
}

test('every error dcap-qvl can throw from verify() maps to a specific code', () => {
  const require = createRequire(import.meta.url);
  const sourceDir = dirname(require.resolve('@phala/dcap-qvl'));
  const messages = VERIFY_PATH_FILES.flatMap((file) => thrownMessages(readFileSync(join(sourceDir, file), 'utf8')));
  assert.ok(messages.length >= 50, `found only ${messages.length} messages; has the library layout changed?`);
  const unmapped = messages.filter((message) => mapDcapQvlError(message) === 'VERIFIER_ERROR');
  assert.deepEqual(unmapped, []);
});

test('representative messages map to the documented codes', () => {
  const expectations: Array<[string, string]> = [
    ['Failed to decode quote', 'QUOTE_MALFORMED'],
    ['Unsupported DCAP PCK cert format: 3. Use get_collateral() to fetch PCK certificate.', 'QUOTE_UNSUPPORTED'],
    ['TCBInfo expired', 'COLLATERAL_EXPIRED'],
    ['Certificate is expired or not yet valid', 'COLLATERAL_EXPIRED'],
    ['ISV enclave report signature is invalid', 'SIGNATURE_INVALID'],
    ['QE report hash mismatch', 'SIGNATURE_INVALID'],
    ['Failed to verify certificate chain - leaf signature invalid', 'SIGNATURE_INVALID'],
    ['Certificate is revoked', 'CERTIFICATE_REVOKED'],
    ['Fmspc mismatch', 'COLLATERAL_MISMATCH'],
    ['QE MRSIGNER mismatch: expected 00, got 01', 'ENCLAVE_IDENTITY_MISMATCH'],
    ['No matching TCB level found', 'TCB_UNKNOWN'],
    ['QE ISVSVN 2 is below minimum required 8 from QE Identity', 'TCB_UNKNOWN'],
    ['TCB status is invalid: Revoked', 'TCB_REVOKED'],
    ['TCB status is invalid: Unknown', 'TCB_UNKNOWN'],
    ['Debug mode is enabled', 'TEE_ATTRIBUTES_REJECTED'],
    ['SEPT_VE_DISABLE is not enabled', 'TEE_ATTRIBUTES_REJECTED'],
  ];
  for (const [message, code] of expectations) assert.equal(mapDcapQvlError(message), code, message);
});

test('anything unrecognised fails closed as VERIFIER_ERROR', () => {
  assert.equal(mapDcapQvlError('error:03000072:digital envelope routines::decode error'), 'VERIFIER_ERROR');
  assert.equal(mapDcapQvlError(''), 'VERIFIER_ERROR');
});
