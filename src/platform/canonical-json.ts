import { canonicalize } from '#client/canonical-json.ts';

/** RFC 8785 JSON Canonicalization Scheme: the client SDK's (sdk/client/src/canonical-json.ts), so the server signs what the SDK checks. */
export { canonicalize, type JsonValue } from '#client/canonical-json.ts';

/** The canonical form as UTF-8 bytes, the representation RFC 8785 mandates for hashing. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}
