import { type IncomingHttpHeaders, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void;

/** A real HTTP server on port 0 standing in for Omise in one test file. */
export interface OmiseTestServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** How many TCP connections clients opened (keep-alive reuses them). */
  readonly connections: number;
  /** Handlers used in turn, one per request; the last one repeats. */
  handle(...handlers: Handler[]): void;
  close(): Promise<void>;
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Request-Id': 'req-test-123',
    ...headers,
  });
  response.end(text);
}

export const reply =
  (status: number, body: unknown, headers?: Record<string, string>): Handler =>
  (_request, response) =>
    sendJson(response, status, body, headers);

export async function startOmiseTestServer(): Promise<OmiseTestServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let handlers: Handler[] = [reply(500, { object: 'error', code: 'no_handler', message: 'x' })];
  let served = 0;

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://localhost');
      const recorded: RecordedRequest = {
        method: incoming.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      const handler = handlers[Math.min(served, handlers.length - 1)];
      served += 1;
      handler?.(recorded, response);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections;
    },
    handle(...next: Handler[]) {
      handlers = next;
      served = 0;
      requests.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
