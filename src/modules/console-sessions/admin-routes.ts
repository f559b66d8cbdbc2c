import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { adminActor } from '#modules/admin/admin-auth.ts';
import { ClientIdParams } from '#modules/clients/schema.ts';
import { findClientName } from '#modules/clients/find-client-name.ts';
import { linkOidcUser } from './link-oidc-user.ts';
import { linkWallet } from './link-wallet.ts';
import { listOidcUsers } from './list-oidc-users.ts';
import { listWallets } from './list-wallets.ts';
import { OidcUserLinkSchema, OidcUserParams, OidcUserSchema, toOidcUser, toWallet, WalletLinkSchema, WalletParams, WalletSchema } from './schema.ts';
import { unlinkSignIn, type LinkRefusal, type SignInLinkKind } from './sign-in-links.ts';

/** `oidcIssuer`: OIDC_ISSUER, the issuer new OIDC links are made under (unset: none can be made). */
type Deps = { pool: Pool; clock: Clock; oidcIssuer: string | undefined };

const admin = { access: access.admin };
const TAGS = ['Admin'];
const NO_CONTENT = { 204: z.null().describe('Removed; the sessions it signed in are revoked') };

function refused(result: LinkRefusal | { ok: false; code: 'VALIDATION_FAILED'; message: string }): ApiError {
  return new ApiError(result.code, result.message);
}

/** The wallets and OIDC identities an operator links to a partner, so they can sign in to the console as it. */
export function registerConsoleLinkRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** The partner's links of a kind, 404 for an unknown partner. */
  async function listed<T>(clientId: string, list: () => Promise<T[]>): Promise<T[]> {
    if ((await findClientName(deps.pool, clientId)) === undefined) throw new ApiError('NOT_FOUND', `no client ${clientId}`);
    return list();
  }

  async function unlink(kind: SignInLinkKind, clientId: string, linkId: string, actor: ReturnType<typeof adminActor>): Promise<void> {
    const result = await inTransaction(deps.pool, (tx) => unlinkSignIn(deps, tx, kind, clientId, linkId, actor));
    if (!result.ok) throw new ApiError('NOT_FOUND', `client ${clientId} has no ${kind === 'wallet' ? 'wallet' : 'OIDC identity'} ${linkId}`);
  }

  r.post('/api/admin/clients/:id/wallets', {
    config: { ...admin, idempotent: true },
    schema: {
      operationId: 'linkPartnerWallet',
      tags: TAGS,
      summary: 'Let a wallet sign in to the console as this partner',
      description: 'Links an ethereum (Sign-In with Ethereum) or sui address to the partner; an address belongs to one partner (409 when linked already). At most 100 per partner.',
      params: ClientIdParams,
      body: WalletLinkSchema,
      response: { 201: jsonResponse('The linked wallet', WalletSchema), ...errorResponses(400, 401, 404, 409) },
    },
  }, async (request, reply) => {
    const result = await linkWallet(deps, request.params.id, request.body, adminActor(request));
    if (!result.ok) throw refused(result);
    reply.code(201);
    return toWallet(result.value);
  });

  r.get('/api/admin/clients/:id/wallets', {
    config: admin,
    schema: {
      operationId: 'listPartnerWallets',
      tags: TAGS,
      summary: 'The wallets that sign in as this partner',
      description: 'Every wallet address linked to the partner for console sign-in, oldest first.',
      params: ClientIdParams,
      response: { 200: jsonResponse('The partner\'s wallets', z.object({ wallets: z.array(WalletSchema) })), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => ({ wallets: (await listed(request.params.id, () => listWallets(deps, request.params.id))).map(toWallet) }));

  r.delete('/api/admin/clients/:id/wallets/:wallet_id', {
    config: admin,
    schema: {
      operationId: 'unlinkPartnerWallet',
      tags: TAGS,
      summary: 'Stop a wallet signing in as this partner (its sessions end)',
      description: 'Removes the link; every console session the wallet signed in is revoked at once.',
      params: WalletParams,
      response: { ...NO_CONTENT, ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    await unlink('wallet', request.params.id, request.params.wallet_id, adminActor(request));
    return reply.code(204).send(null);
  });

  r.post('/api/admin/clients/:id/oidc-users', {
    config: { ...admin, idempotent: true },
    schema: {
      operationId: 'linkPartnerOidcUser',
      tags: TAGS,
      summary: 'Let an identity of the OpenID provider sign in as this partner',
      description:
        'Links an identity of OIDC_ISSUER by its `subject` (`sub`), or by its `email` when the provider marks it verified, to the partner. ' +
        'One identity belongs to one partner (409 when linked already); 409 too when OIDC is not configured. At most 100 per partner.',
      params: ClientIdParams,
      body: OidcUserLinkSchema,
      response: { 201: jsonResponse('The linked identity', OidcUserSchema), ...errorResponses(400, 401, 404, 409) },
    },
  }, async (request, reply) => {
    if (!deps.oidcIssuer) throw new ApiError('CONFLICT', 'OIDC sign-in is not configured (OIDC_ISSUER)');
    const result = await linkOidcUser(deps, deps.oidcIssuer, request.params.id, request.body, adminActor(request));
    if (!result.ok) throw refused(result);
    reply.code(201);
    return toOidcUser(result.value);
  });

  r.get('/api/admin/clients/:id/oidc-users', {
    config: admin,
    schema: {
      operationId: 'listPartnerOidcUsers',
      tags: TAGS,
      summary: 'The OIDC identities that sign in as this partner',
      description: 'Every identity linked to the partner (under whichever issuer was configured then), oldest first.',
      params: ClientIdParams,
      response: { 200: jsonResponse('The partner\'s OIDC identities', z.object({ oidc_users: z.array(OidcUserSchema) })), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => ({ oidc_users: (await listed(request.params.id, () => listOidcUsers(deps, request.params.id))).map(toOidcUser) }));

  r.delete('/api/admin/clients/:id/oidc-users/:oidc_user_id', {
    config: admin,
    schema: {
      operationId: 'unlinkPartnerOidcUser',
      tags: TAGS,
      summary: 'Stop an OIDC identity signing in as this partner (its sessions end)',
      description: 'Removes the link; every console session the identity signed in as the partner is revoked at once.',
      params: OidcUserParams,
      response: { ...NO_CONTENT, ...errorResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    await unlink('oidcUser', request.params.id, request.params.oidc_user_id, adminActor(request));
    return reply.code(204).send(null);
  });
}
