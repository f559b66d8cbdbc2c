import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { refuseUnknownCapabilities } from './capabilities.ts';
import { getAgent } from './get-agent.ts';
import { readController } from './read-controller.ts';
import { lostRace, type AgentWriteResult } from './register-agent.ts';
import { AGENT_COLUMNS, type AgentCard, type RegistryAgentRow } from './tables.ts';

export type AgentChanges = Partial<AgentCard> & { controller?: string | undefined };

const COLUMNS: Record<keyof AgentCard, { column: string; json?: boolean }> = {
  name: { column: 'name' },
  description: { column: 'description' },
  image: { column: 'image' },
  endpoints: { column: 'endpoints', json: true },
  supportedTrust: { column: 'supported_trust' },
  capabilities: { column: 'capabilities' },
  tags: { column: 'tags' },
  pricing: { column: 'pricing', json: true },
  tee: { column: 'tee', json: true },
};

/** Changes the partner's live agent; a new controller makes it unverified until that controller signs a challenge. */
export async function updateAgent(deps: { pool: Pool; clock: Clock }, clientId: string, id: string, changes: AgentChanges): Promise<AgentWriteResult> {
  if (changes.capabilities) {
    const refused = refuseUnknownCapabilities(changes.capabilities);
    if (refused) return refused;
  }
  const sets: string[] = [];
  const values: unknown[] = [id, clientId, deps.clock.now()];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  for (const [field, { column, json }] of Object.entries(COLUMNS) as [keyof AgentCard, { column: string; json?: boolean }][]) {
    if (changes[field] !== undefined) set(column, json && changes[field] !== null ? JSON.stringify(changes[field]) : changes[field]);
  }
  let controllerDid: string | undefined;
  if (changes.controller !== undefined) {
    const controller = readController(changes.controller);
    if (!controller.ok) return { ok: false, code: 'VALIDATION_FAILED', message: `body.controller: ${controller.message}` };
    controllerDid = controller.value.did;
    set('controller_did', controller.value.did);
    set('controller_namespace', controller.value.namespace);
    set('controller_key', controller.value.key);
    sets.push('verified_at = CASE WHEN controller_did = $' + (values.length - 2) + ' THEN verified_at END');
  }
  const current = await getAgent(deps, id, { clientId });
  if (!current) return { ok: false, code: 'NOT_FOUND', message: `no agent ${id}` };
  if (current.deactivatedAt) return { ok: false, code: 'CONFLICT', message: `agent ${id} is deactivated` };
  try {
    const { rows } = await deps.pool.query<RegistryAgentRow>(
      `UPDATE registry_agents SET ${[...sets, 'updated_at = $3'].join(', ')} WHERE id = $1 AND client_id = $2 AND deactivated_at IS NULL RETURNING ${AGENT_COLUMNS}`,
      values,
    );
    if (!rows[0]) return { ok: false, code: 'CONFLICT', message: `agent ${id} is deactivated` };
    return { ok: true, value: rows[0] };
  } catch (error) {
    const lost = lostRace(error, controllerDid ?? current.controllerDid, changes.name ?? current.name);
    if (lost) return lost;
    throw error;
  }
}
