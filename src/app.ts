import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { defaultPublicUrl, type Config } from '#src/config.ts';
import { createHttpApp } from '#src/http-app.ts';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '#platform/metrics.ts';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import type { Db } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import { transformDocument, transformRoute } from '#platform/http/openapi.ts';
import { DOCS_PAGE_OPTIONS } from '#platform/http/docs-page.ts';
import { access, enforceRouteAccess, type DeclaredRoute } from '#platform/http/route-access.ts';
import { registerIdempotentRoutes } from '#platform/http/idempotent-routes.ts';
import type { Logger } from '#platform/logger.ts';
import { pgBossQueueDepth, registerQueueDepthMetrics } from '#platform/queue/queue-metrics.ts';
import { adminAuth, adminTokenIdentifier } from '#modules/admin/admin-auth.ts';
import { createLastUsedTracker, type LastUsedTracker } from '#modules/clients/last-used-tracker.ts';
import { partnerAuth, partnerById, partnerByKeyId, requireAnyScope } from '#modules/clients/partner-auth.ts';
import { registerAuditRoutes } from '#modules/audit/routes.ts';
import { registerClientRoutes } from '#modules/clients/routes.ts';
import { registerHealthRoutes } from '#modules/health/routes.ts';
import { registerHomeRoutes } from '#modules/home/routes.ts';
import { registerConsoleRoutes } from '#modules/console/serve-console.ts';
import { registerLedgerRoutes } from '#modules/ledger/routes.ts';
import { OUTCOME_SOURCES } from '#src/outcome-sources.ts';
import { registerHolderRoutes } from '#modules/holder/routes.ts';
import { registerMeteringRoutes } from '#modules/metering/routes.ts';
import { createPlanRateLimits } from '#modules/billing/plan-rate-limits.ts';
import { registerBillingRoutes } from '#modules/billing/routes.ts';
import { creditsInPeriod } from '#modules/billing/credits-in-period.ts';
import { registerInvoiceRoutes } from '#modules/billing/invoices/invoice-routes.ts';
import { registerBalanceRoutes } from '#modules/billing/balance-routes.ts';
import { spendingCapGate } from '#modules/billing/spending-cap-gate.ts';
import { registerAttestationRoutes } from '#modules/attestations/routes.ts';
import { createEvidenceEncryptionKeys } from '#modules/evidence/evidence-encryption-keys.ts';
import { registerEvidenceRoutes } from '#modules/evidence/routes.ts';
import { agentAuth } from '#modules/evidence/agents/authenticate-agent.ts';
import { registerIngestRoutes } from '#modules/evidence/agents/ingest-routes.ts';
import { registerAgentRoutes } from '#modules/evidence/agents/routes.ts';
import { registerAgentRegistryPublicRoutes } from '#modules/agents/public-routes.ts';
import { registerAgentRegistryRoutes } from '#modules/agents/routes.ts';
import { registerAgentWorkRoutes } from '#modules/agents/work-routes.ts';
import { registerAgentReputationRoutes } from '#modules/agents/reputation-routes.ts';
import { kuboPinner, noPinner } from '#modules/agents/work-history-pinner.ts';
import { DEFAULT_REPUTATION_SETTINGS } from '#modules/agents/reputation-model.ts';
import { appOwnedQueue } from '#platform/queue/app-queue.ts';
import { PLATFORM_NAME } from '#modules/certificates/issue-certificate.ts';
import { registerCertificateRoutes } from '#modules/certificates/routes.ts';
import type { Queue } from '#platform/queue/queue.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { registerOAuthRoutes } from '#modules/oauth/routes.ts';
import { SCOPES } from '#modules/clients/schema.ts';
import { webhookOutboxDepth } from '#modules/webhooks/metrics.ts';
import { WEBHOOK_EVENTS } from '#modules/webhooks/openapi-webhooks.ts';
import { registerWebhookRoutes } from '#modules/webhooks/routes.ts';
import { registerAgentSettlementRoutes } from '#modules/agents/settlement-routes.ts';
import { createHttpFacilitator } from '#modules/x402/facilitator.ts';
import { createPaymentGate } from '#modules/x402/payment-gate.ts';
import { registerGatewayVaultRoutes } from '#modules/gateway-vault/routes.ts';
import { registerGlobalManagerRoutes } from '#modules/global-manager/routes.ts';
import { registerNotificationRoutes } from '#modules/notifications/routes.ts';
import { createCircuitKeyring } from '#modules/zk/circuits/circuit-keyring.ts';
import type { Groth16VerifierPool } from '#modules/zk/groth16/verifier-pool.ts';
import { registerZkRoutes } from '#modules/zk/routes.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import type { ChangeFeed } from '#platform/db/change-feed.ts';
import { createClientAuthCache } from '#modules/clients/client-auth-cache.ts';
import { authenticateApiKey, type ClientLookup } from '#modules/clients/authenticate-api-key.ts';
import { registerConsoleLinkRoutes } from '#modules/console-sessions/admin-routes.ts';
import { consoleSessionAuth } from '#modules/console-sessions/console-session-auth.ts';
import { createIdentityProvider } from '#modules/console-sessions/identity-provider.ts';
import { registerConsoleSessionRoutes } from '#modules/console-sessions/routes.ts';

