import { sealedColumn } from '#platform/crypto/sealed-columns.ts';
import { idpTokensContext } from './session-row.ts';
import { oidcLoginContext } from './start-oidc-sign-in.ts';

/** For `veridity rotate-encryption-key`: the identity provider's tokens of OIDC sessions, and the PKCE verifiers of sign-ins in flight. */
export const CONSOLE_SEALED_COLUMNS = [
  sealedColumn({ table: 'console_sessions', column: 'idp_tokens_sealed', primaryKey: ['id'], contextColumns: [], associatedData: (row) => idpTokensContext(row.id) }),
  sealedColumn({ table: 'console_oidc_logins', column: 'code_verifier_sealed', primaryKey: ['browser_hash'], contextColumns: [], associatedData: (row) => oidcLoginContext(row.browser_hash) }),
];
