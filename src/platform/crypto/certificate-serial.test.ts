import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newCertificateSerial } from './certificate-serial.ts';

test('every serial is 16 bytes, positive and minimal as a DER INTEGER (first byte 0x40-0x7f)', () => {
  for (let i = 0; i < 10_000; i++) {
    const serial = newCertificateSerial();
    assert.equal(serial.length, 16);
    assert.ok(serial[0]! >= 0x40 && serial[0]! <= 0x7f, serial.toString('hex'));
  }
});
