// TEE attestation tasks for the soak: the repository's real TDX quote and collateral (the demo's
// sample), submitted at a steady rate by the bench partners, verified by the server's embedded worker.
import { loadTeeSample } from '#src/cli/demo-tee-sample.ts';

export type TaskFeeder = { statuses(): Record<string, number>; stop(): Promise<void> };

export async function startTaskFeeder(url: string, apiKeys: string[], perSecond: number): Promise<TaskFeeder> {
  const sample = await loadTeeSample();
  if (!sample) throw new Error('the TDX test vector is missing from src/modules/attestations/verification/fixtures');
  const body = JSON.stringify(sample.body);
  const statuses: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  const timer = setInterval(() => {
    const apiKey = apiKeys[sent++ % apiKeys.length]!;
    const request = fetch(`${url}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body }).then(
      async (response) => {
        await response.arrayBuffer();
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      },
      () => void (statuses.error = (statuses.error ?? 0) + 1),
    );
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }, 1000 / perSecond);
  return {
    statuses: () => ({ ...statuses }),
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}
