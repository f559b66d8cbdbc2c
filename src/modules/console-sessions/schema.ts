import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { IdParam } from '#platform/http/schemas.ts';
import type { SessionActor } from './check-session-credential.ts';
import type { OidcUser } from './link-oidc-user.ts';
import type { Wallet } from './link-wallet.ts';
import { SIGN_IN_METHODS, type SessionRow } from './session-row.ts';
import { WALLET_CHAINS } from './wallet-address.ts';

const SESSION_ID = 'ses_01m8r4pv8cf77s9qpsxgdkd8jk';
const Time = z.string().describe('ISO 8601');

export const ConsoleSessionSchema = z
  .object({
    id: z.string().describe('Session id (`ses_...`)'),
    role: z.enum(['operator', 'partner']),
    client_id: z.string().optional().describe('Partners: the partner (`cli_...`) the session acts as'),
    client_name: z.string().optional().describe('Partners: its name'),
    method: z.enum(SIGN_IN_METHODS).describe('How it signed in'),
    identity: z.string().describe('Who signed in, as the session lists show it: the admin token, the API key\'s prefix, the wallet address or the OIDC e-mail'),
    created_at: Time,
    access_expires_at: Time.describe('The session cookie works until then (15 minutes); refresh before'),
    refresh_expires_at: Time.describe('The refresh cookie works until then (30 days from the last refresh)'),
  })
  .meta({ id: 'ConsoleSession' });

export const ConsoleSessionStateSchema = z
  .object({
    session: ConsoleSessionSchema,
    csrf_token: z.string().describe('Send it as `X-CSRF-Token` with every POST, PUT, PATCH and DELETE made with the session cookie; it changes at each refresh'),
  })
  .meta({
    id: 'ConsoleSessionState',
    examples: [{
      session: { id: SESSION_ID, role: 'partner', client_id: EXAMPLE.clientId, client_name: 'Acme Bank', method: 'siwe', identity: '0xA0Cf798816D4b9b9866b5330EEa46a18382f251e', created_at: EXAMPLE.time, access_expires_at: '2026-03-14T09:41:53.000Z', refresh_expires_at: '2026-04-13T09:26:53.000Z' },
      csrf_token: 'mT1c7Kx0cX0yY2bq3lq9Yl2Wj4mOq6k1H4vZ3u0wPZs',
    }],
  });

export const ConsoleSignInSchema = z
  .discriminatedUnion('method', [
    z.strictObject({ method: z.literal('admin_token'), token: z.string().min(1).max(1000).describe('An operator token (VERIDITY_ADMIN_TOKEN or `vat_...`)') }),
    z.strictObject({ method: z.literal('api_key'), api_key: z.string().min(1).max(200).describe('A partner\'s API key, exchanged for the session (not kept)') }),
    z.strictObject({
      method: z.literal('siwe'),
      message: z.string().min(1).max(2000).describe('The EIP-4361 message of a challenge (POST /api/console/wallet/challenges), as signed'),
      signature: z.string().min(1).max(200).describe('EIP-191 personal_sign signature, 0x + 130 hex'),
    }),
    z.strictObject({
      method: z.literal('sui'),
      address: z.string().min(1).max(100),
      message: z.string().min(1).max(2000).describe('The message of a challenge, exactly as returned'),
      signature: z.string().min(1).max(4000).describe('Sui serialized signature (base64) of the message as a personal message'),
    }),
  ])
  .meta({ id: 'ConsoleSignIn', examples: [{ method: 'api_key', api_key: EXAMPLE.apiKey }] });

export const ConsoleSessionListSchema = z
  .object({
    sessions: z.array(
      ConsoleSessionSchema.omit({ client_name: true }).extend({
        last_used_at: Time.describe('Refreshed at most once a minute'),
        user_agent: z.string().nullable(),
        ip: z.string().nullable(),
        current: z.boolean().describe('The session of this request'),
      }),
    ).describe('Live sessions (not signed out, revoked or expired), most recently used first; at most 200'),
  })
  .meta({ id: 'ConsoleSessionList' });

export const SessionIdParams = z.strictObject({ id: IdParam('ses') });

export const WalletChallengeCreateSchema = z
  .strictObject({
    chain: z.enum(WALLET_CHAINS),
    address: z.string().min(1).max(100).describe('ethereum: 0x + 40 hex (EIP-55 when mixed-case); sui: 0x + up to 64 hex'),
  })
  .meta({ id: 'WalletChallengeCreate', examples: [{ chain: 'ethereum', address: '0xA0Cf798816D4b9b9866b5330EEa46a18382f251e' }] });

export const WalletChallengeSchema = z
  .object({
    nonce: z.string().describe('Single use'),
    message: z.string().describe('Sign this: EIP-4361 on ethereum, a personal message on sui; it names this site (the request\'s Host) and expires with the challenge'),
    expires_at: Time.describe('5 minutes from now'),
  })
  .meta({ id: 'WalletChallenge' });

