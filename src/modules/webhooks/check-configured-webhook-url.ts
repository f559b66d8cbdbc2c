import { checkWebhookUrl, systemLookup, type HostLookup, type WebhookUrlCheck } from './delivery/ssrf-guard.ts';

/** WEBHOOK_ALLOW_PRIVATE_NETWORKS, and a resolver (tests). */
export type WebhookUrlPolicy = { allowPrivateNetworks: boolean; lookup?: HostLookup };

export type ConfiguredWebhookUrlCheck =
  | { ok: true }
  | { ok: false; code: 'WEBHOOK_URL_REFUSED'; reason: Exclude<WebhookUrlCheck, { ok: true }>['code']; message: string };

const LOOKUP_TIMEOUT_MS = 5_000;

/**
 * Configuration-time SSRF check of a partner's webhook URL (the 400 when an operator sets it).
 * A name that does not resolve (yet) is accepted: it cannot be judged now, and every delivery
 * checks the address it actually connects to.
 */
export async function checkConfiguredWebhookUrl(url: string, policy: WebhookUrlPolicy): Promise<ConfiguredWebhookUrlCheck> {
  const lookup = policy.lookup ?? systemLookup;
  const check = await checkWebhookUrl(url, {
    allowPrivateNetworks: policy.allowPrivateNetworks,
    lookup: (hostname) => withTimeout(lookup(hostname), LOOKUP_TIMEOUT_MS, `resolving ${hostname} timed out`),
  });
  if (check.ok || check.code === 'HOST_UNRESOLVABLE') return { ok: true };
  return { ok: false, code: 'WEBHOOK_URL_REFUSED', reason: check.code, message: check.message };
}

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
