import * as oidc from 'openid-client';
import type { OidcConfig } from '#src/config.ts';
import type { Logger } from '#platform/logger.ts';

/** The operator's OpenID provider: its settings and its discovered configuration. */
export type IdentityProvider = {
  settings: OidcConfig;
  /** Discovered once and kept; a failed discovery (provider down) is logged and tried again on the next sign-in. Undefined: unreachable. */
  configuration(): Promise<oidc.Configuration | undefined>;
};

/** Seconds any request to the provider may take (discovery, token, userinfo). */
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * Discovery from OIDC_ISSUER, lazily: the server starts while the provider is down. The client
 * authenticates with client_secret_basic (OAuth's default, which Keycloak and most providers take);
 * plain http is allowed for a loopback issuer only (config.ts refuses it elsewhere).
 */
export function createIdentityProvider(settings: OidcConfig, log: Logger): IdentityProvider {
  let discovered: Promise<oidc.Configuration> | undefined;
  const insecure = new URL(settings.issuer).protocol === 'http:';
  return {
    settings,
    async configuration() {
      discovered ??= oidc.discovery(new URL(settings.issuer), settings.clientId, undefined, oidc.ClientSecretBasic(settings.clientSecret), {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      try {
        return await discovered;
      } catch (error) {
        discovered = undefined;
        log.warn({ err: error, issuer: settings.issuer }, 'OpenID provider discovery failed');
        return undefined;
      }
    },
  };
}

/** Why an OpenID sign-in (its start or its callback) did not sign anyone in; the sign-in page words each. */
export type OidcFailure = 'LOGIN_UNKNOWN' | 'PROVIDER_REFUSED' | 'PROVIDER_UNAVAILABLE' | 'TOKEN_EXCHANGE_FAILED' | 'NO_ROLE' | 'PARTNER_DISABLED';
