import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@omise-sync/core';
import { loadConfig } from './config';

const secretA = Buffer.alloc(32, 1).toString('base64');
const secretB = Buffer.alloc(24, 2).toString('base64url');

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('with only the required variables, applies every default', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://localhost:6379',
      OMISE_WEBHOOK_SECRETS: secretA,
    });
    expect(config).toEqual({
      port: 8080,
      redis: { mode: 'standalone', url: 'redis://localhost:6379', bullmqPrefix: 'bull' },
      redisCommandTimeoutMs: 2000,
      replicaAck: { minReplicas: 0, timeoutMs: 500 },
      verification: { mode: 'signature', toleranceSeconds: 300 },
      accounts: [
        {
          name: 'default',
          webhookSecrets: [Buffer.alloc(32, 1)],
          secretKey: undefined,
          apiUrl: 'https://api.omise.co',
        },
      ],
      bodyLimitBytes: 1024 * 1024,
      maxBacklog: 0,
      retryAfterSeconds: 30,
      metricsPort: 9464,
      limits: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
        maxConnections: 2_048,
      },
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
    });
  });

  it('in signature mode with an Omise secret key set, refuses to start (the receiver needs no key)', () => {
    expect(
      problemsOf({
        REDIS_URL: 'redis://localhost:6379',
        OMISE_WEBHOOK_SECRETS: secretA,
        OMISE_SECRET_KEY: 'skey_test_5xyz',
      }),
    ).toEqual([
      'OMISE_SECRET_KEY: must not be set when OMISE_WEBHOOK_VERIFY=signature (the receiver needs no API key)',
    ]);
  });

  it('with a headers timeout longer than the request timeout, refuses to start', () => {
    expect(
      problemsOf({
        REDIS_URL: 'redis://localhost:6379',
        OMISE_WEBHOOK_SECRETS: secretA,
        RECEIVER_HEADERS_TIMEOUT_MS: '20000',
        RECEIVER_REQUEST_TIMEOUT_MS: '10000',
      }),
    ).toEqual(['RECEIVER_HEADERS_TIMEOUT_MS: must not exceed RECEIVER_REQUEST_TIMEOUT_MS']);
  });

  it('decodes several comma-separated secrets, standard and URL-safe base64, for rotation', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://localhost:6379',
      OMISE_WEBHOOK_SECRETS: ` ${secretA} , ${secretB},`,
      OMISE_WEBHOOK_TOLERANCE_SECONDS: '0',
    });
    expect(config.verification).toEqual({ mode: 'signature', toleranceSeconds: 0 });
    expect(config.accounts[0]?.webhookSecrets).toEqual([Buffer.alloc(32, 1), Buffer.alloc(24, 2)]);
  });

  it('in signature mode without a secret, refuses to start', () => {
    expect(problemsOf({ REDIS_URL: 'redis://localhost:6379' })).toEqual([
      'OMISE_WEBHOOK_SECRETS: required (at least one base64 secret, or OMISE_ACCOUNTS_FILE)',
    ]);
  });

  it('names a malformed or short secret by position without echoing its value', () => {
    const short = Buffer.alloc(8, 3).toString('base64');
    const problems = problemsOf({
      REDIS_URL: 'redis://localhost:6379',
      OMISE_WEBHOOK_SECRETS: `${secretA},not base64!,${short}`,
    });
    expect(problems).toEqual([
      'OMISE_WEBHOOK_SECRETS: entry 2 is not base64',
      'OMISE_WEBHOOK_SECRETS: entry 3 decodes to 8 bytes, expected at least 16',
    ]);
    expect(problems.join('\n')).not.toContain(short);
  });

  it('in fetch mode, needs the Omise secret key and no webhook secret', () => {
    expect(
      problemsOf({ REDIS_URL: 'redis://localhost:6379', OMISE_WEBHOOK_VERIFY: 'fetch' }),
    ).toEqual(['OMISE_SECRET_KEY: required (or OMISE_ACCOUNTS_FILE)']);
    const config = loadConfig({
      REDIS_URL: 'redis://localhost:6379',
      OMISE_WEBHOOK_VERIFY: 'fetch',
      OMISE_SECRET_KEY: 'skey_test_5xyz',
      OMISE_API_URL: 'http://127.0.0.1:4010',
    });
    expect(config.accounts).toEqual([
      {
        name: 'default',
        webhookSecrets: [],
        secretKey: 'skey_test_5xyz',
        apiUrl: 'http://127.0.0.1:4010',
      },
    ]);
    expect(config.verification).toEqual({
      mode: 'fetch',
      apiTimeoutMs: 5000,
      cacheTtlMs: 60_000,
      cacheMaxEntries: 10_000,
      lookupsPerSecond: 10,
    });
  });

  it('lists every bad variable at once', () => {
    const problems = problemsOf({
      REDIS_URL: 'http://localhost',
      PORT: 'eighty',
      OMISE_WEBHOOK_SECRETS: secretA,
      OMISE_WEBHOOK_VERIFY: 'basic',
      OMISE_WEBHOOK_TOLERANCE_SECONDS: '-1',
      OMISE_WEBHOOK_BODY_LIMIT_BYTES: '0',
      RECEIVER_MAX_BACKLOG: 'many',
      LOG_LEVEL: 'loud',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'PORT',
      'OMISE_WEBHOOK_VERIFY',
      'OMISE_WEBHOOK_TOLERANCE_SECONDS',
      'OMISE_WEBHOOK_BODY_LIMIT_BYTES',
      'RECEIVER_MAX_BACKLOG',
      'LOG_LEVEL',
      'REDIS_URL',
    ]);
  });

  it('with OMISE_ACCOUNTS_FILE, serves every account with its own secrets; signature mode drops the keys', () => {
    const file = JSON.stringify([
      { name: 'th', secretKey: 'skey_test_th', webhookSecrets: [secretA] },
      {
        name: 'jp',
        secretKey: 'skey_test_jp',
        webhookSecrets: [secretB],
        apiUrl: 'http://127.0.0.1:4011',
      },
    ]);
    const config = loadConfig(
      { REDIS_URL: 'redis://localhost:6379', OMISE_ACCOUNTS_FILE: '/run/secrets/accounts.json' },
      { readFile: () => file },
    );
    expect(config.accounts).toEqual([
      {
        name: 'th',
        webhookSecrets: [Buffer.alloc(32, 1)],
        secretKey: undefined,
        apiUrl: 'https://api.omise.co',
      },
      {
        name: 'jp',
        webhookSecrets: [Buffer.alloc(24, 2)],
        secretKey: undefined,
        apiUrl: 'http://127.0.0.1:4011',
      },
    ]);
  });

  it('reports the problems of the variables and of the accounts file together, without secrets', () => {
    const file = JSON.stringify([
      { name: 'TH', secretKey: 'skey_test_hidden', webhookSecrets: [] },
    ]);
    let message = '';
    try {
      loadConfig(
        { REDIS_URL: 'http://x', OMISE_ACCOUNTS_FILE: '/run/secrets/accounts.json' },
        { readFile: () => file },
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      message = error.message;
      expect(error.problems.map((p) => p.split(':')[0])).toEqual([
        'REDIS_URL',
        'OMISE_ACCOUNTS_FILE',
      ]);
    }
    expect(message).toMatch(/account 1.name: must be 1 to 32 characters/);
    expect(message).not.toContain('skey_test_hidden');
  });

  it('reads Sentinel and Cluster settings, and lists Redis problems with the rest', () => {
    expect(
      loadConfig({
        REDIS_SENTINELS: 'sentinel-0:26379,sentinel-1:26379',
        REDIS_SENTINEL_NAME: 'omise',
        REDIS_MIN_REPLICAS_TO_ACK: '1',
        OMISE_WEBHOOK_SECRETS: secretA,
      }),
    ).toMatchObject({
      redis: { mode: 'sentinel', name: 'omise', bullmqPrefix: 'bull' },
      replicaAck: { minReplicas: 1, timeoutMs: 500 },
    });
    expect(
      problemsOf({
        REDIS_CLUSTER_NODES: 'redis-0:6379',
        BULLMQ_PREFIX: 'bull',
        REDIS_MIN_REPLICAS_TO_ACK: '1',
        REDIS_REPLICA_ACK_TIMEOUT_MS: '2000',
      }),
    ).toEqual([
      'REDIS_REPLICA_ACK_TIMEOUT_MS: must be less than REDIS_COMMAND_TIMEOUT_MS (WAIT is a command too)',
      expect.stringMatching(/^BULLMQ_PREFIX: must contain a hash tag/),
      expect.stringMatching(/^OMISE_WEBHOOK_SECRETS/),
    ]);
  });
});
