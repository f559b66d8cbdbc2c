/**
 * An RPC failure as one line that names no URL (it may carry an API key) and no request body:
 * viem's error name, short message and the node's own reason.
 */
export function rpcErrorMessage(error: unknown): string {
  const e = error as { name?: unknown; shortMessage?: unknown; details?: unknown; message?: unknown };
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  const short = typeof e?.shortMessage === 'string' ? e.shortMessage : 'RPC call failed';
  const details = typeof e?.details === 'string' && !/https?:\/\//.test(e.details) ? ` (${e.details})` : '';
  return `${name}: ${short}${details}`.slice(0, 500);
}
