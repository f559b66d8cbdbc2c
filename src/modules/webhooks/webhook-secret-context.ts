/**
 * The associated data a webhook secret is sealed with: the client id, so a sealed secret cannot be
 * moved to another partner. The text predates the webhook_endpoints table and must not change:
 * stored secrets were sealed with it.
 */
export function webhookSecretContext(clientId: string): string {
  return `api_clients.webhook_secret:${clientId}`;
}
