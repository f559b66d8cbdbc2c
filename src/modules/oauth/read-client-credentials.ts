export type ClientCredentials = { clientId: string; clientSecret: string; method: 'client_secret_basic' | 'client_secret_post' };

export type ReadClientCredentialsResult =
  | { ok: true; credentials: ClientCredentials }
  | { ok: false; code: 'MISSING' | 'MALFORMED_BASIC' | 'TWO_METHODS' | 'CLIENT_ID_MISMATCH'; message: string };

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/** RFC 6749 §2.3.1: each half is form-urlencoded before the pair is base64-encoded. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function readBasic(header: string): { clientId: string; clientSecret: string } | undefined {
  const match = BASIC.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  return clientId && clientSecret ? { clientId, clientSecret } : undefined;
}

/**
 * The client's credentials from HTTP Basic (`client_secret_basic`) or from the body
 * (`client_secret_post`); using both at once is refused (RFC 6749 §2.3).
 */
export function readClientCredentials(
  authorization: string | undefined,
  body: { client_id?: string | undefined; client_secret?: string | undefined },
): ReadClientCredentialsResult {
  if (authorization !== undefined) {
    const basic = readBasic(authorization);
    if (!basic) {
      return { ok: false, code: 'MALFORMED_BASIC', message: 'the Authorization header must be HTTP Basic with client_id:client_secret' };
    }
    if (body.client_secret !== undefined) {
      return { ok: false, code: 'TWO_METHODS', message: 'use one client authentication method: HTTP Basic or client_secret in the body, not both' };
    }
    if (body.client_id !== undefined && body.client_id !== basic.clientId) {
      return { ok: false, code: 'CLIENT_ID_MISMATCH', message: 'client_id in the body differs from the one in the Authorization header' };
    }
    return { ok: true, credentials: { ...basic, method: 'client_secret_basic' } };
  }
  if (body.client_id === undefined || body.client_secret === undefined) {
    return { ok: false, code: 'MISSING', message: 'client authentication required: HTTP Basic, or client_id and client_secret in the body' };
  }
  return { ok: true, credentials: { clientId: body.client_id, clientSecret: body.client_secret, method: 'client_secret_post' } };
}
