import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';

/** A local stand-in for the team's Slack webhook: counts notifications and shows their text. */
export class AlertSink {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly messages: readonly string[],
  ) {}

  static async start(onMessage: (text: string) => void): Promise<AlertSink> {
    const messages: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let text = '(unreadable notification)';
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown };
          if (typeof body.text === 'string') text = body.text;
        } catch {
          // keep the placeholder: the demo shows that something arrived
        }
        messages.push(text);
        onMessage(text);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return new AlertSink(server, `http://127.0.0.1:${port}/slack`, messages);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A port that was free a moment ago (the child binds it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
