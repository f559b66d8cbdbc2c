import { randomBytes } from 'node:crypto';

/**
 * 16 random bytes for an X.509 serial number: positive (top bit clear) and with its second bit
 * set, so the DER INTEGER is always exactly these 16 bytes. Clearing only the top bit would leave
 * a leading zero byte one draw in 128, a non-minimal INTEGER that OpenSSL refuses to parse.
 */
export function newCertificateSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  return serial;
}
