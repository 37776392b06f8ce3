import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  /** Port; 0 picks a free one. */
  port: number;
  /** @defaultValue '0.0.0.0' (scraped from other pods) */
  host?: string;
  registry: Registry;
  /** Postgres and Redis reachability, for /readyz. */
  checkReady(): Promise<{ ready: boolean; checks: Record<string, string> }>;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The worker's operational endpoints: `/healthz` (the process answers), `/readyz` (Postgres
 * and Redis answer; 503 otherwise) and `/metrics` (Prometheus text format).
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(405, 'text/plain', 'method not allowed\n');
      return;
    }
    switch (path) {
      case '/healthz':
        reply(200, 'application/json', '{"status":"ok"}\n');
        return;
      case '/readyz':
        options.checkReady().then(
          (result) =>
            reply(
              result.ready ? 200 : 503,
              'application/json',
              `${JSON.stringify({ status: result.ready ? 'ready' : 'not ready', ...result.checks })}\n`,
            ),
          () => reply(503, 'application/json', '{"status":"not ready"}\n'),
        );
        return;
      case '/metrics':
        options.registry.metrics().then(
          (text) => reply(200, options.registry.contentType, text),
          (error: unknown) => reply(500, 'text/plain', `metrics failed: ${String(error)}\n`),
        );
        return;
      default:
        reply(404, 'text/plain', 'not found\n');
    }
  });
  // Scrapers keep connections alive; do not let them hold shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
