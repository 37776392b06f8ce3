import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of Postgres or Redis that a test can break on purpose, without touching
 * the shared server: `cut()` drops every connection and drops new ones on arrival (server down
 * or restarting), `hold()` keeps connections open but holds traffic back (server hung),
 * `restore()` releases held bytes and forwards again.
 */
export interface TcpProxy {
  /** The target's URL (credentials, database, options kept) pointed at the proxy. */
  readonly url: string;
  cut(): void;
  hold(): void;
  restore(): void;
  close(): Promise<void>;
}

const DEFAULT_PORTS: Record<string, number> = {
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
};

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || DEFAULT_PORTS[target.protocol]);
  if (!Number.isInteger(targetPort)) throw new Error(`no port in ${target.protocol} URL`);
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
    const upstream = connect(targetPort, target.hostname);
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
  const proxied = new URL(targetUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as AddressInfo).port);
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: proxied.toString(),
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
