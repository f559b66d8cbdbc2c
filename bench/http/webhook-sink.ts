// A webhook receiver for the soak: answers 204 to every delivery and counts them.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type WebhookSink = { url: string; received(): number; close(): Promise<void> };

export async function startWebhookSink(): Promise<WebhookSink> {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
