/**
 * Where an agent's work history is pinned after each new record: nowhere (`none`, the default), or
 * an IPFS node through the Kubo RPC API (`IPFS_PIN_URL`: POST /api/v0/dag/import of the CAR, which
 * pins its root). Pinning is a copy for others to fetch by CID: the database stays the source.
 */
export type WorkHistoryPinner = { name: 'none' | 'kubo'; pin(car: Buffer, head: string): Promise<void> };

export const noPinner: WorkHistoryPinner = { name: 'none', pin: async () => {} };

/** Kubo RPC: `dag/import` with `pin-roots=true`; the answer names the root it pinned, which must be `head`. */
export function kuboPinner(rpcUrl: string, options: { timeoutMs?: number } = {}): WorkHistoryPinner {
  const url = new URL('api/v0/dag/import?pin-roots=true', rpcUrl.endsWith('/') ? rpcUrl : `${rpcUrl}/`);
  return {
    name: 'kubo',
    async pin(car, head) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(car)], { type: 'application/vnd.ipld.car' }), 'work-history.car');
      const response = await fetch(url, { method: 'POST', body: form, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
      const text = await response.text();
      if (!response.ok) throw new Error(`IPFS dag/import answered ${response.status}: ${text.slice(0, 200)}`);
      // One JSON object per line; the root's: {"Root":{"Cid":{"/":"bafy..."},"PinErrorMsg":""}}.
      const roots = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { Root?: { Cid?: { '/': string }; PinErrorMsg?: string } });
      const root = roots.find((item) => item.Root?.Cid?.['/'] === head)?.Root;
      if (!root) throw new Error(`IPFS dag/import did not report the root ${head}`);
      if (root.PinErrorMsg) throw new Error(`IPFS could not pin ${head}: ${root.PinErrorMsg}`);
    },
  };
}
