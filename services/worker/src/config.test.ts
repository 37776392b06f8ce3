import { ConfigError } from '@omise-sync/core';
import { DEFAULT_DISPUTE_SEVERITY_RULES } from '@omise-sync/projection';
import { loadConfig } from './config';

const required = {
  OMISE_SECRET_KEY: 'skey_test_123',
  DATABASE_URL: 'postgres://user@db:5432/omise',
  REDIS_URL: 'redis://redis:6379',
  PII_SALT: 'a-salt-of-sixteen-chars',
};

describe('loadConfig', () => {
  it('when only the required variables are set, every default applies', () => {
    expect(loadConfig(required)).toEqual({
      omise: {
        apiUrl: 'https://api.omise.co',
        timeoutMs: 10_000,
        rateLimitRps: undefined,
        maxConnections: 16,
      },
      accounts: [
        {
          name: 'default',
          secretKey: 'skey_test_123',
          apiUrl: 'https://api.omise.co',
          rateLimitRps: undefined,
        },
      ],
      databaseUrl: 'postgres://user@db:5432/omise',
      databasePoolSize: 20,
      redis: { mode: 'standalone', url: 'redis://redis:6379', bullmqPrefix: 'bull' },
      concurrency: 256,
      lockDurationMs: 10_000,
      stalledIntervalMs: 5_000,
      metricsPort: 9464,
      alertWebhook: undefined,
      severityRules: DEFAULT_DISPUTE_SEVERITY_RULES,
      responseDays: 7,
      reminderHours: [72, 24],
      shutdownTimeoutMs: 25_000,
      notifySweepIntervalMs: 30_000,
      logLevel: 'info',
      eventsRetentionDays: 400,
      pii: { mode: 'hash', salt: 'a-salt-of-sixteen-chars' },
    });
  });

  it('when PII_MODE is hash (the default) and PII_SALT is missing, it fails at start saying so', () => {
    const { PII_SALT: _salt, ...withoutSalt } = required;
    expect(() => loadConfig(withoutSalt)).toThrow(/PII_SALT: required when PII_MODE is hash/);
    expect(loadConfig({ ...withoutSalt, PII_MODE: 'drop' }).pii).toEqual({ mode: 'drop' });
  });

  it('when everything is set, it is all taken', () => {
    const config = loadConfig({
      ...required,
      OMISE_API_URL: 'http://emulator:4010',
      OMISE_RATE_LIMIT_RPS: '25',
      WORKER_CONCURRENCY: '4',
      DATABASE_POOL_SIZE: '6',
      METRICS_PORT: '0',
      ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
      ALERT_WEBHOOK_TIMEOUT_MS: '2000',
      DISPUTE_SEVERITY_RULES: JSON.stringify({ reasonCodes: ['other'], oldChargeDays: 30 }),
      SHUTDOWN_TIMEOUT_MS: '1000',
      DISPUTE_RESPONSE_DAYS: '10',
      DISPUTE_REMINDER_HOURS: '24, 72,24',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      omise: { apiUrl: 'http://emulator:4010', rateLimitRps: 25 },
      concurrency: 4,
      databasePoolSize: 6,
      metricsPort: 0,
      alertWebhook: { url: 'https://hooks.slack.com/services/T/B/x', timeoutMs: 2_000 },
      severityRules: { reasonCodes: ['other'], oldChargeDays: 30, baseline: 'low' },
      shutdownTimeoutMs: 1_000,
      responseDays: 10,
      reminderHours: [72, 24],
      logLevel: 'debug',
    });
  });

  it('when several variables are wrong, every problem is listed at once', () => {
    let caught: unknown;
    try {
      loadConfig({
        OMISE_SECRET_KEY: 'pkey_test_wrong',
        DATABASE_URL: 'mysql://db/omise',
        WORKER_CONCURRENCY: '0',
        DISPUTE_RESPONSE_DAYS: '0',
        DISPUTE_REMINDER_HOURS: '72,soon',
        DISPUTE_SEVERITY_RULES: '{"reasonCodes": "not-a-list"}',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of [
      'OMISE_SECRET_KEY',
      'DATABASE_URL',
      'REDIS_URL',
      'WORKER_CONCURRENCY',
      'DISPUTE_RESPONSE_DAYS',
      'DISPUTE_REMINDER_HOURS',
      'DISPUTE_SEVERITY_RULES',
    ]) {
      expect(problems).toContain(name);
    }
    expect(problems).toContain('reasonCodes');
  });

  it('when DISPUTE_RESPONSE_DAYS is JSON days by card country, they are kept, country codes in capitals', () => {
    expect(
      loadConfig({ ...required, DISPUTE_RESPONSE_DAYS: '{"default":7,"jp":10,"SG":14}' })
        .responseDays,
    ).toEqual({ default: 7, JP: 10, SG: 14 });
  });

  it.each(['{"default":7,"Japan":10}', '{"JP":0}', '[7]', 'seven'])(
    'when DISPUTE_RESPONSE_DAYS is %s, start-up fails saying what to write',
    (value) => {
      expect(() => loadConfig({ ...required, DISPUTE_RESPONSE_DAYS: value })).toThrow(
        /DISPUTE_RESPONSE_DAYS: must be (JSON|whole days .* e\.g\. \{"default":7,"JP":10\})/,
      );
    },
  );

  it('when NOTIFY_SWEEP_INTERVAL_MS is 0, the sweeper is configured off rather than refused', () => {
    expect(loadConfig({ ...required, NOTIFY_SWEEP_INTERVAL_MS: '0' }).notifySweepIntervalMs).toBe(
      0,
    );
  });

  it('when NOTIFY_SWEEP_INTERVAL_MS is negative, the problem is reported', () => {
    expect(() => loadConfig({ ...required, NOTIFY_SWEEP_INTERVAL_MS: '-1' })).toThrow(
      /NOTIFY_SWEEP_INTERVAL_MS/,
    );
  });

  it.each(['0', '31', '400'])('when EVENTS_RETENTION_DAYS is %s, it is taken', (days) => {
    expect(loadConfig({ ...required, EVENTS_RETENTION_DAYS: days }).eventsRetentionDays).toBe(
      Number(days),
    );
  });

  it.each(['7', '-1', '1.5', 'forever'])(
    'when EVENTS_RETENTION_DAYS is %s, the problem is reported',
    (days) => {
      expect(() => loadConfig({ ...required, EVENTS_RETENTION_DAYS: days })).toThrow(
        /EVENTS_RETENTION_DAYS/,
      );
    },
  );

  it('when the severity rules are not JSON, the problem says so', () => {
    expect(() => loadConfig({ ...required, DISPUTE_SEVERITY_RULES: '{nope' })).toThrow(
      /DISPUTE_SEVERITY_RULES: must be JSON/,
    );
  });

  it('with OMISE_ACCOUNTS_FILE, each account gets its key, and its own API URL and rate limit or the defaults', () => {
    const { OMISE_SECRET_KEY: _unused, ...rest } = required;
    const file = JSON.stringify([
      { name: 'th', secretKey: 'skey_test_th', webhookSecrets: [] },
      {
        name: 'jp',
        secretKey: 'skey_test_jp',
        webhookSecrets: [],
        apiUrl: 'http://jp.emulator:4010',
        rateLimitRps: 3,
      },
    ]);
    const config = loadConfig(
      { ...rest, OMISE_ACCOUNTS_FILE: '/etc/omise/accounts.json', OMISE_RATE_LIMIT_RPS: '20' },
      { readFile: () => file },
    );
    expect(config.accounts).toEqual([
      { name: 'th', secretKey: 'skey_test_th', apiUrl: 'https://api.omise.co', rateLimitRps: 20 },
      { name: 'jp', secretKey: 'skey_test_jp', apiUrl: 'http://jp.emulator:4010', rateLimitRps: 3 },
    ]);
  });
});
