import { ConfigError } from '@omise-sync/core';
import { DEFAULT_WEBHOOK_SECRET, loadEmulatorConfig } from './emulator-config';

test('with nothing set, the documented defaults apply', () => {
  const config = loadEmulatorConfig({}, []);
  expect(config).toMatchObject({
    port: 4010,
    host: '127.0.0.1',
    webhookUrls: [],
    scenario: undefined,
  });
  expect(config.env).toMatchObject({
    EMULATOR_SECRET_KEY: 'skey_test_emulator',
    EMULATOR_PUBLIC_KEY: 'pkey_test_emulator',
    EMULATOR_WEBHOOK_SECRETS: [DEFAULT_WEBHOOK_SECRET],
  });
});

test('keys, webhook URLs, secrets and faults come from the environment; flags win', () => {
  const config = loadEmulatorConfig(
    {
      EMULATOR_SECRET_KEY: 'skey_test_x',
      EMULATOR_PUBLIC_KEY: 'pkey_test_x',
      EMULATOR_WEBHOOK_URLS: 'http://a.test/hook, http://b.test/hook',
      EMULATOR_WEBHOOK_SECRETS: 'c2VjcmV0,bmV4dA==',
      EMULATOR_FAULTS: '{"rateLimitShare":0.1}',
      EMULATOR_PORT: '5000',
    },
    ['--port', '4011', '--scenario', 'bulk', '--charges', '100000'],
  );
  expect(config.port).toBe(4011);
  expect(config.webhookUrls).toEqual(['http://a.test/hook', 'http://b.test/hook']);
  expect(config.env.EMULATOR_WEBHOOK_SECRETS).toEqual(['c2VjcmV0', 'bmV4dA==']);
  expect(config.env.EMULATOR_FAULTS).toEqual({ rateLimitShare: 0.1 });
  expect(config.scenario).toMatchObject({ name: 'bulk', charges: 100_000 });
});

test('the demo scenario has demo defaults; flags override them', () => {
  expect(loadEmulatorConfig({}, ['--scenario', 'demo']).scenario).toMatchObject({
    charges: 300,
    ratePerSecond: 10,
  });
  expect(
    loadEmulatorConfig({}, ['--scenario', 'traffic', '--rate', '50', '--refund-share', '0.2'])
      .scenario,
  ).toMatchObject({ ratePerSecond: 50, refundShare: 0.2, disputeShare: 0.05 });
});

test('bad values are all reported at once', () => {
  const attempt = () =>
    loadEmulatorConfig({ EMULATOR_SECRET_KEY: 'pkey_wrong', EMULATOR_FAULTS: '{"nope":1}' }, []);
  expect(attempt).toThrow(ConfigError);
  const flags = () =>
    loadEmulatorConfig({}, ['--scenario', 'nope', '--port', 'x', '--webhook-url', 'ftp://x']);
  expect(flags).toThrow(/--scenario: must be one of/);
  expect(flags).toThrow(/--port: must be a non-negative number/);
  expect(flags).toThrow(/--webhook-url: ftp:\/\/x is not an http\(s\) URL/);
});

test('OMISE_SECRET_KEY, OMISE_WEBHOOK_SECRETS and LOG_LEVEL (shared with the receiver) are used when EMULATOR_* are unset', () => {
  const shared = loadEmulatorConfig(
    { OMISE_SECRET_KEY: 'skey_test_shared', OMISE_WEBHOOK_SECRETS: 'c2VjcmV0', LOG_LEVEL: 'warn' },
    [],
  );
  expect(shared.env).toMatchObject({
    EMULATOR_SECRET_KEY: 'skey_test_shared',
    EMULATOR_WEBHOOK_SECRETS: ['c2VjcmV0'],
    EMULATOR_LOG_LEVEL: 'warn',
  });
  const own = loadEmulatorConfig(
    { OMISE_SECRET_KEY: 'skey_test_shared', EMULATOR_SECRET_KEY: 'skey_test_own' },
    [],
  );
  expect(own.env.EMULATOR_SECRET_KEY).toBe('skey_test_own');
});

test('EMULATOR_ACCOUNTS adds accounts, each with its own key and webhooks', () => {
  const config = loadEmulatorConfig(
    {
      EMULATOR_ACCOUNTS: JSON.stringify([
        {
          name: 'account-2',
          secretKey: 'skey_test_two',
          webhooks: [{ url: 'http://r.test/webhooks/omise/account-2', secrets: ['c2VjcmV0'] }],
        },
      ]),
    },
    [],
  );
  expect(config.env.EMULATOR_ACCOUNTS).toEqual([
    {
      name: 'account-2',
      secretKey: 'skey_test_two',
      webhooks: [{ url: 'http://r.test/webhooks/omise/account-2', secrets: ['c2VjcmV0'] }],
    },
  ]);
  expect(() => loadEmulatorConfig({ EMULATOR_ACCOUNTS: '[{"name":"X"}]' }, [])).toThrow(
    ConfigError,
  );
});