export type AppDeps = {
  /** `webhookAllowPrivateNetworks` defaults to false (receivers on public addresses only); `publicUrl` to localhost on port 3000. */
  config: Pick<Config, 'adminToken' | 'bodyLimitBytes' | 'trustProxy' | 'redisUrl' | 'publicRateLimitPerMinute'> & Partial<Pick<Config, 'webhookAllowPrivateNetworks' | 'http' | 'publicUrl' | 'smtp' | 'ipfsPinUrl' | 'x402' | 'reputation' | 'billingCurrency' | 'console'>>;
  log: Logger;
  clock: Clock;
  pool: Pool;
  db: Db;
  secretBox: SecretBox;
  platformKeys: PlatformKeys;
  storage: ObjectStorage;
  /** Owned by the caller (started once per process, closed at shutdown). */
  verifier: Groth16VerifierPool;
  /** pg-boss for jobs the API enqueues (TEE attestation tasks, evidence), owned by the caller. Absent: the app starts its own on first use and stops it when it closes. */
  queue?: () => Promise<Queue>;
  /** Row changes from the database, owned by the caller: with it partners' keys are authenticated from memory. */
  changeFeed?: ChangeFeed;
  /** The settlements module's read for feedback naming a settlement; absent: such feedback is refused (SETTLEMENT_UNKNOWN). */
};

/** `metrics.registry` is where workers embedded in the same process add theirs. */
export type App = FastifyInstance & { lastUsed: LastUsedTracker; metrics: Metrics; routeTable: readonly DeclaredRoute[] };

const API_VERSION = '1.0.0';

