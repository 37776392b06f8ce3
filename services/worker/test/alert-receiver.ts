import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local Slack-compatible endpoint on port 0 that records what it receives. */
export interface AlertReceiver {
  readonly url: string;
  readonly received: Record<string, unknown>[];
  /** Status answered to the next requests (default 200). */
  respondWith(status: number): void;
  /** When set, requests are held this long before the answer (to provoke timeouts). */
  delayAnswers(ms: number): void;
  close(): Promise<void>;
}

export async function startAlertReceiver(): Promise<AlertReceiver> {
  const received: Record<string, unknown>[] = [];
  let status = 200;
  let delayMs = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      const answer = () => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'nope');
      };
      if (delayMs > 0) setTimeout(answer, delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`,
    received,
    respondWith: (next) => {
      status = next;
    },
    delayAnswers: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
