import { ATTRIBUTE_NAMES, BN254_SCALAR_FIELD_ORDER, validateAttributes, type AttributeName, type CredentialAttributes } from './attributes.ts';
import { fail, type Result } from './result.ts';

/** Issuer public key: a BabyJubJub point, coordinates as decimal strings. */
export type IssuerPublicKey = { ax: string; ay: string };

/**
 * The credential a holder keeps (JSON). Every number is a canonical decimal string so
 * that values above 2^53 survive JSON. `signature` is EdDSA-Poseidon by `issuer` over
 * Poseidon(attributes in ATTRIBUTE_NAMES order).
 */
export type Credential = {
  version: 1;
  attributes: Record<AttributeName, string>;
  issuer: IssuerPublicKey;
  signature: { R8x: string; R8y: string; S: string };
};

const CANONICAL_DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Parses a canonical decimal string (no sign, no leading zeros) below the field order. */
export function parseFieldElement(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || value.length > 78 || !CANONICAL_DECIMAL.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed < BN254_SCALAR_FIELD_ORDER ? parsed : undefined;
}

export function attributesToJson(attributes: CredentialAttributes): Record<AttributeName, string> {
  return Object.fromEntries(ATTRIBUTE_NAMES.map((name) => [name, attributes[name].toString()])) as Record<AttributeName, string>;
}

export function attributesFromJson(attributes: Record<AttributeName, string>): CredentialAttributes {
  return Object.fromEntries(ATTRIBUTE_NAMES.map((name) => [name, BigInt(attributes[name])])) as CredentialAttributes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks untrusted JSON (e.g. a credential loaded on the holder's device) for shape and ranges. */
export function parseCredential(json: unknown): Result<Credential, 'CREDENTIAL_MALFORMED'> {
  if (!isRecord(json) || json.version !== 1) return fail('CREDENTIAL_MALFORMED', 'expected an object with version 1');
  const { attributes, issuer, signature } = json;
  if (!isRecord(attributes) || !isRecord(issuer) || !isRecord(signature)) {
    return fail('CREDENTIAL_MALFORMED', 'attributes, issuer and signature must be objects');
  }
  const fields: Array<[string, unknown]> = [
    ...ATTRIBUTE_NAMES.map((name): [string, unknown] => [`attributes.${name}`, attributes[name]]),
    ['issuer.ax', issuer.ax],
    ['issuer.ay', issuer.ay],
    ['signature.R8x', signature.R8x],
    ['signature.R8y', signature.R8y],
    ['signature.S', signature.S],
  ];
  for (const [path, value] of fields) {
    if (parseFieldElement(value) === undefined) {
      return fail('CREDENTIAL_MALFORMED', `${path} must be a decimal string below the BN254 scalar field order`);
    }
  }
  const credential: Credential = {
    version: 1,
    attributes: Object.fromEntries(ATTRIBUTE_NAMES.map((name) => [name, attributes[name]])) as Record<AttributeName, string>,
    issuer: { ax: issuer.ax as string, ay: issuer.ay as string },
    signature: { R8x: signature.R8x as string, R8y: signature.R8y as string, S: signature.S as string },
  };
  const attributeCheck = validateAttributes(attributesFromJson(credential.attributes));
  if (!attributeCheck.ok) return fail('CREDENTIAL_MALFORMED', attributeCheck.message);
  return { ok: true, value: credential };
}
