import type { SealedColumn } from '#platform/crypto/sealed-columns.ts';
import { PLATFORM_KEY_SEALED_COLUMNS } from '#platform/crypto/platform-keys.ts';
import { IDEMPOTENCY_SEALED_COLUMNS } from '#platform/http/idempotency.ts';
import { CLIENT_SEALED_COLUMNS } from '#modules/clients/sealed-columns.ts';
import { CONSOLE_SEALED_COLUMNS } from '#modules/console-sessions/sealed-columns.ts';
import { AGENT_CA_SEALED_COLUMNS } from '#modules/evidence/agents/open-agent-ca.ts';
import { EVIDENCE_ENCRYPTION_KEY_SEALED_COLUMNS } from '#modules/evidence/evidence-encryption-keys.ts';
import { WEBHOOK_SEALED_COLUMNS } from '#modules/webhooks/webhook-secret-context.ts';

/**
 * Every column holding values sealed with VERIDITY_ENCRYPTION_KEY, as the modules owning the tables
 * export them: what `veridity rotate-encryption-key` re-seals. test/key-rotation.test.ts fails when
 * the schema has a sealed-looking column missing here.
 */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  ...WEBHOOK_SEALED_COLUMNS,
  ...PLATFORM_KEY_SEALED_COLUMNS,
  ...EVIDENCE_ENCRYPTION_KEY_SEALED_COLUMNS,
  ...AGENT_CA_SEALED_COLUMNS,
  ...IDEMPOTENCY_SEALED_COLUMNS,
  ...CLIENT_SEALED_COLUMNS,
  ...CONSOLE_SEALED_COLUMNS,
];
