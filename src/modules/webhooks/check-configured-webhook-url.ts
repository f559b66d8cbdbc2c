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
  const timedLookup: HostLookup = (hostname) => withTimeout(lookup(hostname), LOOKUP_TIMEOUT_MS, `resolving ${hostname} timed out`);
  const check = await checkWebhookUrl(url, { allowPrivateNetworks: policy.allowPrivateNetworks, lookup: timedLookup });
  if (check.ok || check.code === 'HOST_UNRESOLVABLE') return { ok: true };
  // A receiver on this machine or the LAN is refused by default; say how the operator allows it (cloud metadata never).
  const allowedOnPrivateNetworks = !policy.allowPrivateNetworks && check.code === 'ADDRESS_FORBIDDEN' && (await checkWebhookUrl(url, { allowPrivateNetworks: true, lookup: timedLookup })).ok;
  const hint = allowedOnPrivateNetworks ? '; to deliver to loopback and private networks, the operator sets WEBHOOK_ALLOW_PRIVATE_NETWORKS=true' : '';
  return { ok: false, code: 'WEBHOOK_URL_REFUSED', reason: check.code, message: check.message + hint };
}

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
