import type { AuthenticatedClient } from '#modules/clients/authenticate-api-key.ts';
import type { SessionRow } from './session-row.ts';

/** How a session's sign-in is checked again: the operator token it used, the partner it is. */
export type CredentialChecks = {
  /** The id of the unrevoked admin token with this SHA-256 (`env`: VERIDITY_ADMIN_TOKEN), else undefined. */
  identifyAdminToken(tokenHash: Buffer): Promise<string | undefined>;
  /** The enabled partner of this id, as partner auth attaches it, else undefined. */
  findPartner(clientId: string): Promise<AuthenticatedClient | undefined>;
  /** The partner of this API key while the key works (not disabled, not past a rotation's grace), else undefined. */
  findPartnerKey(keyId: string): Promise<AuthenticatedClient | undefined>;
};

/** Who a live session acts as: an operator (with the admin token it signed in with, if any) or a partner. */
export type SessionActor = { role: 'operator'; adminTokenId: string | undefined } | { role: 'partner'; client: AuthenticatedClient };

export type CredentialCheck = { ok: true; actor: SessionActor } | { ok: false; message: string };

/**
 * Whether what signed in still stands: the admin token not revoked (nor VERIDITY_ADMIN_TOKEN
 * changed), the partner not disabled, and for an api_key sign-in the very key it used still working
 * (not disabled, its rotation's grace not over: one cached lookup, as for the partner) and the
 * partner's keys not replaced by the operator since. Wallet and OIDC links are not read here:
 * removing one revokes its sessions.
 */
export async function checkSessionCredential(checks: CredentialChecks, row: SessionRow): Promise<CredentialCheck> {
  if (row.role === 'operator') {
    if (row.method !== 'admin_token') return { ok: true, actor: { role: 'operator', adminTokenId: undefined } };
    const adminTokenId = await checks.identifyAdminToken(row.adminTokenHash!);
    if (!adminTokenId) return { ok: false, message: 'the admin token this session signed in with is no longer valid' };
    return { ok: true, actor: { role: 'operator', adminTokenId } };
  }
  if (row.method === 'api_key') {
    const client = await checks.findPartnerKey(row.apiKeyId!);
    if (!client || client.tokenGeneration !== row.clientTokenGeneration) {
      return { ok: false, message: 'the API key this session signed in with was disabled, or replaced and its grace period is over' };
    }
    return { ok: true, actor: { role: 'partner', client } };
  }
  const client = await checks.findPartner(row.clientId!);
  if (!client) return { ok: false, message: 'the partner of this session is disabled' };
  return { ok: true, actor: { role: 'partner', client } };
}
