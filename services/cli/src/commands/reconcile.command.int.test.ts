import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { useTestDatabase, useTestRedis } from '@omise-sync/testing';
import { type Emulator, startEmulator } from '@omise-sync/omise-emulator';
import { runCliInProcess } from '../../test/run-cli-in-process';
import { EXIT_DRIFT } from './reconcile.command';

describe('reconcile --fail-on-drift and Omise webhook deliveries', () => {
  const database = useTestDatabase();
  const redis = useTestRedis();
  let emulator: Emulator;
  let endpoint: Server;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // A broken endpoint: every delivery is answered 503.
    endpoint = createServer((_request, response) => response.writeHead(503).end());
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const { port } = endpoint.address() as AddressInfo;
    emulator = await startEmulator({
      seed: 'cli-fail-on-drift',
      secretKey: 'skey_test_failondrift',
      webhooks: [{ url: `http://127.0.0.1:${port}/webhooks/omise`, secrets: [] }],
      delivery: { retryDelaysMs: [5] },
    });
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: redis.prefix,
      OMISE_SECRET_KEY: 'skey_test_failondrift',
      OMISE_API_URL: emulator.url,
      RECONCILE_SETTLE_SECONDS: '0',
      PII_SALT: 'a-test-salt-of-16-chars',
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    await emulator.close();
    await new Promise((resolve) => endpoint.close(resolve));
  });

  it('exits 3 when it had to repair drift, shows what Omise recorded of its deliveries, and exits 0 once nothing drifts', async () => {
    const token = emulator.actions.createToken({
      card: { name: 'T', number: '4242424242424242', expiration_month: 12, expiration_year: 2040 },
    });
    emulator.actions.createCharge({ amount: 100_000, currency: 'THB', card: String(token['id']) });
    await emulator.deliveries.idle();

    const drifted = await runCliInProcess(['reconcile', '--fail-on-drift'], env);
    expect(drifted.code).toBe(EXIT_DRIFT);
    expect(drifted.stdout).toMatch(/events_unprocessed +1 +1/);
    expect(drifted.stdout).toContain(
      'webhook deliveries (Omise): 1 events attempted (attempts by status 503: 2), 1 with every attempt failed',
    );
    expect(drifted.stderr).toContain(`--fail-on-drift: drift found, exiting ${EXIT_DRIFT}`);

    const status = await runCliInProcess(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      'attempts by status 503: 2), 1 with every attempt failed (evnt_',
    );
    const json = await runCliInProcess(['status', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      accounts: [
        {
          lastReconcile: {
            webhook_deliveries: { eventsAttempted: 1, eventsFailed: 1, byStatus: { '503': 2 } },
          },
        },
      ],
    });

    const clean = await runCliInProcess(['reconcile', '--fail-on-drift'], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('no drift');
  });

  it('without --fail-on-drift, drift repaired is not an error', async () => {
    const token = emulator.actions.createToken({
      card: { name: 'T', number: '4242424242424242', expiration_month: 12, expiration_year: 2040 },
    });
    emulator.actions.createCharge({ amount: 5_000, currency: 'THB', card: String(token['id']) });
    await emulator.deliveries.idle();
    const run = await runCliInProcess(['reconcile'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/drift: \d+ difference\(s\)/);
  });
});
