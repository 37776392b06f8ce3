import { runEmulatorCli } from './emulator-cli';
import { api, isValidOmiseSignature, startWebhookSink } from '../test/emulator-test-kit';

test('--help prints the usage and starts nothing', async () => {
  const lines: string[] = [];
  expect(await runEmulatorCli({}, ['--help'], (l) => lines.push(l))).toBeUndefined();
  expect(lines.join('\n')).toContain('--scenario NAME');
});

test('the CLI starts the emulator with env keys and secrets, and runs the scenario it is given', async () => {
  const sink = await startWebhookSink();
  const secret = Buffer.from('cli-secret').toString('base64');
  const lines: string[] = [];
  const run = await runEmulatorCli(
    {
      EMULATOR_SECRET_KEY: 'skey_test_cli',
      OMISE_WEBHOOK_SECRETS: secret,
      EMULATOR_LOG_LEVEL: 'silent',
    },
    [
      '--port',
      '0',
      '--webhook-url',
      sink.url,
      '--scenario',
      'traffic',
      '--charges',
      '5',
      '--rate',
      '500',
    ],
    (l) => lines.push(l),
  );
  if (run === undefined) throw new Error('not started');
  try {
    const finished = await run.scenario;
    expect(finished).toMatchObject({ status: 'finished', summary: { charges: 5 } });
    expect(lines[0]).toBe(`omise emulator listening on ${run.emulator.url}`);
    const res = await api(run.emulator, 'GET', '/charges');
    // Five charges and the first run of the scenario's schedule.
    expect(res.body.total).toBe(6);
    await run.emulator.deliveries.idle();
    const first = sink.received[0];
    if (first === undefined) throw new Error('no delivery');
    expect(isValidOmiseSignature(first.rawBody, first.headers, secret)).toBe(true);
  } finally {
    await run.emulator.close();
    await sink.close();
  }
});

test.each([
  [[], {}, 404],
  [['--admin'], {}, 200],
  [[], { EMULATOR_ADMIN: 'on' }, 200],
])(
  'the admin API answers only when asked for (flags %j, env %j): %d',
  async (flags, env, status) => {
    const run = await runEmulatorCli(
      { EMULATOR_LOG_LEVEL: 'silent', ...env },
      ['--port', '0', ...flags],
      () => undefined,
    );
    if (run === undefined) throw new Error('not started');
    try {
      const res = await fetch(`${run.emulator.url}/_emulator/stats`);
      await res.text();
      expect(res.status).toBe(status);
      // The reset endpoint, the one that destroys state, is refused with the rest.
      const reset = await fetch(`${run.emulator.url}/_emulator/reset`, { method: 'POST' });
      await reset.text();
      expect(reset.status === 200 || reset.status === 204).toBe(status === 200);
    } finally {
      await run.emulator.close();
    }
  },
);
