import { ApiError } from '#platform/http/errors.ts';
import { checkConfiguredWebhookUrl, type WebhookUrlPolicy } from './check-configured-webhook-url.ts';

/** For routes that set a webhook URL: a refused destination (SSRF guard) is a 400 naming the field. */
export async function requireAllowedWebhookUrl(url: string | null | undefined, policy: WebhookUrlPolicy, field = 'body.webhook_url'): Promise<void> {
  if (!url) return;
  const check = await checkConfiguredWebhookUrl(url, policy);
  if (!check.ok) {
    throw new ApiError('VALIDATION_FAILED', `${field}: ${check.message}`, { fields: [field], reason: check.reason });
  }
}