export const ConsoleConfigSchema = z
  .object({
    oidc: z.boolean().describe('Sign-in with the operator\'s OpenID provider is configured (GET /api/console/oidc/start)'),
    wallet_chains: z.array(z.enum(WALLET_CHAINS)).describe('Chains whose wallets can sign in (when linked to a partner)'),
    siwe_chain_id: z.number().int().describe('The chain id Sign-In with Ethereum messages name'),
  })
  .meta({ id: 'ConsoleConfig' });

/** A path inside the console, to land on after an OIDC sign-in (never another site). */
export const OidcStartQuery = z.strictObject({
  return_to: z
    .string()
    .max(500)
    .regex(/^\/console(\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*)?$/, 'must be a path under /console/')
    .refine((value) => !value.includes('//'), 'must be a path under /console/')
    .optional(),
});

/** The provider's redirect: what OpenID Connect names (read as received by openid-client); a provider may add more (Keycloak's session_state). */
const CallbackParameter = z.string().max(4096).optional();
export const OidcCallbackQuery = z.looseObject({
  code: CallbackParameter,
  state: CallbackParameter,
  iss: CallbackParameter,
  error: CallbackParameter,
  error_description: CallbackParameter,
});

export const WalletSchema = z
  .object({
    id: z.string().describe('`wal_...`'),
    client_id: z.string(),
    chain: z.enum(WALLET_CHAINS),
    address: z.string().describe('ethereum: EIP-55 checksummed; sui: 0x + 64 hex'),
    created_at: Time,
  })
  .meta({ id: 'ConsoleWallet' });

export const WalletLinkSchema = WalletChallengeCreateSchema.meta({ id: 'ConsoleWalletLink', examples: [{ chain: 'sui', address: '0x7a6c2bd4ad6b9e4c5d1f3b8e2a0c9d7f6e5b4a3928170f6e5d4c3b2a19087f6e' }] });

export const OidcUserSchema = z
  .object({
    id: z.string().describe('`oiu_...`'),
    client_id: z.string(),
    issuer: z.string().describe('The OIDC_ISSUER it was linked under'),
    subject: z.string().nullable().describe('The `sub` claim it matches'),
    email: z.string().nullable().describe('Or the verified `email` it matches (lowercase)'),
    created_at: Time,
  })
  .meta({ id: 'ConsoleOidcUser' });

export const OidcUserLinkSchema = z
  .union([
    z.strictObject({ subject: z.string().min(1).max(255).describe('The `sub` claim of the identity') }),
    z.strictObject({ email: z.email().max(320).describe('Its e-mail, matched when the provider says it is verified (`email_verified`)') }),
  ])
  .meta({ id: 'ConsoleOidcUserLink', examples: [{ email: 'ops@acme-bank.example' }] });

export const WalletParams = z.strictObject({ id: IdParam('cli'), wallet_id: IdParam('wal') });
export const OidcUserParams = z.strictObject({ id: IdParam('cli'), oidc_user_id: IdParam('oiu') });

export function toConsoleSession(row: SessionRow, actor: SessionActor): z.infer<typeof ConsoleSessionSchema> {
  return {
    id: row.id,
    role: row.role,
    ...(actor.role === 'partner' ? { client_id: actor.client.id, client_name: actor.client.name } : {}),
    method: row.method,
    identity: row.identity,
    created_at: row.createdAt.toISOString(),
    access_expires_at: row.accessExpiresAt.toISOString(),
    refresh_expires_at: row.refreshExpiresAt.toISOString(),
  };
}

export function toSessionListItem(row: SessionRow, currentId: string): z.infer<typeof ConsoleSessionListSchema>['sessions'][number] {
  return {
    id: row.id,
    role: row.role,
    ...(row.clientId ? { client_id: row.clientId } : {}),
    method: row.method,
    identity: row.identity,
    created_at: row.createdAt.toISOString(),
    access_expires_at: row.accessExpiresAt.toISOString(),
    refresh_expires_at: row.refreshExpiresAt.toISOString(),
    last_used_at: row.lastUsedAt.toISOString(),
    user_agent: row.userAgent,
    ip: row.ip,
    current: row.id === currentId,
  };
}

export function toWallet(wallet: Wallet): z.infer<typeof WalletSchema> {
  return { id: wallet.id, client_id: wallet.clientId, chain: wallet.chain, address: wallet.address, created_at: wallet.createdAt.toISOString() };
}

export function toOidcUser(user: OidcUser): z.infer<typeof OidcUserSchema> {
  return { id: user.id, client_id: user.clientId, issuer: user.issuer, subject: user.subject, email: user.email, created_at: user.createdAt.toISOString() };
}
