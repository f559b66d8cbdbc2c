/**
 * The container health check: GET a URL on this machine and exit 0 on a 2xx answer, 1 otherwise
 * (no answer within 4 s included). The image has no curl or wget, only Node.
 *
 *   node deploy/healthcheck.ts          # this container's API: http://127.0.0.1:$PORT/healthz
 *   node deploy/healthcheck.ts <url>    # another role's endpoint (a worker's /metrics, ...)
 */
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}/healthz`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  process.exitCode = response.ok ? 0 : 1;
} catch {
  process.exitCode = 1;
}
