import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of Redis that a test can break on purpose: `cut()` drops every
 * connection and refuses new ones (Redis down or restarting), `hold()` keeps connections open
 * but holds traffic back (Redis hung), `restore()` releases held bytes and forwards again.
 */
export interface TcpProxy {
  readonly url: string;
  cut(): void;
  hold(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  let mode: 'forward' | 'cut' | 'hold' = 'forward';
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 6379), target.hostname);
    track(upstream);
    const relay = (to: Socket) => (chunk: Buffer) => {
      if (mode === 'hold') held.push(() => to.write(chunk));
      else to.write(chunk);
    };
    client.on('data', relay(upstream));
    upstream.on('data', relay(client));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      mode = 'cut';
      destroyAll();
    },
    hold() {
      mode = 'hold';
    },
    restore() {
      mode = 'forward';
      for (const release of held.splice(0)) release();
    },
    async close() {
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
