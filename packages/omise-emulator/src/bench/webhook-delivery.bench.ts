import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { seedCharges, startEmulator } from '../index';

/**
 * Webhook deliveries per second: bulk-seeds charges with webhooks on, delivering to a local
 * receiver that answers 200 at once. Env: BENCH_CHARGES (default 20000).
 */
async function main(): Promise<void> {
  const charges = Number(process.env.BENCH_CHARGES ?? '20000');
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const { port } = receiver.address() as AddressInfo;
  const emulator = await startEmulator({
    seed: 'bench',
    webhooks: [{ url: `http://127.0.0.1:${port}/webhooks`, secrets: ['c2VjcmV0'] }],
  });
  const started = Date.now();
  const summary = await seedCharges(emulator, { charges, webhooks: true, seed: 1 });
  await emulator.deliveries.idle();
  const seconds = (Date.now() - started) / 1000;
  const stats = emulator.deliveries.stats();
  console.log(
    JSON.stringify(
      {
        events: summary.events,
        delivered: stats.succeeded,
        received,
        failed: stats.failed,
        seconds,
        deliveriesPerSecond: Math.round(stats.succeeded / seconds),
        node: process.version,
      },
      null,
      2,
    ),
  );
  await emulator.close();
  receiver.closeAllConnections();
  receiver.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