/** Builds the HTTP application from its dependencies; it opens and starts nothing by itself. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { app, metrics, rateLimiting } = await createHttpApp(deps);
  const lastUsed = createLastUsedTracker({ pool: deps.pool, log: deps.log });
  app.addHook('onClose', async () => lastUsed.stop());

  const publicUrl = deps.config.publicUrl ?? defaultPublicUrl(3000);
  const reputation = deps.config.reputation ?? DEFAULT_REPUTATION_SETTINGS;
  const x402 = { pool: deps.pool, clock: deps.clock, facilitator: deps.config.x402?.facilitatorUrl ? createHttpFacilitator(deps.config.x402.facilitatorUrl) : undefined };
  const x402Price = deps.config.x402?.price;
  const authCache = deps.changeFeed ? createClientAuthCache<ClientLookup>(deps.changeFeed) : undefined;
  const planRateLimit = createPlanRateLimits({ pool: deps.pool, clock: deps.clock, changeFeed: deps.changeFeed });
  const adminToken = { db: deps.db, configuredToken: deps.config.adminToken };
  const consoleSettings = deps.config.console ?? { oidc: undefined, siweChainId: 1 };
  const consoleCredentials = {
    identifyAdminToken: adminTokenIdentifier(adminToken),
    findPartner: partnerById({ db: deps.db, authCache, planRateLimit }),
    findPartnerKey: partnerByKeyId({ db: deps.db, authCache, clock: deps.clock, planRateLimit }),
  };
  const consoleAuth = consoleSessionAuth({ pool: deps.pool, clock: deps.clock, ...consoleCredentials });
  // Before any route: the session cookie is parsed in onRequest, ahead of the route-access hooks.
  await app.register(cookie);
  const routeTable = enforceRouteAccess(app, {
    admin: { authenticate: adminAuth(adminToken) },
    partner: {
      authenticate: partnerAuth({ db: deps.db, authCache, clock: deps.clock, lastUsed, platformKeys: deps.platformKeys, planRateLimit }),
      requireAnyScope,
      spendingCap: spendingCapGate({ pool: deps.pool, clock: deps.clock, changeFeed: deps.changeFeed }),
      rateLimit: rateLimiting.perClient,
    },
    agent: { authenticate: agentAuth({ pool: deps.pool }), rateLimit: rateLimiting.perAgent },
    session: consoleAuth.hooks,
    rateLimitPerIp: rateLimiting.perIp,
    ...(x402Price ? { payment: createPaymentGate(x402, x402Price, publicUrl) } : {}),
    publicPrefixes: ['/docs'],
  });
  registerIdempotentRoutes(app, {
    pool: deps.pool,
    clock: deps.clock,
    secretBox: deps.secretBox,
    ownerOf: (request) => request.client?.id ?? (request.adminTokenId ? `admin:${request.adminTokenId}` : undefined),
  });

  await app.register(helmet, { global: true });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Veridity API',
        version: API_VERSION,
        description: 'Self-hosted verification of zero-knowledge proofs, TEE attestations and signed evidence.',
        license: { name: 'Proprietary' },
      },
      // Relative: the document is served by the API it describes, wherever that is mounted.
      servers: [{ url: '/', description: 'This Veridity server' }],
      components: {
        securitySchemes: {
          ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
          BearerAuth: { type: 'http', scheme: 'bearer', description: 'Operator (admin) token' },
          AgentAuth: { type: 'http', scheme: 'bearer', description: 'An enrolled evidence agent\'s credential (`vag_...`, from POST /ingest/v1/enroll): the /ingest/v1 routes only' },
          ConsoleSession: { type: 'apiKey', in: 'cookie', name: 'veridity_session', description: 'The web console\'s session (POST /api/console/sessions), as its operator or partner; POST, PUT, PATCH and DELETE also send the session\'s `X-CSRF-Token`' },
          OAuth2ClientCredentials: {
            type: 'oauth2',
            description: 'Access token from POST /oauth/token (client id + API key)',
            flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: Object.fromEntries(SCOPES.map((c) => [c, `verify ${c}`])) } },
          },
        },
      },
      tags: [
        { name: 'Verify', description: 'Proof requests and zero-knowledge proof verification' },
        { name: 'Status', description: 'Outcome of a verification' },
        { name: 'Circuits', description: 'Public circuit artifacts for provers' },
        { name: 'Partner', description: 'Partner endpoints (X-Api-Key)' },
        { name: 'OAuth', description: 'Access tokens (client credentials) and the keys that verify them' },
        { name: 'Admin', description: 'Operator endpoints (admin bearer token)' },
        { name: 'Health', description: 'Liveness, readiness, metrics' },
        { name: 'Attestations', description: 'TEE attestation verification tasks: Intel TDX/SGX DCAP quotes and dstack apps' },
        { name: 'Ledger', description: 'The tamper-evident log of outcomes: receipts, checkpoints and proofs, checkable offline' },
        { name: 'Webhooks', description: 'Events Veridity POSTs to your webhook URL, signed with your webhook secret' },
        { name: 'Evidence', description: 'Signed evidence (CMS): trust anchors, submissions, verification and their state' },
        { name: 'Evidence agents', description: 'Enrolled evidence agents (`agt_...`): enrollment, their agent CA and its CRL, revocation, and the /ingest/v1 gateway they submit to' },
        { name: 'Agent registry', description: 'The public registry of agents (`agr_...`): registration with an ownership proof by the controller (Solana or EVM), capabilities, the query and the ERC-8004 registration file' },
        { name: 'Certificates', description: 'Signed certificates of verified evidence: JSON, signed PDF, public verification' },
        { name: 'Notifications', description: 'E-mail to your notification address: certificates issued (with the PDF) and evidence rejected' },
        { name: 'Console', description: 'Web console sign-in: sessions held in HttpOnly cookies (admin token, API key, Sign-In with Ethereum, Sui, OpenID Connect), their refresh, listing and revocation' },
      ],
    },
    transform: transformRoute,
    transformObject: transformDocument(WEBHOOK_EVENTS),
  });
  await app.register(swaggerUi, DOCS_PAGE_OPTIONS);
  app.get('/openapi.json', { schema: { hide: true }, config: { access: access.public } }, async () => app.swagger());

  await registerOAuthRoutes(app, { db: deps.db, authCache, clock: deps.clock, platformKeys: deps.platformKeys });

  await registerHealthRoutes(app, { pool: deps.pool, metrics });
  registerQueueDepthMetrics(metrics.registry, [webhookOutboxDepth(deps.pool), pgBossQueueDepth(deps.pool)]);
  const webhookUrlPolicy = { allowPrivateNetworks: deps.config.webhookAllowPrivateNetworks ?? false };
  registerClientRoutes(app, { db: deps.db, clock: deps.clock, secretBox: deps.secretBox, webhookUrlPolicy, authCache });
  registerConsoleSessionRoutes(app, {
    pool: deps.pool,
    clock: deps.clock,
    secretBox: deps.secretBox,
    log: deps.log,
    siweChainId: consoleSettings.siweChainId,
    ...consoleCredentials,
    authenticateApiKey: async (apiKey) => {
      const found = await authenticateApiKey({ db: deps.db, authCache, clock: deps.clock }, apiKey);
      return found.ok ? found.key.id : undefined;
    },
    auth: consoleAuth,
    provider: consoleSettings.oidc ? createIdentityProvider(consoleSettings.oidc, deps.log) : undefined,
  });
  registerConsoleLinkRoutes(app, { pool: deps.pool, clock: deps.clock, oidcIssuer: consoleSettings.oidc?.issuer });
  registerWebhookRoutes(app, { pool: deps.pool, clock: deps.clock, secretBox: deps.secretBox, webhookUrlPolicy });
  registerAuditRoutes(app, { pool: deps.pool });
  registerNotificationRoutes(app, { pool: deps.pool, clock: deps.clock, emailEnabled: deps.config.smtp !== undefined });
  registerMeteringRoutes(app, { pool: deps.pool });
  const billing = { pool: deps.pool, clock: deps.clock, currency: deps.config.billingCurrency ?? 'EUR' };
  registerBillingRoutes(app, billing);
  registerBalanceRoutes(app, billing);
  registerInvoiceRoutes(app, { ...billing, storage: deps.storage, creditsInPeriod: creditsInPeriod(deps) });
  registerGlobalManagerRoutes(app, { pool: deps.pool, clock: deps.clock });
  registerGatewayVaultRoutes(app, { pool: deps.pool, platformKeys: deps.platformKeys, publicUrl });
  const queue = deps.queue ?? appOwnedQueue(app, { connectionString: deps.pool.options.connectionString!, log: deps.log });
  registerAttestationRoutes(app, {
    pool: deps.pool,
    db: deps.db,
    clock: deps.clock,
    storage: deps.storage,
    platformKeys: deps.platformKeys,
    log: deps.log,
    queue,
  });
  await registerEvidenceRoutes(app, {
    pool: deps.pool,
    clock: deps.clock,
    storage: deps.storage,
    queue,
    encryptionKeys: createEvidenceEncryptionKeys({ pool: deps.pool, secretBox: deps.secretBox, clock: deps.clock }),
    publicUrl,
  });
  await registerAgentRoutes(app, { pool: deps.pool, clock: deps.clock, secretBox: deps.secretBox });
  await registerIngestRoutes(app, { pool: deps.pool, clock: deps.clock, storage: deps.storage, queue, publicUrl });
  registerAgentRegistryRoutes(app, { pool: deps.pool, clock: deps.clock, publicUrl });
  registerAgentRegistryPublicRoutes(app, { pool: deps.pool, clock: deps.clock, publicUrl });
  registerAgentWorkRoutes(app, {
    pool: deps.pool, db: deps.db, clock: deps.clock, log: deps.log,
    pinner: deps.config.ipfsPinUrl ? kuboPinner(deps.config.ipfsPinUrl) : noPinner, reputation,
  });
  registerAgentSettlementRoutes(app, { ...x402, reputation });
  registerAgentReputationRoutes(app, { pool: deps.pool, clock: deps.clock, reputation, platformKeys: deps.platformKeys, publicUrl });
  await registerCertificateRoutes(app, {
    pool: deps.pool,
    db: deps.db,
    clock: deps.clock,
    storage: deps.storage,
    platformKeys: deps.platformKeys,
    publicUrl,
    platformName: PLATFORM_NAME,
  });
  registerHolderRoutes(app);
  registerHomeRoutes(app);
  await registerConsoleRoutes(app);
  registerLedgerRoutes(app, { pool: deps.pool, platformKeys: deps.platformKeys, outcomeSources: OUTCOME_SOURCES });
  await registerZkRoutes(app, {
    db: deps.db,
    pool: deps.pool,
    clock: deps.clock,
    storage: deps.storage,
    verifier: deps.verifier,
    keyring: createCircuitKeyring({ storage: deps.storage, verifier: deps.verifier }),
    changeFeed: deps.changeFeed,
  });

  return Object.assign(app, { lastUsed, metrics, routeTable });
}
