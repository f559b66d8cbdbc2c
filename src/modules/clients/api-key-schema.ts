import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { IdParam } from '#platform/http/schemas.ts';
import type { ApiKeyRow } from './tables.ts';

/** active: works with no end; expiring: replaced by a rotation, works until `expires_at`; expired: that time passed; disabled: refused for good. */
export const API_KEY_STATUSES = ['active', 'expiring', 'expired', 'disabled'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

/** The longest grace period a rotation may leave the old key (7 days), and the default (24 h). */
export const MAX_ROTATION_GRACE_SECONDS = 7 * 24 * 3600;
export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 3600;

const KEY_EXAMPLE = {
  id: 'key_01m8r4pv8cf77s9qpsxgdkd8jj',
  name: 'Production',
  key_prefix: 'vk_3Yq9T0b7',
  status: 'active',
  created_at: EXAMPLE.time,
  last_used_at: null,
  expires_at: null,
  disabled_at: null,
} as const;

const Time = z.string().describe('ISO 8601');

export const ApiKeySchema = z
  .object({
    id: z.string().describe('Key id (`key_...`)'),
    name: z.string(),
    key_prefix: z.string().describe('First characters of the key, to tell keys apart (the key itself is never shown again)'),
    status: z.enum(API_KEY_STATUSES).describe('active; expiring: replaced by a rotation, works until `expires_at`; expired; disabled'),
    created_at: Time,
    last_used_at: Time.nullable().describe('Refreshed at most once a minute'),
    expires_at: Time.nullable().describe('Set by a rotation: the end of the grace period'),
    disabled_at: Time.nullable(),
  })
  .meta({ id: 'ApiKey', examples: [KEY_EXAMPLE] });

export const ApiKeyWithSecretSchema = ApiKeySchema.extend({
  api_key: z.string().describe('The key, shown this once: only its hash is stored'),
}).meta({ id: 'ApiKeyWithSecret', examples: [{ ...KEY_EXAMPLE, api_key: EXAMPLE.apiKey }] });

export const ApiKeyRotatedSchema = ApiKeyWithSecretSchema.extend({
  replaced_key: ApiKeySchema.describe('The key rotated: `expiring` until `expires_at`, or already `expired` for a grace period of 0'),
}).meta({ id: 'ApiKeyRotated' });

export const ApiKeyPageSchema = z
  .object({
    data: z.array(ApiKeySchema),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page'),
  })
  .meta({ id: 'ApiKeyPage' });

export const ApiKeyListQuery = z.strictObject({
  status: z.enum(API_KEY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: IdParam('key').optional().describe('`next_cursor` of the previous page'),
});

const KeyName = z.string().trim().min(1).max(200);

export const ApiKeyCreateSchema = z
  .strictObject({ name: KeyName.describe('What the key is for, e.g. the system that holds it') })
  .meta({ id: 'ApiKeyCreate', examples: [{ name: 'Production' }] });

export const ApiKeyRotateSchema = z
  .strictObject({
    grace_period_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_ROTATION_GRACE_SECONDS)
      .default(DEFAULT_ROTATION_GRACE_SECONDS)
      .describe('How long the old key keeps working (default 86400 = 24 h, at most 7 days); 0: it stops at once'),
  })
  .meta({ id: 'ApiKeyRotate', examples: [{ grace_period_seconds: 3600 }] });

export const ApiKeyIdParams = z.strictObject({ id: IdParam('key') });

export type ApiKey = z.infer<typeof ApiKeySchema>;

export function apiKeyStatus(row: Pick<ApiKeyRow, 'expiresAt' | 'disabledAt'>, now: Date): ApiKeyStatus {
  if (row.disabledAt) return 'disabled';
  if (!row.expiresAt) return 'active';
  return row.expiresAt > now ? 'expiring' : 'expired';
}

export function toApiKey(row: ApiKeyRow, now: Date): ApiKey {
  return {
    id: row.id,
    name: row.name,
    key_prefix: row.keyPrefix,
    status: apiKeyStatus(row, now),
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    disabled_at: row.disabledAt?.toISOString() ?? null,
  };
}
