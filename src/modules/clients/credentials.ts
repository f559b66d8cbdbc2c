import { generateToken, hashToken } from '#platform/crypto/tokens.ts';

export const API_KEY_PREFIX = 'vk';

export type IssuedApiKey = { apiKey: string; keyHash: Buffer; keyPrefix: string };

export function issueApiKey(): IssuedApiKey {
  const apiKey = generateToken(API_KEY_PREFIX);
  return { apiKey, keyHash: hashToken(apiKey), keyPrefix: apiKey.slice(0, API_KEY_PREFIX.length + 9) };
}
