import { connect, createServer, type Socket } from 'node:net';

export type TcpProxy = {
  port: number;
  /** Drops every open connection and resets new ones until `restore()`: the network between app and database is gone. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
};

/** A TCP forwarder on 127.0.0.1 to `target` whose link a test can cut and restore. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let cut = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((incoming) => {
    incoming.on('error', () => {}); // resets are the point: nothing to report
    if (cut) return void incoming.resetAndDestroy();
    const outgoing = connect(target.port, target.host);
    track(incoming);
    track(outgoing);
    for (const [from, to] of [[incoming, outgoing], [outgoing, incoming]] as const) {
      from.on('error', () => to.destroy());
      from.once('close', () => to.destroy());
      from.pipe(to);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut() {
      cut = true;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      cut = false;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
