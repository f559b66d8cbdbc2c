import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { publishSigningKeys } from '#platform/crypto/publish-signing-keys.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse, textResponse } from '#platform/http/schemas.ts';
import { getReputation, HISTORY_DAYS } from './get-reputation.ts';
import { badgeClaims, BADGE_TTL_SECONDS, renderBadgeSvg, REPUTATION_BADGE_JWKS_PATH, REPUTATION_BADGE_KEY_PURPOSE, signReputationBadge } from './reputation-badge.ts';
import { CONFIDENCE_K, PRIOR, SOURCES, STRENGTHS, type ReputationSettings } from './reputation-model.ts';
import { TAGS } from './routes.ts';
import { AgentIdParams } from './schema.ts';

export type ReputationRouteDeps = { pool: Pool; clock: Clock; reputation: ReputationSettings; platformKeys: PlatformKeys; publicUrl: string };

const publicAccess = { access: access.publicRateLimited };
/** Badges are embedded in pages: caches may keep them a few minutes. */
const BADGE_MAX_AGE_SECONDS = 300;

const ComponentSchema = z.object({
  source: z.enum(SOURCES).describe('`work`: work records\' outcomes; `validation`: third parties\' validations; `feedback`: partners\' feedback'),
  strength: z.enum(STRENGTHS).describe('What backs it: `paid_verified` (a settlement and Veridity-verified work) > `paid` > `verified` > `bare`'),
  positive: z.number().describe('Positive mass, decayed to `as_of`'),
  negative: z.number(),
  mass: z.number(),
  cap: z.number().nullable().describe('The most this component counts for (unpaid evidence); null: no cap'),
  counted_mass: z.number().describe('The mass that counts after the cap'),
  count: z.number().int().describe('Events in the component'),
});

const ReputationSchema = z
  .object({
    agent_id: z.string(),
    score: z.number().nullable().describe('Beta mean (alpha + P) / (alpha + beta + P + N) in [0, 1]; null without evidence'),
    confidence: z.number().describe('M / (M + K) of the counted mass M'),
    as_of: z.string(),
    positive: z.number(),
    negative: z.number(),
    mass: z.number(),
    model: z.object({ half_life_days: z.number(), prior_alpha: z.number(), prior_beta: z.number(), confidence_k: z.number(), description_url: z.string() }),
    components: z.array(ComponentSchema),
    counts: z.object({ work: z.number().int(), validations: z.number().int(), feedback: z.number().int(), feedback_self: z.number().int(), feedback_revoked: z.number().int() }),
    history: z.array(z.object({ day: z.string(), score: z.number().nullable(), confidence: z.number(), mass: z.number() })).describe(`The last ${HISTORY_DAYS} days with events, each as of its last event`),
  })
  .meta({ id: 'AgentReputation' });

const BadgeSchema = z
  .object({
    jws: z.string().describe('JWS compact (EdDSA, `typ` reputation-badge+jwt): verify with a key of the JWKS named by its `kid`'),
    claims: z.object({
      iss: z.string(), sub: z.string(), iat: z.number().int(), exp: z.number().int(), name: z.string(), verified: z.boolean(),
      score: z.number().nullable(), confidence: z.number(), mass: z.number(), registration_url: z.string(),
    }).describe('The signed claims, decoded (for reading: only the JWS is evidence)'),
    jwks_url: z.string(),
  })
  .meta({ id: 'AgentReputationBadge' });

const JwksSchema = z
  .object({ keys: z.array(z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') })) })
  .meta({ id: 'ReputationBadgeJwks' });

/** An agent's reputation, its signed badge (JSON and SVG) and the badge keys: public, rate limited per IP. */
export function registerAgentReputationRoutes(app: FastifyInstance, deps: ReputationRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function reputationOf(agentId: string) {
    const reputation = await getReputation(deps, agentId);
    if (!reputation) throw new ApiError('NOT_FOUND', `no agent ${agentId}`);
    return reputation;
  }

  r.get('/api/v1/agents/:id/reputation', {
    config: publicAccess,
    schema: {
      operationId: 'getAgentReputation',
      tags: TAGS,
      summary: 'An agent\'s reputation: score, confidence, what made them, and their daily history',
      description:
        'The model is docs/reputation.md: evidence from work outcomes, third-party validations and feedback, weighted by what backs it and decayed with a half-life. ' +
        'Score and components are as of now (the `score` of the agent in the registry is as of its last event). Public, rate limited per IP. Deactivated agents: 404.',
      params: AgentIdParams,
      response: { 200: jsonResponse('The reputation', ReputationSchema), ...errorResponses(404) },
    },
  }, async (request) => {
    const { agent, asOf, evaluation, itemCounts, counts, history } = await reputationOf(request.params.id);
    return {
      agent_id: agent.id, score: evaluation.score, confidence: evaluation.confidence, as_of: asOf.toISOString(),
      positive: evaluation.positive, negative: evaluation.negative, mass: evaluation.mass,
      model: { half_life_days: deps.reputation.halfLifeDays, prior_alpha: PRIOR.alpha, prior_beta: PRIOR.beta, confidence_k: CONFIDENCE_K, description_url: 'docs/reputation.md' },
      components: evaluation.components.map((component) => ({ ...component, count: itemCounts[`${component.source}/${component.strength}`] ?? 0 })),
      counts, history,
    };
  });

  r.get('/agents/:id/badge.json', {
    config: publicAccess,
    schema: {
      operationId: 'getAgentReputationBadge',
      tags: TAGS,
      summary: 'An agent\'s reputation badge, signed (JWS)',
      description: `The agent's name, ownership verification, score and confidence as of now, signed with the platform's \`reputation-badges\` key (${REPUTATION_BADGE_JWKS_PATH}); valid ${BADGE_TTL_SECONDS / 3600} hours (\`exp\`).`,
      params: AgentIdParams,
      response: { 200: jsonResponse('The badge', BadgeSchema), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const claims = badgeClaims(await reputationOf(request.params.id), deps.publicUrl);
    reply.header('cache-control', `public, max-age=${BADGE_MAX_AGE_SECONDS}`);
    return { jws: await signReputationBadge(deps.platformKeys, claims), claims, jwks_url: `${deps.publicUrl}${REPUTATION_BADGE_JWKS_PATH}` };
  });

  r.get('/agents/:id/badge.svg', {
    config: publicAccess,
    schema: {
      operationId: 'getAgentReputationBadgeSvg',
      tags: TAGS,
      summary: 'An agent\'s reputation badge as SVG, for embedding',
      description: 'Score, confidence and a check mark when the controller proved ownership; the agent\'s name in the title. Cacheable a few minutes.',
      params: AgentIdParams,
      response: { 200: textResponse('The badge', 'image/svg+xml'), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const claims = badgeClaims(await reputationOf(request.params.id), deps.publicUrl);
    return reply
      .header('content-type', 'image/svg+xml; charset=utf-8')
      .header('cache-control', `public, max-age=${BADGE_MAX_AGE_SECONDS}`)
      .header('x-content-type-options', 'nosniff')
      .send(renderBadgeSvg(claims));
  });

  r.get(REPUTATION_BADGE_JWKS_PATH, {
    config: publicAccess,
    schema: {
      operationId: 'getReputationBadgeJwks',
      tags: TAGS,
      summary: 'Keys that verify reputation badges (JWK Set)',
      description: 'Ed25519 public keys of the `reputation-badges` purpose, active and retired.',
      response: { 200: jsonResponse('The JWK Set', JwksSchema) },
    },
  }, async () => publishSigningKeys(deps.platformKeys, REPUTATION_BADGE_KEY_PURPOSE));
}
