import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import express from 'express';
import { loadConfig } from '../config';
import { startReceiver } from '../main';

/**
 * A server process for receiver.bench.ts: `receiver` runs the real receiver (config from the
 * environment, as in production), `bare` a stock express route that only answers 200. Each
 * tells its parent the port over IPC and stops on the message 'stop'.
 */
async function main(): Promise<void> {
  const role = process.argv[2];
  let stop: () => Promise<void>;
  let port: number;
  if (role === 'receiver') {
    const receiver = await startReceiver(loadConfig(process.env), { host: '127.0.0.1' });
    port = receiver.port;
    stop = () => receiver.close();
  } else if (role === 'bare') {
    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');
    app.post('/webhooks/omise', (_req, res) => {
      res.sendStatus(200);
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    stop = () => new Promise((resolve) => server.close(() => resolve()));
  } else {
    throw new Error(`unknown role ${String(role)} (receiver | bare)`);
  }
  process.on('message', (message) => {
    if (message === 'stop') {
      void stop().then(() => process.disconnect());
    } else if (message === 'cpu') {
      // CPU time used so far (user + system, microseconds), to compare cost per request.
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMicros: user + system });
    }
  });
  // The parent gone (stopped by a signal, or crashed): nothing will measure this server.
  process.once('disconnect', () => process.exit(0));
  process.send?.({ port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
