import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedWebhook = { method: string; path: string; headers: http.IncomingHttpHeaders; body: Buffer; receivedAt: number };

/** Answers one request; `received` already includes it. */
export type Responder = (request: ReceivedWebhook, response: http.ServerResponse) => void;

export type Receiver = {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Requests per `webhook-id`. */
  countsById(): Map<string, number>;
  setResponder(responder: Responder): void;
  /** Requests whose response has not been sent yet. */
  inFlight(): number;
  close(): Promise<void>;
};

export const answer = (status: number, body = '', headers: http.OutgoingHttpHeaders = {}): Responder =>
  (_request, response) => response.writeHead(status, headers).end(body);

/** A real HTTP receiver on 127.0.0.1 that records every request (204 unless told otherwise). */
export async function startReceiver(responder: Responder = answer(204)): Promise<Receiver> {
  let respond = responder;
  let pending = 0;
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), receivedAt: Date.now() };
      received.push(request);
      pending += 1;
      res.once('close', () => (pending -= 1));
      respond(request, res);
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    countsById() {
      const counts = new Map<string, number>();
      for (const request of received) {
        const id = String(request.headers['webhook-id']);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },
    setResponder(next) {
      respond = next;
    },
    inFlight: () => pending,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
