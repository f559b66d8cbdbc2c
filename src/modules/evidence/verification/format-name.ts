import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/**
 * RFC 4514 string of an X.501 Name: most specific RDN first ("CN=Signer,O=Acme,C=DE"), as
 * `openssl x509 -nameopt RFC2253` prints it. Attributes without a string value, or of a type
 * without a short name, appear as OID=#hex of their DER.
 */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((attribute) => {
      const type = SHORT_NAMES[attribute.type] ?? attribute.type;
      const text = stringValue(attribute.value);
      if (text === null || !SHORT_NAMES[attribute.type]) return `${type}=#${Buffer.from(attribute.value.toBER()).toString('hex')}`;
      return `${type}=${escapeValue(text)}`;
    })
    .reverse()
    .join(',');
}

/**
 * A comparison key for names: attribute types and case-folded, space-collapsed values. Issuer
 * and subject names are matched with it (RFC 5280 7.1 allows more, e.g. PrintableString against
 * UTF8String); the issuer's signature, checked after, is what binds a certificate to its issuer.
 */
export function nameKey(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((attribute) => {
      const text = stringValue(attribute.value);
      const value = text === null ? `#${Buffer.from(attribute.value.toBER()).toString('hex')}` : text.trim().replace(/\s+/g, ' ').toLowerCase();
      return `${attribute.type}=${JSON.stringify(value)}`;
    })
    .join('/');
}

function stringValue(value: unknown): string | null {
  if (value instanceof asn1js.BaseStringBlock) return value.getValue();
  return null;
}

function escapeValue(text: string): string {
  return text
    .replace(/[\\,+"<>;=]/g, (character) => `\\${character}`)
    .replace(/^[#\s]/, (character) => `\\${character}`)
    .replace(/\s$/, (character) => `\\${character}`)
    .replace(/[\u0000-\u001f\u007f]/g, (character) => `\\${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
